// The steps each op emits (OpDef.lower), checked without the native addon: explicit pads from
// auto_pad, ceil_mode folding, deconv output_padding, Gemm pre-transposition and bias, post-ops.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTensor } from '../../engine/ir/tensor';
import { I, IS, S, F, lower } from '../helpers/op-harness';

const f32 = (...dims: number[]) => ({ dtype: 'float32' as const, dims });
const cf32 = (dims: number[], values: number[]) => makeTensor('float32', dims, values);
const zeros = (dims: number[]) => makeTensor('float32', dims, new Array(dims.reduce((a, b) => a * b, 1)).fill(0));

test('Conv SAME_LOWER puts the odd pad at the beginning; post-ops and sum inputs follow', () => {
  const l = lower('Conv', [f32(1, 2, 6, 6), zeros([4, 2, 2, 2])], { auto_pad: S('SAME_LOWER') }, 13, (node, types) => {
    node.postOps = [
      { kind: 'sum', input: 'res', scale: 1 },
      { kind: 'eltwise', alg: 'relu', alpha: 0, beta: 0 },
    ];
    node.inputs.push('res');
    types.set('res', { dtype: 'float32', dims: [1, 4, 6, 6] });
  });
  assert.equal(l.steps.length, 1);
  const s = l.steps[0];
  assert.equal(s.kind, 'conv');
  assert.deepEqual(s.attrs.pads, [1, 1, 0, 0]);
  assert.deepEqual(s.attrs.post_ops, ['sum', 'relu']);
  assert.deepEqual(s.attrs.post_alpha, [1, 0]);
  assert.equal(s.inputs.length, 4);
  assert.equal(s.inputs[2], -1, 'absent bias is -1');
});

test('ConvTranspose subtracts output_padding from the pad ends', () => {
  const l = lower('ConvTranspose', [f32(1, 2, 4, 4), zeros([2, 3, 3, 3])], { strides: IS([2, 2]), pads: IS([1, 1, 1, 1]), output_padding: IS([1, 1]) });
  assert.deepEqual(l.steps[0].attrs.pads, [1, 1, 0, 0]);
});

test('MaxPool ceil_mode grows the pad ends until the last window fits', () => {
  const l = lower('MaxPool', [f32(1, 1, 5, 5)], { kernel_shape: IS([2, 2]), strides: IS([2, 2]), ceil_mode: I(1) });
  assert.deepEqual(l.steps[0].attrs.pads, [0, 0, 1, 1]);
  assert.equal(l.steps[0].attrs.alg, 'max');
});

test('Gemm: constant B pre-transposed and scaled by alpha, beta*C folded into a bias of (N)', () => {
  const b = cf32([3, 2], [1, 2, 3, 4, 5, 6]); // transB: (N=3, K=2)
  const c = cf32([1, 3], [1, 2, 3]);
  const l = lower('Gemm', [f32(4, 2), b, c], { transB: I(1), alpha: F(2), beta: F(0.5) });
  assert.deepEqual(l.steps.map((s) => s.kind), ['matmul']);
  const bT = l.tensors[l.steps[0].inputs[1]];
  assert.deepEqual(bT.dims, [2, 3]);
  assert.deepEqual(Array.from(bT.data!), [2, 6, 10, 4, 8, 12]);
  const bias = l.tensors[l.steps[0].inputs[2]];
  assert.deepEqual(Array.from(bias.data!), [0.5, 1, 1.5]);
});

test('Gemm: transA becomes a transpose step; a full-size computed C becomes a sum post-op', () => {
  const l = lower('Gemm', [f32(2, 4), f32(2, 3), f32(4, 3)], { transA: I(1), beta: F(3) });
  assert.deepEqual(l.steps.map((s) => s.kind), ['transpose', 'matmul']);
  assert.deepEqual(l.steps[1].attrs.post_ops, ['sum']);
  assert.deepEqual(l.steps[1].attrs.post_alpha, [3]);
});

test('MatMul with a rank-1 operand reshapes around the product', () => {
  const l = lower('MatMul', [f32(3), f32(2, 3, 4)]);
  assert.deepEqual(l.steps.map((s) => s.kind), ['reshape', 'matmul', 'reshape']);
  assert.deepEqual(l.tensors[l.steps[1].outputs[0]].dims, [2, 1, 4]);
});

test('old-opset Softmax coerces to 2-D; opset 13 is one step', () => {
  assert.deepEqual(lower('Softmax', [f32(2, 3, 4)], {}, 11).steps.map((s) => s.kind), ['reshape', 'softmax', 'reshape']);
  const l = lower('LogSoftmax', [f32(2, 3, 4)], { axis: I(1) }, 13);
  assert.deepEqual(l.steps[0].attrs, { axis: 1, log: 1 });
});

test('Split lowers to slices; Slice resolves starts and steps per axis', () => {
  const sp = lower('Split', [f32(2, 6)], { axis: I(1), split: IS([2, 4]) }, 11, undefined, 2);
  assert.deepEqual(sp.steps.map((s) => s.attrs.starts), [[0, 0], [0, 2]]);
  const sl = lower('Slice', [f32(4, 10), makeTensor('int64', [1], [-1]), makeTensor('int64', [1], [-100]), makeTensor('int64', [1], [1]), makeTensor('int64', [1], [-4])]);
  assert.deepEqual(sl.steps[0].attrs, { starts: [0, 9], steps: [1, -4] });
});

test('lowering rejects non-float32 activations, naming the node and dtype', () => {
  assert.throws(() => lower('Relu', [{ dtype: 'int64', dims: [3] }]), /node 'relu_node' \(Relu\): .*int64/);
});
