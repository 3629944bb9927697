// Bad data files for the fuzz suite: IDX images and labels, NPY arrays and labels, image folders
// and custom-threshold files, each damaged in one way. Written under `dir`; returns what to run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { NASTY_INTS, Rng } from './rng';

export interface DataCase {
  name: string;
  /** evaluate: data + labels; calibrate: quantize with data as --calib; thresholds: custom method. */
  use: 'evaluate' | 'calibrate' | 'thresholds';
  data?: string;
  labels?: string;
  thresholds?: string;
}

function idx(dims: number[], body: Uint8Array, type = 0x08): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE((type << 8) | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d >>> 0, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(body)]);
}

function npy(descr: string, shape: string, body: Uint8Array, extra = ''): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, ${extra}}`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(body)]);
}

/** `count` bad data cases (a valid PNG is given, to damage), in `dir`. */
export function dataCases(dir: string, count: number, seed: number, png: Buffer): DataCase[] {
  const r = new Rng(seed);
  const out: DataCase[] = [];
  const pixels = new Uint8Array(16 * 784).map(() => r.int(0, 255));
  const goodImages = path.join(dir, 'good-images.idx');
  fs.writeFileSync(goodImages, idx([16, 28, 28], pixels));
  const goodLabels = path.join(dir, 'good-labels.idx');
  fs.writeFileSync(goodLabels, idx([16], new Uint8Array(16).map((_, i) => i % 10)));
  const f32 = (n: number, v: () => number) => new Uint8Array(new Float32Array(n).map(v).buffer);
  const makers: ((k: number) => DataCase)[] = [
    (k) => {
      const variants = [
        () => idx([16, 28, 28], pixels).subarray(0, r.int(0, 16 * 784)),
        () => idx([r.pick(NASTY_INTS), 28, 28], pixels),
        () => idx([16, r.pick(NASTY_INTS), r.pick(NASTY_INTS)], pixels),
        () => idx([16, 28, 28], pixels, r.pick([0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0x42])),
        () => idx(Array.from({ length: r.int(0, 6) }, () => r.int(0, 40)), pixels),
        () => Buffer.from([0, 0, 8, 3]),
        () => Buffer.alloc(0),
        () => zlib.gzipSync(idx([16, 28, 28], pixels)).subarray(0, r.int(10, 2000)),
        () => Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(r.int(0, 100), 7)]),
      ];
      const f = path.join(dir, `images-${k}.idx`);
      fs.writeFileSync(f, r.pick(variants)());
      return { name: `idx images ${k}`, use: r.chance(0.5) ? 'evaluate' : 'calibrate', data: f, labels: goodLabels };
    },
    (k) => {
      const variants = [
        () => idx([r.int(0, 40)], new Uint8Array(40).map(() => r.int(0, 12))),
        () => idx([16], new Uint8Array(16).map(() => r.pick([0, 9, 10, 200, 255]))),
        () => idx([16, 2], new Uint8Array(32)),
        () => idx([16], new Uint8Array(3)),
        () => npy('<i8', '(16,)', new Uint8Array(new BigInt64Array(16).map(() => BigInt(r.pick([0, 3, -1, 2 ** 40, 11]))).buffer)),
        () => npy('<f4', '(16,)', f32(16, () => r.next() * 10)),
        () => npy('<i4', '(15,)', new Uint8Array(60)),
      ];
      const f = path.join(dir, `labels-${k}.bin`);
      fs.writeFileSync(f, r.pick(variants)());
      return { name: `labels ${k}`, use: 'evaluate', data: goodImages, labels: f };
    },
    (k) => {
      const variants = [
        () => npy('<f4', '(8, 1, 28, 28)', f32(8 * 784, () => r.pick([0, 1, Number.NaN, Infinity, -Infinity, 1e30]))),
        () => npy(r.pick(['<f8', '|O', '>f4', '<c8', '<U4', '|b1', '<f2', 'nope']), '(8, 1, 28, 28)', new Uint8Array(8 * 784 * 4)),
        () => npy('<f4', r.pick(['()', '(0, 1, 28, 28)', '(8, 28, 28)', '(8, 3, 28, 28)', `(${r.pick(NASTY_INTS)}, 1, 28, 28)`, '(8, 1, 28)', '(-1, 1, 28, 28)', "('a',)", '(1e9,)']), new Uint8Array(8 * 784 * 4)),
        () => npy('<f4', '(8, 1, 28, 28)', new Uint8Array(r.int(0, 8 * 784 * 4 - 1))),
        () => npy('<f4', '(8, 1, 28, 28)', new Uint8Array(8 * 784 * 4), "'fortran_order': True, "),
        () => Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, r.pick([1, 2, 3, 9]), 0, 0xff, 0xff]), Buffer.alloc(r.int(0, 200), 0x20)]),
        () => Buffer.from("\x93NUMPY\x01\x00\x20\x00{'descr': '<f4', 'shape': (8,1,28,28)}\n", 'latin1'),
        () => npy('<u1', '(8, 28, 28, 1)', new Uint8Array(8 * 784)),
      ];
      const f = path.join(dir, `data-${k}.npy`);
      fs.writeFileSync(f, r.pick(variants)());
      return { name: `npy ${k}`, use: r.chance(0.5) ? 'evaluate' : 'calibrate', data: f, labels: r.chance(0.5) ? goodLabels : undefined };
    },
    (k) => {
      const root = path.join(dir, `folder-${k}`);
      fs.mkdirSync(root);
      const classes = r.int(0, 12);
      for (let c = 0; c < classes; c++) {
        const d = path.join(root, `c${c}`);
        fs.mkdirSync(d);
        const kind = r.int(0, 5);
        const bytes = [png, png.subarray(0, r.int(0, png.length)), Buffer.alloc(0), Buffer.from('not an image'), Buffer.concat([png.subarray(0, 16), Buffer.alloc(64, 0xff)]), png][kind];
        fs.writeFileSync(path.join(d, r.pick(['a.png', 'b.jpg', 'c.jpeg', 'd.PNG'])), bytes);
        if (r.chance(0.2)) fs.writeFileSync(path.join(d, 'notes.txt'), 'x');
      }
      return { name: `folder ${k} (${classes} classes)`, use: r.chance(0.5) ? 'evaluate' : 'calibrate', data: root };
    },
    (k) => {
      const variants = [
        '{', '[]', '"x"', 'null', '{"c1": "3"}', '{"c1": -1}', '{"c1": 0}', '{"c1": 1e-300}', '{"c1": 1e400}', '{"c1": {"min": 5, "max": 1}}',
        '{"nope": 1}', '{"c1": {"min": 0}}', `{"c1": ${'['.repeat(5000)}}`, '{"c1": {"min": -1, "max": 1, "x": 2}}', '{"__proto__": {"min": 0, "max": 1}}',
      ];
      const f = path.join(dir, `thresholds-${k}.json`);
      fs.writeFileSync(f, r.pick(variants));
      return { name: `thresholds ${k}`, use: 'thresholds', thresholds: f };
    },
  ];
  for (let k = 0; k < count; k++) out.push(makers[k % makers.length](k));
  return out;
}
