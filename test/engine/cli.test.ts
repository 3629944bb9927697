import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

import { saveModel } from '../../engine/onnx/save';
import { formatNpy, parseNpy } from '../../engine/data/npy';
import { makeTensor } from '../../engine/ir/tensor';
import { IrBuilder, int, ints, randomInput, relError } from './ir-builder';

const root = path.resolve(__dirname, '..', '..', '..');
const qwb = path.join(root, 'bin', 'qwb.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [qwb, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function convModel(): string {
  const b = new IrBuilder();
  b.input('input', ['batch', 3, 8, 8]);
  b.rand('w', [4, 3, 3, 3]);
  b.rand('b', [4]);
  b.rand('fc', [4, 6]);
  b.node('Conv', ['input', 'w', 'b'], ['c'], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }, 'conv');
  b.node('Relu', ['c'], ['r'], {}, 'relu');
  b.node('GlobalAveragePool', ['r'], ['p'], {}, 'gap');
  b.node('Flatten', ['p'], ['f'], { axis: int(1) }, 'flatten');
  b.node('MatMul', ['f', 'fc'], ['logits'], {}, 'fc');
  b.output('logits');
  const file = path.join(dir, 'conv.onnx');
  fs.writeFileSync(file, saveModel(b.model));
  return file;
}

test('qwb help and usage errors', () => {
  const h = cli('help');
  assert.equal(h.code, 0);
  assert.match(h.out, /qwb info \[MODEL\.onnx\]/);
  const u = cli('frobnicate');
  assert.equal(u.code, 2);
  assert.match(u.err, /^qwb: unknown command 'frobnicate'/);
  assert.equal(cli('info', 'a.onnx', 'b.onnx').code, 2);
  assert.equal(cli('info', 'a.onnx', '--batch', 'zero').code, 2);
});

test('qwb info prints a summary and JSON', () => {
  const model = convModel();
  const text = cli('info', model, '--batch', '2');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /input\s+input: float32 \[batch, 3, 8, 8\]\s+\(using \[2, 3, 8, 8\]\)/);
  const j = cli('info', model, '--shape', 'input=1x3x8x8', '--json');
  assert.equal(j.code, 0, j.err);
  const s = JSON.parse(j.out);
  assert.equal(s.nodeCount, 5);
  assert.equal(s.fusedNodeCount, 4);
  assert.deepEqual(s.outputDims, { logits: [1, 6] });
  assert.equal(s.macs, 4 * 16 * 27 + 4 * 6);
  assert.deepEqual(s.opCounts, { Conv: 1, Relu: 1, GlobalAveragePool: 1, Flatten: 1, MatMul: 1 });
  // The machine comes with it: the CPU's own features next to oneDNN's effective ISA.
  const flags = new Set((/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
  assert.ok(s.runtime.cpu.features.includes('sse4_1') === flags.has('sse4_1') && s.runtime.cpu.features.includes('avx2') === flags.has('avx2'), s.runtime.cpu.features.join(' '));
  assert.match(text.out, new RegExp(`features\\s+${s.runtime.cpu.features.join(' ')}`));
  assert.match(text.out, new RegExp(`oneDNN\\s+2\\.6\\.\\d+, effective ISA ${s.runtime.isa}`));
  const alone = cli('info', '--json');
  assert.equal(alone.code, 0, alone.err);
  const r = JSON.parse(alone.out);
  assert.deepEqual(r.cpu, s.runtime.cpu);
  assert.equal(r.int8.weightBits, r.int8.accumulation === '16bit-pairs' ? 7 : 8);
  assert.match(r.int8.reason, /VNNI|AMX/);
});

test('qwb info on a bad file fails with exit 1 naming it', () => {
  const bad = path.join(dir, 'bad.onnx');
  fs.writeFileSync(bad, 'garbage');
  const r = cli('info', bad);
  assert.equal(r.code, 1);
  assert.match(r.err, /^qwb: .*bad\.onnx: (not an ONNX file|truncated ONNX file)/);
});

test('qwb run matches onnxruntime, fused and unfused', async () => {
  const model = convModel();
  const x = randomInput(2 * 3 * 64);
  const input = path.join(dir, 'in.npy');
  fs.writeFileSync(input, formatNpy([2, 3, 8, 8], x));
  const ref = await (await ort.InferenceSession.create(model)).run({ input: new ort.Tensor('float32', x, [2, 3, 8, 8]) });
  for (const mode of [[], ['--unfused']]) {
    const out = path.join(dir, `out${mode.length}.npy`);
    const r = cli('run', model, '--input', input, '--output', out, '--threads', '1', ...mode);
    assert.equal(r.code, 0, r.err);
    const y = parseNpy(fs.readFileSync(out));
    assert.deepEqual(y.shape, [2, 6]);
    const e = relError(y.data as Float32Array, ref.logits.data as Float32Array);
    assert.ok(e < 1e-4, `rel error ${e}`);
  }
  const ints64 = path.join(dir, 'int.npy');
  const body = Buffer.from(new BigInt64Array([1n]).buffer);
  let header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }";
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(ints64, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
  const bad = cli('run', model, '--input', ints64, '--output', path.join(dir, 'x.npy'));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /int\.npy: dtype i8 .*float32/);
});

test('qwb eval computes top-1 on an IDX set', () => {
  // 4-pixel images, label = brightest pixel; the model's logits are the pixels themselves.
  const b = new IrBuilder();
  b.input('input', ['N', 1, 2, 2]);
  b.init('eye', makeTensor('float32', [4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]));
  b.node('Flatten', ['input'], ['f'], { axis: int(1) });
  b.node('MatMul', ['f', 'eye'], ['logits']);
  b.output('logits');
  const model = path.join(dir, 'argmax.onnx');
  fs.writeFileSync(model, saveModel(b.model));
  const n = 30;
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = [10, 60, 110, 160].map((v) => (v + 37 * i) % 250);
    pixels.push(...p);
    labels.push(p.indexOf(Math.max(...p)));
  }
  const idx = (shape: number[], data: number[]) => {
    const h = Buffer.alloc(4 + 4 * shape.length);
    h[2] = 8;
    h[3] = shape.length;
    shape.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([h, Buffer.from(data)]);
  };
  fs.writeFileSync(path.join(dir, 'img.idx'), idx([n, 2, 2], pixels));
  fs.writeFileSync(path.join(dir, 'lab.idx'), idx([n], labels));
  const r = cli('eval', model, '--images', path.join(dir, 'img.idx'), '--labels', path.join(dir, 'lab.idx'), '--mean', '0', '--std', '1', '--batch', '8', '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.count, n);
  assert.equal(res.top1, 1);
  assert.equal(res.top5, 1); // four classes: every label is in the top 5; top-1 is the real check
});
