import { test } from 'node:test';
import assert from 'node:assert/strict';

import { buildBatchablePlan, compilePlan } from '../../engine/runtime/lower';
import { ModelSession } from '../../engine/runtime/session';
import { makeTensor } from '../../engine/ir/tensor';
import { IrBuilder, ints, randomInput } from './ir-builder';
import { floatData } from '../../engine/runtime/session-types';

function smallNet(): IrBuilder {
  const b = new IrBuilder();
  b.input('x', ['N', 2, 4, 4]);
  b.rand('w', [3, 2, 3, 3]);
  b.rand('fc', [48, 5]);
  b.init('shape', makeTensor('int64', [2], [0, -1]));
  b.node('Conv', ['x', 'w'], ['c'], { pads: ints([1, 1, 1, 1]) }, 'conv');
  b.node('Relu', ['c'], ['r'], {}, 'relu');
  b.node('Reshape', ['r', 'shape'], ['f'], {}, 'flatten');
  b.node('MatMul', ['f', 'fc'], ['y'], {}, 'fc');
  b.output('y');
  return b;
}

test('lowers to a plan with constants, inputs and outputs', () => {
  const { plan } = compilePlan(smallNet().model, { x: [1, 2, 4, 4] });
  assert.equal(plan.inputs.length, 1);
  assert.equal(plan.tensors[plan.inputs[0]].name, 'x');
  assert.deepEqual(plan.tensors[plan.outputs[0]].dims, [1, 5]);
  assert.equal(plan.steps[0].kind, 'conv');
  assert.deepEqual(plan.steps[0].nodes, ['conv', 'relu']);
  const w = plan.tensors.find((t) => t.name === 'w')!;
  assert.equal(w.data?.byteLength, 3 * 2 * 9 * 4);
});

test('buildBatchablePlan marks the batch-scaled tensors', () => {
  const plan = buildBatchablePlan(smallNet().model, { x: [1, 2, 4, 4] });
  const byName = new Map(plan.tensors.map((t) => [t.name, t]));
  assert.equal(byName.get('x')!.batched, true);
  assert.equal(byName.get('y')!.batched, true);
  assert.deepEqual(byName.get('y')!.dims, [1, 5]);
  assert.equal(byName.get('w')!.batched, false);
});

test('buildBatchablePlan refuses a plan whose constants depend on the batch', () => {
  const b = new IrBuilder();
  b.input('x', ['N', 3]);
  b.node('Shape', ['x'], ['s']);
  b.node('Cast', ['s'], ['sf'], { to: { type: 'int', value: 1 } });
  b.node('Add', ['x', 'sf'], ['y']);
  b.output('y');
  // [N,3] + float([N,3]) broadcasts only at N = 1... use a [1,2]-shaped input instead.
  const c = new IrBuilder();
  c.input('x', ['N', 2]);
  c.node('Shape', ['x'], ['s']);
  c.node('Cast', ['s'], ['sf'], { to: { type: 'int', value: 1 } });
  c.node('Add', ['x', 'sf'], ['y']);
  c.output('y');
  assert.throws(() => buildBatchablePlan(c.model, { x: [1, 2] }), /plan depends on the batch size/);
});

test('a graph output that is a graph input or a constant gets a copy step', async () => {
  const b = new IrBuilder();
  b.input('x', [1, 3]);
  b.init('k', makeTensor('float32', [2], [4, 5]));
  b.node('Relu', ['x'], ['r']);
  b.output('r');
  b.output('x');
  b.output('k');
  const { plan } = compilePlan(b.model, {});
  assert.deepEqual(plan.steps.map((s) => s.kind), ['eltwise', 'copy', 'copy']);
  const s = await ModelSession.load(b.model, { threads: 1 });
  try {
    const x = new Float32Array([-1, 2, -3]);
    const r = await s.run({ x: { dims: [1, 3], data: x } }, { profile: true });
    assert.deepEqual(Array.from(floatData(r.outputs.r, 'r')), [0, 2, 0]);
    assert.deepEqual(Array.from(floatData(r.outputs.x, 'x')), [-1, 2, -3]);
    assert.deepEqual(Array.from(floatData(r.outputs.k, 'k')), [4, 5]);
    assert.equal(r.profile?.length, 3);
    assert.ok(r.profile!.every((p) => p.ms >= 0));
  } finally {
    s.dispose();
  }
});

test('a session caches plans per input dims and runs a symbolic batch', async () => {
  const s = await ModelSession.load(smallNet().model, { threads: 1 });
  try {
    const one = await s.run({ x: { dims: [1, 2, 4, 4], data: randomInput(32) } });
    const three = await s.run({ x: { dims: [3, 2, 4, 4], data: randomInput(96) } });
    assert.deepEqual(one.outputs.y.dims, [1, 5]);
    assert.deepEqual(three.outputs.y.dims, [3, 5]);
    // Row 0 of the batch-3 run saw the same input as the batch-1 run.
    const y1 = floatData(one.outputs.y, 'y at batch 1');
    const y3 = floatData(three.outputs.y, 'y at batch 3');
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(y1[i] - y3[i]) < 1e-5);
    await assert.rejects(s.run({ x: { dims: [1, 3, 4, 4], data: randomInput(48) } }), /input 'x' has dims \[N,2,4,4\]/);
    await assert.rejects(s.run({}), /missing input 'x'/);
  } finally {
    s.dispose();
  }
});
