import { test } from 'node:test';
import assert from 'node:assert/strict';

import { prepareModel } from '../../engine/passes/optimize';
import { inferShapes } from '../../engine/passes/infer';
import { cloneModel } from '../../engine/ir/graph-utils';
import { graphMacs, parameterCount } from '../../engine/ir/macs';
import { makeTensor } from '../../engine/ir/tensor';
import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { ModelSession } from '../../engine/runtime/session';
import { IrBuilder, float, int, ints, randomInput, relError } from './ir-builder';
import { floatData } from '../../engine/runtime/session-types';

/** Conv(+BN)(+Relu) on 1x4x6x6. */
function convBnRelu(): IrBuilder {
  const b = new IrBuilder();
  b.input('x', ['N', 4, 6, 6]);
  b.rand('w', [8, 4, 3, 3]);
  b.rand('bias', [8]);
  b.rand('scale', [8], 0.5, 1.5);
  b.rand('beta', [8]);
  b.rand('mean', [8]);
  b.rand('var', [8], 0.5, 2);
  b.node('Conv', ['x', 'w', 'bias'], ['c'], { pads: ints([1, 1, 1, 1]) }, 'conv');
  b.node('BatchNormalization', ['c', 'scale', 'beta', 'mean', 'var'], ['bn'], { epsilon: float(1e-3) }, 'bn');
  b.node('Relu', ['bn'], ['y'], {}, 'relu');
  b.output('y');
  return b;
}

const dims = { x: [1, 4, 6, 6] };

test('folds BN into Conv and fuses ReLU; unfused mode keeps all nodes', () => {
  const m = convBnRelu().model;
  const fused = prepareModel(m, dims).model.graph;
  assert.equal(fused.nodes.length, 1);
  assert.deepEqual(fused.nodes[0].sources, ['conv', 'bn', 'relu']);
  assert.deepEqual(fused.nodes[0].postOps, [{ kind: 'eltwise', alg: 'relu', alpha: 0, beta: 0 }]);
  assert.equal(fused.nodes[0].outputs[0], 'y');
  const unfused = prepareModel(m, dims, { fused: false }).model.graph;
  assert.deepEqual(unfused.nodes.map((n) => n.opType), ['Conv', 'BatchNormalization', 'Relu']);
  // The source model is untouched.
  assert.equal(m.graph.nodes.length, 3);
});

