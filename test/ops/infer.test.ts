// Shape rules of the ops (OpDef.infer), checked against values worked out from the ONNX spec.
// Needs neither the engine nor the native addon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTensor } from '../../engine/ir/tensor';
import { I, IS, S, F, infer } from '../helpers/op-harness';

const f32 = (...dims: number[]) => ({ dtype: 'float32' as const, dims });
const i64 = (values: number[], dims = [values.length]) => makeTensor('int64', dims, values);
const dimsOf = (r: { dims: number[] }[]) => r.map((t) => t.dims);

test('Conv: pads, strides, dilations, groups and every auto_pad kind', () => {
  const w = f32(8, 3, 3, 3);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 10), w])), [[1, 8, 8, 8]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 10), w], { pads: IS([1, 1, 1, 1]), strides: IS([2, 2]) })), [[1, 8, 5, 5]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 10), w], { dilations: IS([2, 2]) })), [[1, 8, 6, 6]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 11), w], { auto_pad: S('SAME_UPPER'), strides: IS([2, 2]) })), [[1, 8, 5, 6]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 11), w], { auto_pad: S('SAME_LOWER') })), [[1, 8, 10, 11]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 3, 10, 11), w], { auto_pad: S('VALID'), strides: IS([3, 3]) })), [[1, 8, 3, 3]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(2, 6, 7), f32(4, 3, 2)], { group: I(2) })), [[2, 4, 6]]);
  assert.deepEqual(dimsOf(infer('Conv', [f32(1, 2, 4, 5, 6), f32(3, 2, 1, 2, 3)])), [[1, 3, 4, 4, 4]]);
  assert.throws(() => infer('Conv', [f32(1, 4, 8, 8), w]), /node 'conv_node' \(Conv\): input has 4 channels/);
});

test('ConvTranspose: output_padding, output_shape and SAME padding', () => {
  const w = f32(4, 2, 3, 3);
  assert.deepEqual(dimsOf(infer('ConvTranspose', [f32(1, 4, 5, 5), w], { strides: IS([2, 2]) })), [[1, 2, 11, 11]]);
  assert.deepEqual(dimsOf(infer('ConvTranspose', [f32(1, 4, 5, 5), w], { strides: IS([2, 2]), pads: IS([1, 1, 1, 1]), output_padding: IS([1, 0]) })), [[1, 2, 10, 9]]);
  assert.deepEqual(dimsOf(infer('ConvTranspose', [f32(1, 4, 5, 5), w], { strides: IS([2, 2]), output_shape: IS([10, 10]) })), [[1, 2, 10, 10]]);
  assert.deepEqual(dimsOf(infer('ConvTranspose', [f32(1, 4, 5, 5), w], { strides: IS([2, 2]), auto_pad: S('SAME_UPPER') })), [[1, 2, 10, 10]]);
  assert.deepEqual(dimsOf(infer('ConvTranspose', [f32(1, 4, 5, 5), f32(4, 1, 3, 3)], { group: I(4) })), [[1, 4, 7, 7]]);
});

test('pools: ceil_mode with the last-window rule, global pools', () => {
  assert.deepEqual(dimsOf(infer('MaxPool', [f32(1, 1, 5, 5)], { kernel_shape: IS([2, 2]), strides: IS([2, 2]) })), [[1, 1, 2, 2]]);
  assert.deepEqual(dimsOf(infer('MaxPool', [f32(1, 1, 5, 5)], { kernel_shape: IS([2, 2]), strides: IS([2, 2]), ceil_mode: I(1) })), [[1, 1, 3, 3]]);
  // ceil((4 + 1 - 2) / 2) + 1 = 3, but window 3 would start at 4 >= 4 + pad_begin 0... starts at 4 = input + begin pad: dropped.
  assert.deepEqual(dimsOf(infer('AveragePool', [f32(1, 1, 4)], { kernel_shape: IS([2]), strides: IS([2]), pads: IS([0, 1]), ceil_mode: I(1) })), [[1, 1, 2]]);
  assert.deepEqual(dimsOf(infer('MaxPool', [f32(1, 1, 9, 9)], { kernel_shape: IS([3, 3]), dilations: IS([2, 2]) })), [[1, 1, 5, 5]]);
  assert.deepEqual(dimsOf(infer('GlobalAveragePool', [f32(2, 3, 4, 5)])), [[2, 3, 1, 1]]);
});

