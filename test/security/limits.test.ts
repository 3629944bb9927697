// Tiny files that ask for huge memory are refused by name, in bounded memory and time: a 100-byte
// model with an int64 Range of 3e8, an int64 ConstantOfShape of 40000x40000, a declared
// 40000x40000 input, weights above the budget, a labels .gz that claims 3e9 labels.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { test } from 'node:test';

import { makeTensor } from '../../engine/ir/tensor';
import { saveModel } from '../../engine/onnx/save';
import { limitsFor, parseSize } from '../../engine/limits';
import { IrBuilder } from '../engine/ir-builder';
import { tempDir, writeNpy } from '../data/helpers';
import { parseNpy } from '../../engine/data/npy';
import { assertClose, runOrt } from '../helpers/oracle';

const root = path.resolve(__dirname, '..', '..', '..');
const qwbBin = path.join(root, 'bin', 'qwb.js');
const demo = path.join(root, 'assets', 'demo', 'fashion_resnet.onnx');
const images = path.join(root, 'assets', 'demo', 'sample-images-idx3-ubyte.gz');
const dir = tempDir('qwb-limits-');

/** Runs qwb under /usr/bin/time: exit code, stderr and peak RSS in MB. */
function qwb(...args: string[]) {
  const r = spawnSync('/usr/bin/time', ['-f', 'peak_kb=%M', process.execPath, qwbBin, ...args], { encoding: 'utf8', timeout: 60_000 });
  const kb = Number(/peak_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { code: r.status, err: r.stderr.replace(/peak_kb=\d+\n?/, ''), peakMb: kb / 1024 };
}

function save(name: string, b: IrBuilder): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, saveModel(b.model));
  return f;
}

test('sizes parse and the limits follow the budget', () => {
  assert.equal(parseSize('8G'), 8 * 1024 ** 3);
  assert.equal(parseSize('512m'), 512 * 1024 ** 2);
  assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('lots'), undefined);
  assert.equal(parseSize('0'), undefined);
  const l = limitsFor(8 * 1024 ** 3);
  assert.equal(l.tensorBytes, 1024 ** 3);
  assert.equal(l.weightBytes, 4 * 1024 ** 3);
});

test('an int64 Range(0, 3e8) and a 40000x40000 ConstantOfShape: refused by name in bounded memory', () => {
  const a = new IrBuilder();
  a.init('start', makeTensor('int64', [], [0]));
  a.init('limit', makeTensor('int64', [], [300_000_000]));
  a.init('delta', makeTensor('int64', [], [1]));
  a.input('x', [1]);
  a.node('Range', ['start', 'limit', 'delta'], ['r'], {}, 'range');
  a.node('Cast', ['r'], ['rf'], { to: { type: 'int', value: 1 } }, 'cast');
  a.node('Add', ['x', 'rf'], ['y'], {}, 'add');
  a.output('y');
  const range = save('range.onnx', a);
  assert.ok(fs.statSync(range).size < 400, `a tiny model (${fs.statSync(range).size} bytes)`);
  const x = path.join(dir, 'x.npy');
  writeNpy(x, '<f4', [1], new Uint8Array(4));
  const r = qwb('run', range, '--input', x, '--output', path.join(dir, 'y.npy'));
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /Range.*'r' \[300000000\] int64 is too large to compute at load time/);
  assert.ok(r.peakMb < 400, `peak RSS ${r.peakMb.toFixed(0)} MB`);

  const b = new IrBuilder();
  b.init('shape', makeTensor('int64', [2], [40000, 40000]));
  b.input('x', [1]);
  b.node('ConstantOfShape', ['shape'], ['c'], { value: { type: 'tensor', value: makeTensor('int64', [1], [7]) } } as never, 'cos');
  b.node('Cast', ['c'], ['cf'], { to: { type: 'int', value: 1 } }, 'cast');
  b.node('Add', ['x', 'cf'], ['y'], {}, 'add');
  b.output('y');
  const cos = save('cos.onnx', b);
  const c = qwb('run', cos, '--input', x, '--output', path.join(dir, 'y2.npy'));
  assert.equal(c.code, 1, c.err);
  assert.match(c.err, /ConstantOfShape.*\[40000, 40000\] int64 is too large/);
  assert.ok(c.peakMb < 400, `peak RSS ${c.peakMb.toFixed(0)} MB`);
});