test('BN-folded plan matches the unfused plan numerically', async () => {
  const m = convBnRelu().model;
  const x = randomInput(4 * 36);
  const a = await ModelSession.load(m, { threads: 1 });
  const b = await ModelSession.load(m, { threads: 1, fused: false });
  try {
    const ya = (await a.run({ x: { dims: dims.x, data: x } })).outputs.y;
    const yb = (await b.run({ x: { dims: dims.x, data: x } })).outputs.y;
    assert.deepEqual(ya.dims, [1, 8, 6, 6]);
    const e = relError(floatData(ya, 'fused y'), floatData(yb, 'unfused y'));
    assert.ok(e < 1e-5, `rel error ${e}`);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('never fuses through a value that is a graph output or has two readers', () => {
  const b = convBnRelu();
  b.output('bn');
  const g = prepareModel(b.model, dims).model.graph;
  // BN folds into the conv (its output 'c' is private) but ReLU stays: 'bn' is an output.
  assert.deepEqual(g.nodes.map((n) => n.opType), ['Conv', 'Relu']);
  const c = convBnRelu();
  c.node('Sigmoid', ['c'], ['s'], {}, 'sig');
  c.output('s');
  const g2 = prepareModel(c.model, dims).model.graph;
  assert.deepEqual(g2.nodes.map((n) => n.opType), ['Conv', 'BatchNormalization', 'Relu', 'Sigmoid']);
});

test('Conv + Add(other) + Relu becomes one node with a sum post-op at the Add position', async () => {
  const b = new IrBuilder();
  b.input('x', [1, 4, 5, 5]);
  b.rand('w1', [4, 4, 1, 1]);
  b.rand('w2', [4, 4, 3, 3]);
  b.node('Conv', ['x', 'w1'], ['a'], {}, 'conv_a');
  b.node('Conv', ['x', 'w2'], ['c'], { pads: ints([1, 1, 1, 1]) }, 'conv_c');
  b.node('Relu', ['a'], ['r'], {}, 'relu_a');
  b.node('Add', ['c', 'r'], ['s'], {}, 'add');
  b.node('Relu', ['s'], ['y'], {}, 'relu');
  b.output('y');
  const g = prepareModel(b.model, { x: [1, 4, 5, 5] }).model.graph;
  assert.equal(g.nodes.length, 2);
  const last = g.nodes[1];
  assert.deepEqual(last.sources, ['conv_c', 'add', 'relu']);
  assert.deepEqual(last.inputs, ['x', 'w2', 'r']);
  assert.deepEqual(last.postOps?.map((p) => (p.kind === 'sum' ? `sum:${p.input}` : p.alg)), ['sum:r', 'relu']);
  const fused = await ModelSession.load(b.model, { threads: 1 });
  const plain = await ModelSession.load(b.model, { threads: 1, fused: false });
  try {
    const x = { x: { dims: [1, 4, 5, 5], data: randomInput(100) } };
    const e = relError(floatData((await fused.run(x)).outputs.y, 'fused y'), floatData((await plain.run(x)).outputs.y, 'plain y'));
    assert.ok(e < 1e-5, `rel error ${e}`);
  } finally {
    fused.dispose();
    plain.dispose();
  }
});

test('recognises the erf GELU pattern and fuses it into MatMul; Clip becomes a clip post-op', () => {
  const b = new IrBuilder();
  b.input('x', [2, 8]);
  b.rand('w', [8, 8]);
  b.init('sqrt2', makeTensor('float32', [], [Math.SQRT2]));
  b.init('one', makeTensor('float32', [], [1]));
  b.init('half', makeTensor('float32', [], [0.5]));
  b.init('lo', makeTensor('float32', [], [0]));
  b.init('hi', makeTensor('float32', [], [6]));
  b.node('MatMul', ['x', 'w'], ['m'], {}, 'mm');
  b.node('Div', ['m', 'sqrt2'], ['d']);
  b.node('Erf', ['d'], ['e']);
  b.node('Add', ['e', 'one'], ['a']);
  b.node('Mul', ['m', 'a'], ['p']);
  b.node('Mul', ['p', 'half'], ['g'], {}, 'gelu_out');
  b.node('MatMul', ['g', 'w'], ['m2'], {}, 'mm2');
  b.node('Clip', ['m2', 'lo', 'hi'], ['y'], {}, 'clip');
  b.output('y');
  const g = prepareModel(b.model, { x: [2, 8] }).model.graph;
  assert.equal(g.nodes.length, 2);
  assert.deepEqual(g.nodes[0].postOps, [{ kind: 'eltwise', alg: 'gelu_erf', alpha: 0, beta: 0 }]);
  assert.deepEqual(g.nodes[1].postOps, [{ kind: 'eltwise', alg: 'clip', alpha: 0, beta: 6 }]);
  assert.equal(g.nodes[0].sources?.length, 6);
});

test('removes Identity/Dropout and keeps a graph output name produced by Identity', () => {
  const b = new IrBuilder();
  b.input('x', [1, 4]);
  b.node('Relu', ['x'], ['r']);
  b.node('Dropout', ['r'], ['d']);
  b.node('Sigmoid', ['d'], ['s']);
  b.node('Identity', ['s'], ['out']);
  b.output('out');
  const g = prepareModel(b.model, { x: [1, 4] }, { fused: false }).model.graph;
  assert.deepEqual(g.nodes.map((n) => n.opType), ['Relu', 'Sigmoid']);
  assert.deepEqual(g.nodes[1].inputs, ['r']);
  assert.deepEqual(g.nodes[1].outputs, ['out']);
});

test('folds constant shape arithmetic (Shape -> Gather -> Concat -> Reshape)', () => {
  const b = new IrBuilder();
  b.input('x', ['N', 3, 4]);
  b.init('i0', makeTensor('int64', [1], [0]));
  b.init('m1', makeTensor('int64', [1], [-1]));
  b.node('Shape', ['x'], ['sh']);
  b.node('Gather', ['sh', 'i0'], ['n'], { axis: int(0) });
  b.node('Concat', ['n', 'm1'], ['shape'], { axis: int(0) });
  b.node('Reshape', ['x', 'shape'], ['y']);
  b.output('y');
  const m = prepareModel(b.model, { x: [5, 3, 4] }).model;
  assert.deepEqual(m.graph.nodes.map((n) => n.opType), ['Reshape']);
  assert.deepEqual(Array.from(m.graph.initializers.get('shape')!.data), [5, -1]);
  assert.deepEqual(m.graph.values.get('y')!.shape, [5, 12]);
});

test('shape inference errors name the input or the unsupported op', () => {
  const m = convBnRelu().model;
  assert.throws(() => inferShapes(cloneModel(m), { x: [1, 3, 6, 6] }), /input 'x' has dims \[N,4,6,6\]; given dims \[1,3,6,6\] differ at axis 1/);
  assert.throws(() => inferShapes(cloneModel(m), { x: [1, 4, 6] }), /input 'x' has rank 4/);
  assert.throws(() => inferShapes(cloneModel(m), {}), /input 'x' has dims \[N,4,6,6\]: give its dims/);
  const b = new IrBuilder();
  b.input('x', [1, 4]);
  b.node('NonMaxSuppression', ['x'], ['y'], {}, 'nms');
  b.output('y');
  assert.throws(() => inferShapes(b.model, {}), /node 'nms' \(NonMaxSuppression\): unsupported op; supported: .*Conv/);
  const young = new IrBuilder(21);
  young.input('x', [1]);
  assert.throws(() => inferShapes(young.model, {}), /opset 21 is not supported \(supported: 7\.\.20\)/);
});

test('counts MACs and parameters', () => {
  const m = cloneModel(convBnRelu().model);
  inferShapes(m, dims);
  // 8 out channels * 36 positions * 4 * 3 * 3
  assert.equal(graphMacs(m.graph), 8 * 36 * 36);
  assert.equal(parameterCount(m.graph), 8 * 4 * 9 + 8 * 5);
});

test('a saved and reloaded fused-capable model gives the same plan node count', () => {
  const reloaded = loadModel(saveModel(convBnRelu().model));
  assert.equal(prepareModel(reloaded, dims).model.graph.nodes.length, 1);
});

test('recognises x * HardSigmoid(x, 1/6, 0.5) as HardSwish and fuses it into the Conv', () => {
  const b = new IrBuilder();
  b.input('x', [1, 2, 3, 3]);
  b.rand('w', [2, 2, 1, 1]);
  b.node('Conv', ['x', 'w'], ['c'], {}, 'conv');
  b.node('HardSigmoid', ['c'], ['h'], { alpha: float(1 / 6), beta: float(0.5) }, 'hsig');
  b.node('Mul', ['c', 'h'], ['y'], {}, 'mul');
  b.output('y');
  const g = prepareModel(b.model, { x: [1, 2, 3, 3] }).model.graph;
  assert.equal(g.nodes.length, 1);
  assert.deepEqual(g.nodes[0].postOps, [{ kind: 'eltwise', alg: 'hardswish', alpha: 0, beta: 0 }]);
  assert.deepEqual(g.nodes[0].sources, ['conv', 'hsig', 'mul']);
});