test('Gemm and MatMul shapes with transposes, rank 1 and broadcasting', () => {
  assert.deepEqual(dimsOf(infer('Gemm', [f32(4, 3), f32(5, 3)], { transB: I(1) })), [[4, 5]]);
  assert.deepEqual(dimsOf(infer('Gemm', [f32(3, 4), f32(3, 5), f32(5)], { transA: I(1) })), [[4, 5]]);
  assert.throws(() => infer('Gemm', [f32(4, 3), f32(4, 5)]), /inner dims differ/);
  assert.deepEqual(dimsOf(infer('MatMul', [f32(3), f32(3)])), [[]]);
  assert.deepEqual(dimsOf(infer('MatMul', [f32(3), f32(2, 3, 4)])), [[2, 4]]);
  assert.deepEqual(dimsOf(infer('MatMul', [f32(2, 1, 5, 3), f32(4, 3, 6)])), [[2, 4, 5, 6]]);
  assert.deepEqual(dimsOf(infer('MatMul', [f32(5, 3), f32(3)])), [[5]]);
});

test('broadcasting binary ops both ways, and mismatches', () => {
  assert.deepEqual(dimsOf(infer('Add', [f32(2, 1, 4), f32(3, 1)])), [[2, 3, 4]]);
  assert.deepEqual(dimsOf(infer('Mul', [f32(1), f32(2, 3)])), [[2, 3]]);
  assert.deepEqual(dimsOf(infer('Sum', [f32(3, 1), f32(1, 4), f32(4)])), [[3, 4]]);
  assert.equal(infer('Equal', [f32(2), f32(2)])[0].dtype, 'bool');
  assert.throws(() => infer('Sub', [f32(2, 3), f32(4)]), /do not broadcast/);
});

test('Reshape 0 / -1 / allowzero, Flatten, Squeeze and Unsqueeze by opset', () => {
  assert.deepEqual(dimsOf(infer('Reshape', [f32(2, 3, 4), i64([0, -1])])), [[2, 12]]);
  assert.deepEqual(dimsOf(infer('Reshape', [f32(2, 3, 4), i64([-1, 0, 2])])), [[4, 3, 2]]);
  assert.deepEqual(dimsOf(infer('Reshape', [f32(0, 3), i64([3, 0])], { allowzero: I(1) }, 14)), [[3, 0]]);
  assert.throws(() => infer('Reshape', [f32(2, 3), i64([4, -1])]), /cannot reshape/);
  assert.deepEqual(dimsOf(infer('Flatten', [f32(2, 3, 4, 5)], { axis: I(-2) })), [[6, 20]]);
  assert.deepEqual(dimsOf(infer('Flatten', [f32(2, 3)], { axis: I(0) })), [[1, 6]]);
  assert.deepEqual(dimsOf(infer('Squeeze', [f32(1, 3, 1, 2)], { axes: IS([-2]) }, 11)), [[1, 3, 2]]);
  assert.deepEqual(dimsOf(infer('Squeeze', [f32(1, 3, 1, 2), i64([0])], {}, 13)), [[3, 1, 2]]);
  assert.deepEqual(dimsOf(infer('Squeeze', [f32(1, 3, 1, 2)], {}, 13)), [[3, 2]]);
  assert.deepEqual(dimsOf(infer('Unsqueeze', [f32(3, 4)], { axes: IS([0, -1]) }, 11)), [[1, 3, 4, 1]]);
  assert.deepEqual(dimsOf(infer('Unsqueeze', [f32(3, 4), i64([1])], {}, 13)), [[3, 1, 4]]);
});

