// Integer and bool graph edges and the ops the model corpus needed, each an in-code graph run by
// our Session and by onnxruntime-node on the same bytes: int64 token ids through Gather into an
// embedding table, an int64 mask through Cast, ArgMax (int64 out), comparisons and logic (bool
// out), Where, ScatterND, Einsum (MaxViT's attention), LayerNormalization and the opset-14 pattern
// it is fused from, broadcast binaries oneDNN only had a reference kernel for, int64 constants
// at the int64 limits through save/load, and Dropout in training mode refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { AttrValue } from '../../engine/ir/graph';
import { prepareModel } from '../../engine/passes/optimize';
import { makeTensor, type DType } from '../../engine/ir/tensor';
import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { ModelSession } from '../../engine/runtime/session';
import type { HostData, HostTensor } from '../../engine/runtime/session-types';
import { IrBuilder, int, ints, randomInput } from '../engine/ir-builder';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const ORT_TYPE: Record<string, string> = { Float32Array: 'float32', BigInt64Array: 'int64', Int32Array: 'int32', Uint8Array: 'bool', Int8Array: 'int8' };

async function both(b: IrBuilder, feeds: Record<string, HostTensor>): Promise<{ ours: Record<string, HostTensor>; ref: Record<string, HostData> }> {
  const bytes = saveModel(b.model);
  const s = await ModelSession.load(bytes, { threads: 1 });
  let ours: Record<string, HostTensor>;
  try {
    ours = (await s.run(feeds)).outputs;
  } finally {
    s.dispose();
  }
  const o = await ort.InferenceSession.create(bytes);
  const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, t] of Object.entries(feeds)) f[k] = new ort.Tensor(ORT_TYPE[t.data.constructor.name] as 'float32', t.data as Float32Array, t.dims);
  const r = await o.run(f);
  const ref: Record<string, HostData> = {};
  for (const n of o.outputNames) ref[n] = r[n].data as HostData;
  await o.release();
  return { ours, ref };
}