test('a declared 40000x40000 input is refused when the plan would allocate it', () => {
  const b = new IrBuilder();
  b.input('x', [40000, 40000]);
  b.node('Relu', ['x'], ['y'], {}, 'relu');
  b.output('y');
  const big = save('big-input.onnx', b);
  const info = qwb('info', big);
  assert.equal(info.code, 0, info.err);
  const x = path.join(dir, 'small.npy');
  writeNpy(x, '<f4', [4, 4], new Uint8Array(64));
  const q = qwb('quantize', big, '--calib', x, '--out', path.join(dir, 'big.int8.onnx'));
  assert.notEqual(q.code, 0);
  assert.ok(q.peakMb < 400, `peak RSS ${q.peakMb.toFixed(0)} MB`);
  const r = qwb('--max-memory', '4G', 'bench', big, '--iters', '1');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /(tensor|input) 'x' \[40000, 40000\] float32 needs 5\.96 GiB, above the limit of 512\.0 MiB/);
  assert.ok(r.peakMb < 400, `peak RSS ${r.peakMb.toFixed(0)} MB`);
});

test('weights above the budget are refused before they are decoded', () => {
  const r = qwb('--max-memory', '256K', 'info', demo);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /fashion_resnet\.onnx: (tensor|the initializers).* above the limit of/);
  const bad = qwb('--max-memory', 'lots', 'info', demo);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--max-memory needs a size such as 8G/);
});

test('a labels .gz that claims 3e9 labels is refused without inflating it', () => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0);
  header.writeUInt32BE(3_000_000_000, 4);
  const file = path.join(dir, 'huge-labels.gz');
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([header, Buffer.alloc(64 << 20)])));
  const r = qwb('eval', demo, '--data', images, '--labels', file, '--mean', '0.286', '--std', '0.353');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /huge-labels\.gz inflate to more than \d+ bytes, far more than 1000 labels/);
  assert.ok(r.peakMb < 300, `peak RSS ${r.peakMb.toFixed(0)} MB`);
});

test('run on a 20,000-item .npy goes through in batches, in bounded memory, with the answer of ONNX Runtime', async () => {
  const items = 20_000;
  const x = new Float32Array(items * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const xFile = path.join(dir, 'x20000.npy');
  writeNpy(xFile, '<f4', [items, 1, 28, 28], new Uint8Array(x.buffer));
  const yFile = path.join(dir, 'y20000.npy');
  // A 512 MiB budget: one tensor may take 64 MiB, so the first activation of all 20,000 items at once
  // (hundreds of MiB) would be refused; 64 items at a time it is a few MiB.
  const r = spawnSync('/usr/bin/time', ['-f', 'peak_kb=%M', process.execPath, qwbBin, '--max-memory', '512M', 'run', demo, '--input', xFile, '--output', yFile], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const peakMb = Number(/peak_kb=(\d+)/.exec(r.stderr)?.[1]) / 1024;
  const y = parseNpy(fs.readFileSync(yFile), yFile);
  assert.deepEqual(y.shape, [items, 10]);
  const got = new Float32Array(y.data.buffer, y.data.byteOffset, items * 10);
  // The oracle: ONNX Runtime on the whole input at once.
  const ref = await runOrt(fs.readFileSync(demo), { input: { dims: [items, 1, 28, 28], data: x } });
  assertClose(got, Object.values(ref)[0], 1e-4, 'batched run vs ONNX Runtime');
  console.log(`run of ${items} items in batches of 64 under --max-memory 512M: peak RSS ${peakMb.toFixed(0)} MB`);
  assert.ok(peakMb < 600, `peak RSS ${peakMb.toFixed(0)} MB`);
  // --batch N as large as the input runs it whole, and the budget refuses that by name.
  const whole = qwb('--max-memory', '512M', 'run', demo, '--input', xFile, '--output', path.join(dir, 'y-whole.npy'), '--batch', String(items));
  assert.equal(whole.code, 1, whole.err);
  assert.match(whole.err, /limit|budget|--max-memory/i);
});
