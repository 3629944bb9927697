import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Service } from '../../engine/api/service';
import { toServiceError } from '../../engine/api/errors';
import type { ProgressEvent } from '../../engine/api/contract';
import { NodeHost } from '../../engine/host/node-host';
import { formatNpy, parseNpy } from '../../engine/data/npy';
import { saveModel } from '../../engine/onnx/save';
import { IrBuilder } from './ir-builder';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-service-'));

function write(name: string, b: IrBuilder): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, saveModel(b.model));
  return file;
}

test('inspectModel lists unsupported ops without throwing', async () => {
  const b = new IrBuilder();
  b.input('x', [1, 4]);
  b.node('Relu', ['x'], ['r']);
  b.node('NonMaxSuppression', ['r'], ['y'], {}, 'nms');
  b.output('y');
  const s = await new Service(new NodeHost()).inspectModel({ path: write('nms.onnx', b) });
  assert.deepEqual(s.unsupportedOps, [{ opType: 'NonMaxSuppression', nodes: ['nms'] }]);
  assert.equal(s.macs, undefined);
  assert.match(s.problems[0], /unsupported ops: NonMaxSuppression/);
});

test('runModel takes name=path pairs for several inputs and outputs', async () => {
  const b = new IrBuilder();
  b.input('a', [2, 3]);
  b.input('b', [2, 3]);
  b.node('Add', ['a', 'b'], ['sum']);
  b.node('Mul', ['a', 'b'], ['prod']);
  b.output('sum');
  b.output('prod');
  const model = write('two.onnx', b);
  const pa = path.join(dir, 'a.npy');
  const pb = path.join(dir, 'b.npy');
  fs.writeFileSync(pa, formatNpy([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
  fs.writeFileSync(pb, formatNpy([2, 3], new Float32Array([2, 2, 2, 2, 2, 2])));
  const svc = new Service(new NodeHost());
  const out = path.join(dir, 'prod.npy');
  const r = await svc.runModel({ modelPath: model, input: { a: pa, b: pb }, output: { prod: out }, threads: 1 });
  assert.deepEqual(r.outputs.map((o) => o.name), ['prod']);
  assert.deepEqual(Array.from(parseNpy(fs.readFileSync(out)).data), [2, 4, 6, 8, 10, 12]);
  await assert.rejects(svc.runModel({ modelPath: model, input: pa, output: out }), (e: unknown) => {
    const se = toServiceError(e);
    return se.code === 'E_USAGE' && /2 inputs \(a, b\)/.test(se.message);
  });
  await assert.rejects(svc.runModel({ modelPath: path.join(dir, 'nope.onnx'), input: pa, output: out }), (e: unknown) => toServiceError(e).code === 'E_IO');
});

test('evaluate reports progress and stops on an aborted signal', async () => {
  const b = new IrBuilder();
  b.input('input', ['N', 1, 2, 2]);
  b.node('Flatten', ['input'], ['logits']);
  b.output('logits');
  const model = write('flat.onnx', b);
  const idx = (shape: number[], n: number) => {
    const h = Buffer.alloc(4 + 4 * shape.length);
    h[2] = 8;
    h[3] = shape.length;
    shape.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([h, Buffer.alloc(n, 3)]);
  };
  fs.writeFileSync(path.join(dir, 'i.idx'), idx([6, 2, 2], 24));
  fs.writeFileSync(path.join(dir, 'l.idx'), idx([6], 6));
  const events: ProgressEvent[] = [];
  const svc = new Service(new NodeHost({ onProgress: (e) => events.push(e) }));
  const req = { modelPath: model, images: path.join(dir, 'i.idx'), labels: path.join(dir, 'l.idx'), mean: [0], std: [1], batch: 4, threads: 1 };
  const r = await svc.evaluate(req);
  assert.equal(r.count, 6);
  assert.deepEqual(events.map((e) => e.done), [4, 6]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(svc.evaluate(req, { signal: ac.signal }), (e: unknown) => toServiceError(e).code === 'E_CANCELLED');
});

test('demo runs fused and unfused over the demo assets and agrees', async () => {
  const assets = path.join(dir, 'assets');
  fs.mkdirSync(path.join(assets, 'demo'), { recursive: true });
  const b = new IrBuilder();
  b.input('input', ['batch', 1, 4, 4]);
  b.rand('w', [3, 1, 3, 3]);
  b.rand('scale', [3], 0.5, 1.5);
  b.rand('beta', [3]);
  b.rand('mean', [3]);
  b.rand('var', [3], 0.5, 2);
  b.rand('fc', [48, 5]);
  b.node('Conv', ['input', 'w'], ['c'], { pads: { type: 'ints', value: [1, 1, 1, 1] } }, 'conv');
  b.node('BatchNormalization', ['c', 'scale', 'beta', 'mean', 'var'], ['bn'], {}, 'bn');
  b.node('Relu', ['bn'], ['r'], {}, 'relu');
  b.node('Flatten', ['r'], ['f'], {}, 'flatten');
  b.node('MatMul', ['f', 'fc'], ['logits'], {}, 'fc');
  b.output('logits');
  fs.writeFileSync(path.join(assets, 'demo', 'm.onnx'), saveModel(b.model));
  const n = 20;
  const idx = (shape: number[], data: Buffer) => {
    const h = Buffer.alloc(4 + 4 * shape.length);
    h[2] = 8;
    h[3] = shape.length;
    shape.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([h, data]);
  };
  fs.writeFileSync(path.join(assets, 'demo', 'img.gz'), require('node:zlib').gzipSync(idx([n, 4, 4], Buffer.from(Array.from({ length: n * 16 }, (_, i) => (i * 97) % 256)))));
  fs.writeFileSync(path.join(assets, 'demo', 'lab.gz'), require('node:zlib').gzipSync(idx([n], Buffer.from(Array.from({ length: n }, (_, i) => i % 5)))));
  const meta = { model: 'm.onnx', mean: [0.5], std: [0.25], classes: ['a', 'b', 'c', 'd', 'e'], sample: { images: 'img.gz', labels: 'lab.gz' }, fp32_top1_sample: 0.2 };
  fs.writeFileSync(path.join(assets, 'demo', 'demo.json'), JSON.stringify(meta));
  const svc = new Service(new NodeHost({ assetsDir: assets }));
  // The INT8 part calibrates on Fashion-MNIST (28x28), not this 4x4 model: covered by qwb demo and test/accuracy.
  const r = await svc.demo({ threads: 1, batch: 8, int8: false });
  assert.equal(r.fused.count, n);
  assert.equal(r.unfused.count, n);
  assert.equal(r.agreement, 1);
  assert.equal(r.fused.top1, r.unfused.top1);
  assert.ok(r.fusedSteps < r.unfusedSteps, `${r.fusedSteps} fused vs ${r.unfusedSteps} unfused steps`);
  assert.equal(r.expectedTop1, 0.2);
  assert.match(r.runtime.isa, /\w/);
  const missing = new Service(new NodeHost({ assetsDir: path.join(dir, 'none') }));
  await assert.rejects(missing.demo(), /demo assets missing/);
});