function same(ours: HostTensor, ref: HostData, label: string, tol = 0): void {
  assert.equal(ours.data.constructor.name, ref.constructor.name, `${label}: dtype`);
  assert.equal(ours.data.length, ref.length, `${label}: length`);
  for (let i = 0; i < ref.length; i++) {
    const a = Number(ours.data[i]);
    const e = Number(ref[i]);
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${label}[${i}]: ${a} vs ONNX Runtime ${e}`);
  }
}

const ids = (vals: number[], dims: number[]): HostTensor => ({ dims, data: BigInt64Array.from(vals, (v) => BigInt(v)) });

test('int64 token ids and mask: Gather into an embedding table, Cast, ArgMax (int64), Equal/Not/And (bool), Where', async () => {
  const b = new IrBuilder(14);
  b.input('input_ids', ['N', 5], 'int64');
  b.input('mask', ['N', 5], 'int64');
  b.rand('table', [11, 4], -1, 1);
  b.init('one', makeTensor('float32', [], [1]));
  b.init('big', makeTensor('float32', [], [-10000]));
  b.init('three', makeTensor('int64', [], [3]));
  b.init('axes', makeTensor('int64', [1], [2]));
  b.node('Gather', ['table', 'input_ids'], ['emb'], { axis: int(0) });
  b.node('Cast', ['mask'], ['maskf'], { to: int(1) });
  b.node('Sub', ['one', 'maskf'], ['inv']);
  b.node('Mul', ['inv', 'big'], ['bias']);
  b.node('Unsqueeze', ['bias', 'axes'], ['bias3']);
  b.node('Add', ['emb', 'bias3'], ['scores']);
  b.node('ArgMax', ['scores'], ['best'], { axis: int(2), keepdims: int(0) });
  b.node('Equal', ['input_ids', 'three'], ['is3']);
  b.node('Cast', ['mask'], ['maskb'], { to: int(9) });
  b.node('Not', ['is3'], ['not3']);
  b.node('And', ['not3', 'maskb'], ['keep']);
  b.node('Unsqueeze', ['keep', 'axes'], ['keep3']);
  b.node('Where', ['keep3', 'scores', 'one'], ['picked']);
  for (const o of ['scores', 'picked']) b.output(o);
  b.output('best', 'int64');
  b.output('keep', 'bool');
  const feeds = { input_ids: ids([3, 1, 10, 0, 3, 7, -1, 3, 2, 5], [2, 5]), mask: ids([1, 1, 1, 1, 0, 1, 1, 1, 0, 0], [2, 5]) };
  const { ours, ref } = await both(b, feeds);
  same(ours.scores, ref.scores, 'scores', 1e-6);
  same(ours.picked, ref.picked, 'picked', 1e-6);
  same(ours.best, ref.best, 'argmax (int64)');
  same(ours.keep, ref.keep, 'keep (bool)');
  assert.ok(ours.best.data instanceof BigInt64Array && ours.keep.data instanceof Uint8Array);
  // Negative ids wrap (-1 is the last row), as ONNX Gather says; an id outside the table is an error.
  const s = await ModelSession.load(saveModel(b.model), { threads: 1 });
  try {
    await assert.rejects(s.run({ ...feeds, input_ids: ids([11, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 5]) }), /index out of range for an axis of size 11/);
    await assert.rejects(s.run({ ...feeds, input_ids: ids([2 ** 40, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 5]) }), /does not fit the runtime's int32/);
    await assert.rejects(s.run({ ...feeds, mask: { dims: [2, 5], data: new Float32Array(10) } }), /input 'mask' is int64: its data must be a BigInt64Array or Int32Array/);
  } finally {
    s.dispose();
  }
});

test('ScatterND (none / add) on computed data with computed int64 indices', async () => {
  for (const reduction of ['none', 'add']) {
    const b = new IrBuilder(16);
    b.input('x', [4, 3]);
    b.input('idx', [2, 1], 'int64');
    b.input('upd', [2, 3]);
    b.node('Relu', ['x'], ['r']);
    b.node('ScatterND', ['r', 'idx', 'upd'], ['y'], { reduction: { type: 'string', value: reduction } });
    b.output('y');
    const { ours, ref } = await both(b, { x: { dims: [4, 3], data: randomInput(12, 3) }, idx: ids([2, -4], [2, 1]), upd: { dims: [2, 3], data: randomInput(6, 5) } });
    same(ours.y, ref.y, `ScatterND ${reduction}`, 1e-6);
  }
});

test('Einsum: batched matmuls in MaxViT\'s spelling, a contraction with transposed output, transpose and sum of one operand', async () => {
  const cases: { eq: string; dims: number[][] }[] = [
    { eq: 'B G H I D, B G H J D -> B G H I J', dims: [[2, 3, 2, 5, 4], [2, 3, 2, 6, 4]] },
    { eq: 'bghij,bghjd->bghid', dims: [[1, 2, 3, 4, 5], [1, 2, 3, 5, 6]] },
    { eq: 'bik,kj->jbi', dims: [[2, 3, 4], [4, 5]] },
    { eq: 'ij->ji', dims: [[3, 4]] },
    { eq: 'bij->bj', dims: [[2, 3, 4]] },
  ];
  for (const c of cases) {
    const b = new IrBuilder(13);
    const names = c.dims.map((d, i) => b.input(`x${i}`, d));
    b.node('Einsum', names, ['y'], { equation: { type: 'string', value: c.eq } as AttrValue });
    b.output('y');
    const feeds = Object.fromEntries(c.dims.map((d, i) => [`x${i}`, { dims: d, data: randomInput(d.reduce((p, q) => p * q, 1), 7 + i) }]));
    const { ours, ref } = await both(b, feeds);
    same(ours.y, ref.y, c.eq, 1e-5);
  }
});

function layerNormPattern(withAffine: boolean): IrBuilder {
  // PyTorch's nn.LayerNorm at opset 14, over the last two axes.
  const b = new IrBuilder(14);
  b.input('x', ['N', 3, 4, 6]);
  b.init('two', makeTensor('float32', [], [2]));
  b.init('eps', makeTensor('float32', [], [1e-5]));
  b.rand('gamma', [4, 6], 0.5, 1.5);
  b.rand('beta', [4, 6], -0.2, 0.2);
  const red = { axes: ints([-2, -1]), keepdims: int(1) };
  b.node('ReduceMean', ['x'], ['m'], red);
  b.node('Sub', ['x', 'm'], ['d']);
  b.node('Pow', ['d', 'two'], ['d2']);
  b.node('ReduceMean', ['d2'], ['v'], red);
  b.node('Add', ['v', 'eps'], ['ve']);
  b.node('Sqrt', ['ve'], ['s']);
  b.node('Div', ['d', 's'], [withAffine ? 'n' : 'y']);
  if (withAffine) {
    b.node('Mul', ['n', 'gamma'], ['g']);
    b.node('Add', ['g', 'beta'], ['y']);
  }
  b.output('y');
  return b;
}

test('LayerNorm: the opset-14 ReduceMean/Sub/Pow/Sqrt/Div(/Mul/Add) pattern is one LayerNormalization, as ONNX Runtime computes it', async () => {
  for (const affine of [true, false]) {
    const b = layerNormPattern(affine);
    const { passes, model } = prepareModel(b.model, { x: [2, 3, 4, 6] });
    assert.equal(passes.layerNormsFused, 1, 'one pattern fused');
    const ln = model.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
    assert.deepEqual(ln.attrs.axis, { type: 'int', value: 2 });
    assert.equal(model.graph.nodes.length, 1, `only the LayerNormalization is left (${model.graph.nodes.map((n) => n.opType)})`);
    const { ours, ref } = await both(b, { x: { dims: [2, 3, 4, 6], data: randomInput(144, 9).map((v) => 3 * v + 1) } });
    same(ours.y, ref.y, `pattern${affine ? ' with affine' : ''}`, 1e-5);
  }
  // A Sub read by a third node is not the pattern: left alone, still right.
  const b = layerNormPattern(true);
  b.node('Relu', ['d'], ['extra']);
  b.output('extra');
  assert.equal(prepareModel(b.model, { x: [1, 3, 4, 6] }).passes.layerNormsFused, 0);
});

test('LayerNormalization (opset 17) on axis -2 with Mean and InvStdDev outputs, and broadcast binaries by rows', async () => {
  const b = new IrBuilder(17);
  b.input('x', [2, 3, 5]);
  b.rand('scale', [3, 5], 0.5, 1.5);
  b.rand('bias', [3, 5], -0.5, 0.5);
  b.input('s', [2, 1, 5]);
  b.node('LayerNormalization', ['x', 'scale', 'bias'], ['y', 'mean', 'inv'], { axis: int(-2), epsilon: { type: 'float', value: 1e-3 } });
  b.node('Div', ['x', 's'], ['q']); // [2,3,5] / [2,1,5]: no oneDNN broadcast kernel but the reference one
  b.node('Sub', ['s', 'x'], ['r']); // src0 broadcast
  for (const o of ['y', 'mean', 'inv', 'q', 'r']) b.output(o);
  const { ours, ref } = await both(b, { x: { dims: [2, 3, 5], data: randomInput(30, 2) }, s: { dims: [2, 1, 5], data: randomInput(10, 4).map((v) => v + 2) } });
  for (const o of ['y', 'mean', 'inv', 'q', 'r']) same(ours[o], ref[o], o, 1e-5);
});

test('int64 constants at the limits survive save/load (Slice to INT64_MAX), training-mode Dropout is refused', async () => {
  const b = new IrBuilder(13);
  b.input('x', [2, 6]);
  b.init('starts', makeTensor('int64', [1], [1]));
  b.init('ends', makeTensor('int64', [1], [9223372036854775807]));
  b.init('axes', makeTensor('int64', [1], [1]));
  b.node('Slice', ['x', 'starts', 'ends', 'axes'], ['y']);
  b.output('y');
  const back = loadModel(saveModel(loadModel(saveModel(b.model))));
  const bb = new IrBuilder(13);
  Object.assign(bb.model, back);
  const { ours, ref } = await both(bb, { x: { dims: [2, 6], data: randomInput(12, 1) } });
  assert.equal(ref.y.length, 10, 'ONNX Runtime reads the saved end as INT64_MAX (5 of 6 columns kept)');
  same(ours.y, ref.y, 'slice');

  const d = new IrBuilder(13);
  d.input('x', [2, 3]);
  d.input('training', [], 'bool' as DType);
  d.init('ratio', makeTensor('float32', [], [0.5]));
  d.node('Dropout', ['x', 'ratio', 'training'], ['y']);
  d.output('y');
  const s = await ModelSession.load(saveModel(d.model), { threads: 1 });
  try {
    await assert.rejects(s.run({ x: { dims: [2, 3], data: randomInput(6) }, training: { dims: [], data: Uint8Array.of(1) } }), /random dropout is not supported/);
  } finally {
    s.dispose();
  }
});
