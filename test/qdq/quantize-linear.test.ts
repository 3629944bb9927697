// QuantizeLinear / DequantizeLinear evaluation (constant folding and the fake-quant reference rely
// on it): round half to even, saturation, per-axis scales, u8/s8/s32 inputs; and the int8 mode
// keeps DequantizeLinear of an int8 weight unfolded while the FP32 reference folds it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Node } from '../../engine/ir/graph';
import { makeTensor } from '../../engine/ir/tensor';
import { DequantizeLinear, QuantizeLinear } from '../../engine/ops/quantize-linear';
import { loadModel } from '../../engine/onnx/load';
import { prepareModel } from '../../engine/passes/optimize';
import { QdqBuilder } from './qdq-builder';

const node = (opType: string, axis?: number): Node => ({
  name: 'n', opType, domain: '', inputs: ['x', 's', 'z'], outputs: ['y'],
  attrs: axis === undefined ? {} : { axis: { type: 'int', value: axis } },
});

test('QuantizeLinear rounds half to even and saturates (u8 and s8)', () => {
  const x = makeTensor('float32', [8], [0.5, 1.5, 2.5, -0.5, -1.5, 1000, -1000, 0.74]);
  const s = makeTensor('float32', [], [1]);
  const [u] = QuantizeLinear.evaluate!(node('QuantizeLinear'), [x, s, makeTensor('uint8', [], [10])], 13);
  assert.deepEqual(Array.from(u.data), [10, 12, 12, 10, 8, 255, 0, 11]);
  assert.equal(u.dtype, 'uint8');
  const [i] = QuantizeLinear.evaluate!(node('QuantizeLinear'), [x, s, makeTensor('int8', [], [-3])], 13);
  assert.deepEqual(Array.from(i.data), [-3, -1, -1, -3, -5, 127, -128, -2]);
  assert.equal(i.dtype, 'int8');
  // No zero point: u8 with zero point 0.
  const [d] = QuantizeLinear.evaluate!({ ...node('QuantizeLinear'), inputs: ['x', 's'] }, [x, s, undefined], 13);
  assert.deepEqual(Array.from(d.data), [0, 2, 2, 0, 0, 255, 0, 1]);
});

test('QuantizeLinear / DequantizeLinear per-axis scales (axis 0 and 1)', () => {
  const x = makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const [q0] = QuantizeLinear.evaluate!(node('QuantizeLinear', 0), [x, makeTensor('float32', [2], [1, 2]), makeTensor('int8', [2], [0, 0])], 13);
  assert.deepEqual(Array.from(q0.data), [1, 2, 3, 2, 2, 3]); // 2.5 -> 2 (half to even)
  const [d1] = DequantizeLinear.evaluate!(node('DequantizeLinear', 1), [makeTensor('int8', [2, 3], [1, 2, 3, -1, -2, -3]), makeTensor('float32', [3], [0.5, 1, 2]), makeTensor('int8', [3], [0, 1, 0])], 13);
  assert.deepEqual(Array.from(d1.data), [0.5, 1, 6, -0.5, -3, -6]);
  const [b] = DequantizeLinear.evaluate!({ ...node('DequantizeLinear'), inputs: ['x', 's'] }, [makeTensor('int32', [2], [100000, -7]), makeTensor('float32', [], [0.25]), undefined], 13);
  assert.deepEqual(Array.from(b.data), [25000, -1.75]);
  assert.throws(() => DequantizeLinear.evaluate!(node('DequantizeLinear', 1), [makeTensor('int8', [2, 3]), makeTensor('float32', [2], [1, 1]), undefined], 13), /2 scales do not match dim 3/);
});

test('int8 mode keeps DequantizeLinear of int8 weights for the int8 conv; the reference folds it', () => {
  const q = new QdqBuilder();
  q.b.input('x', [1, 2, 4, 4]).output('y');
  q.outputY(q.conv(q.qdq('x', { scale: 0.01, zp: 128 }), 2, 3, 1), { scale: 0.05, zp: 128 });
  const model = loadModel(q.b.toBytes());
  const int8 = prepareModel(model, { x: [1, 2, 4, 4] }).model.graph;
  const conv = int8.nodes.find((n) => n.opType === 'Conv')!;
  assert.equal(int8.initializers.get(conv.inputs[1])?.dtype, 'int8');
  assert.equal(int8.initializers.get(conv.inputs[2])?.dtype, 'int32');
  assert.deepEqual(int8.nodes.map((n) => n.opType), ['QuantizeLinear', 'Conv', 'DequantizeLinear']);
  const ref = prepareModel(model, { x: [1, 2, 4, 4] }, { int8: false }).model.graph;
  assert.deepEqual(ref.nodes.map((n) => n.opType), ['QuantizeLinear', 'DequantizeLinear', 'Conv', 'QuantizeLinear', 'DequantizeLinear']);
  const rconv = ref.nodes.find((n) => n.opType === 'Conv')!;
  assert.equal(ref.initializers.get(rconv.inputs[1])?.dtype, 'float32');
});