test('Slice: negative, clamped, INT64_MAX ends and negative steps', () => {
  const x = f32(10, 6);
  const big = 9223372036854775807;
  assert.deepEqual(dimsOf(infer('Slice', [x, i64([1]), i64([big]), i64([0])], {}, 13)), [[9, 6]]);
  assert.deepEqual(dimsOf(infer('Slice', [x, i64([-3, 0]), i64([-1, 100])], {}, 13)), [[2, 6]]);
  assert.deepEqual(dimsOf(infer('Slice', [x, i64([-1]), i64([-big]), i64([1]), i64([-2])], {}, 13)), [[10, 3]]);
  assert.deepEqual(dimsOf(infer('Slice', [x, i64([8]), i64([2]), i64([0]), i64([-3])], {}, 13)), [[2, 6]]);
  assert.deepEqual(dimsOf(infer('Slice', [x], { starts: IS([2]), ends: IS([5]), axes: IS([1]) }, 9)), [[10, 3]]);
  assert.deepEqual(dimsOf(infer('Slice', [x, i64([5]), i64([2])], {}, 13)), [[0, 6]]);
});

test('Split, Concat, Transpose, Pad, Reduce, Softmax, Resize', () => {
  assert.deepEqual(dimsOf(infer('Split', [f32(6, 4)], { axis: I(0), split: IS([1, 5]) }, 11, 2)), [[1, 4], [5, 4]]);
  assert.deepEqual(dimsOf(infer('Split', [f32(6, 4), i64([3, 1])], { axis: I(-1) }, 13, 2)), [[6, 3], [6, 1]]);
  assert.deepEqual(dimsOf(infer('Split', [f32(7)], { num_outputs: I(3) }, 18, 3)), [[3], [3], [1]]);
  assert.deepEqual(dimsOf(infer('Concat', [f32(2, 3), f32(2, 5)], { axis: I(-1) })), [[2, 8]]);
  assert.deepEqual(dimsOf(infer('Transpose', [f32(2, 3, 4)])), [[4, 3, 2]]);
  assert.deepEqual(dimsOf(infer('Transpose', [f32(2, 3, 4)], { perm: IS([1, 0, 2]) })), [[3, 2, 4]]);
  assert.deepEqual(dimsOf(infer('Pad', [f32(1, 3, 4), i64([0, 1, 2, 0, -1, 1])], {}, 13)), [[1, 3, 7]]);
  assert.deepEqual(dimsOf(infer('Pad', [f32(2, 3)], { pads: IS([1, 1, 1, 1]) }, 2)), [[4, 5]]);
  assert.deepEqual(dimsOf(infer('ReduceMean', [f32(2, 3, 4)], { axes: IS([-1, 1]) })), [[2, 1, 1]]);
  assert.deepEqual(dimsOf(infer('ReduceMean', [f32(2, 3, 4)], { axes: IS([1]), keepdims: I(0) })), [[2, 4]]);
  assert.deepEqual(dimsOf(infer('ReduceSum', [f32(2, 3, 4), i64([0])], { keepdims: I(0) }, 13)), [[3, 4]]);
  assert.deepEqual(dimsOf(infer('ReduceMax', [f32(2, 3, 4)], {}, 18)), [[1, 1, 1]]);
  assert.deepEqual(dimsOf(infer('Softmax', [f32(2, 3)], { axis: I(-1) })), [[2, 3]]);
  assert.deepEqual(dimsOf(infer('Resize', [f32(1, 2, 3, 4), undefined, makeTensor('float32', [4], [1, 1, 2, 1.5])], {}, 13)), [[1, 2, 6, 6]]);
  assert.deepEqual(dimsOf(infer('Resize', [f32(1, 2, 3, 4), undefined, undefined, i64([1, 2, 5, 7])], {}, 13)), [[1, 2, 5, 7]]);
  assert.deepEqual(dimsOf(infer('Upsample', [f32(1, 1, 2, 2)], { scales: { type: 'floats', value: [1, 1, 2, 3] } }, 7)), [[1, 1, 4, 6]]);
  assert.deepEqual(dimsOf(infer('LeakyRelu', [f32(3)], { alpha: F(0.2) })), [[3]]);
});
