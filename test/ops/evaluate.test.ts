// Constant folding (OpDef.evaluate) on shape arithmetic: exact numpy results, int64 kept integral.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTensor, toNumbers } from '../../engine/ir/tensor';
import { evaluate, I, IS } from '../helpers/op-harness';

const i64 = (values: number[], dims = [values.length]) => makeTensor('int64', dims, values);
const f32 = (values: number[], dims = [values.length]) => makeTensor('float32', dims, values);

test('Shape (with opset 15 start/end), Gather, Concat, Unsqueeze build a Reshape target', () => {
  const x = f32(new Array(24).fill(0), [2, 3, 4]);
  const [shape] = evaluate('Shape', [x]);
  assert.equal(shape.dtype, 'int64');
  assert.deepEqual(toNumbers(shape), [2, 3, 4]);
  assert.deepEqual(toNumbers(evaluate('Shape', [x], { start: I(-2) }, 15)[0]), [3, 4]);
  const [g] = evaluate('Gather', [shape, i64([0], [])]);
  assert.deepEqual(g.dims, []);
  assert.deepEqual(toNumbers(g), [2]);
  const [u] = evaluate('Unsqueeze', [g, i64([0])]);
  assert.deepEqual(u.dims, [1]);
  const [c] = evaluate('Concat', [u, i64([-1])], { axis: I(0) });
  assert.deepEqual(toNumbers(c), [2, -1]);
  const [r] = evaluate('Reshape', [x, c]);
  assert.deepEqual(r.dims, [2, 12]);
});

test('Gather with 2-D indices along axis 1 and negative indices', () => {
  const x = f32([0, 1, 2, 3, 4, 5], [2, 3]);
  const [y] = evaluate('Gather', [x, i64([2, -3, 1, 1], [2, 2])], { axis: I(1) });
  assert.deepEqual(y.dims, [2, 2, 2]);
  assert.deepEqual(toNumbers(y), [2, 0, 1, 1, 5, 3, 4, 4]);
});

test('integer arithmetic: Div truncates, Mod follows the divisor sign, Mul/Add broadcast', () => {
  assert.deepEqual(toNumbers(evaluate('Div', [i64([7, -7, 9]), i64([2])])[0]), [3, -3, 4]);
  assert.deepEqual(toNumbers(evaluate('Mod', [i64([7, -7, 7]), i64([3, 3, -3])])[0]), [1, 2, -2]);
  assert.deepEqual(toNumbers(evaluate('Mul', [i64([1, 2, 3], [3, 1]), i64([10, 100])])[0]), [10, 100, 20, 200, 30, 300]);
  assert.deepEqual(toNumbers(evaluate('Div', [f32([1]), f32([3])])[0]), [Math.fround(1 / 3)]);
});

test('Slice with negative steps, Range, ConstantOfShape, Cast, Expand, Where/Equal', () => {
  const x = i64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(toNumbers(evaluate('Slice', [x, i64([-1]), i64([-9223372036854775807]), i64([0]), i64([-3])])[0]), [9, 6, 3, 0]);
  assert.deepEqual(toNumbers(evaluate('Slice', [x, i64([2]), i64([100])])[0]), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(toNumbers(evaluate('Range', [i64([5], []), i64([0], []), i64([-2], [])])[0]), [5, 3, 1]);
  const [cos] = evaluate('ConstantOfShape', [i64([2, 2])], { value: { type: 'tensor', value: i64([7], [1]) } });
  assert.equal(cos.dtype, 'int64');
  assert.deepEqual(toNumbers(cos), [7, 7, 7, 7]);
  const [cast] = evaluate('Cast', [f32([1.7, -1.7, 2.5])], { to: I(7) });
  assert.equal(cast.dtype, 'int64');
  assert.deepEqual(toNumbers(cast), [1, -1, 2]);
  const [e] = evaluate('Expand', [i64([1, 2], [2, 1]), i64([2, 3])]);
  assert.deepEqual(e.dims, [2, 3]);
  assert.deepEqual(toNumbers(e), [1, 1, 1, 2, 2, 2]);
  const [eq] = evaluate('Equal', [i64([1, -1, 3]), i64([-1])]);
  assert.deepEqual(toNumbers(evaluate('Where', [eq, i64([9]), i64([4, 5, 6])])[0]), [4, 9, 6]);
});

test('Split/Transpose/Squeeze/Flatten fold, float activations use float32 rounding', () => {
  const x = i64([1, 2, 3, 4, 5, 6], [2, 3]);
  const parts = evaluate('Split', [x], { axis: I(1), split: IS([1, 2]) }, 11, 2);
  assert.deepEqual(parts.map(toNumbers), [[1, 4], [2, 3, 5, 6]]);
  assert.deepEqual(toNumbers(evaluate('Transpose', [x])[0]), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(evaluate('Squeeze', [i64([3], [1, 1])])[0].dims, []);
  assert.deepEqual(evaluate('Flatten', [i64([1, 2, 3, 4], [1, 2, 2])], { axis: I(2) })[0].dims, [2, 2]);
  const [s] = evaluate('Sqrt', [f32([2])]);
  assert.equal(s.data[0], Math.fround(Math.SQRT2));
  const [erf] = evaluate('Erf', [f32([0.5, -3])]);
  assert.ok(Math.abs(erf.data[0] - 0.5204998778) < 1e-7);
  assert.ok(Math.abs(erf.data[1] + 0.9999779095) < 1e-7);
  assert.deepEqual(toNumbers(evaluate('Round', [f32([0.5, 1.5, 2.5, -0.5, -1.5])])[0]).map((v) => v + 0), [0, 2, 2, 0, -2]);
});
