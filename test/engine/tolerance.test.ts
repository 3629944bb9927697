// The FP32 oracle's tolerance can fail: NaN or infinity in the reference no longer turns the
// tolerance into NaN (which let every comparison pass), and they must sit at the same places.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { closeness } from '../helpers/tolerance';

test('a NaN in the reference keeps the tolerance finite and still catches a wrong value elsewhere', () => {
  const ref = [1, NaN, 2, -4];
  assert.equal(closeness([1, NaN, 2, -4], ref, 1e-4).failure, undefined);
  const c = closeness([1, NaN, 2.5, -4], ref, 1e-4);
  assert.match(c.failure ?? '', /index 2 \(got 2\.5, expected 2\)/);
  assert.equal(c.maxRef, 4);
});

test('NaN, +Inf and -Inf must match position for position', () => {
  assert.match(closeness([1, 0], [1, NaN], 1e-4).failure ?? '', /element 1 is 0, expected NaN/);
  assert.match(closeness([1, NaN], [1, 0], 1e-4).failure ?? '', /element 1 is NaN, expected 0/);
  assert.match(closeness([Infinity], [-Infinity], 1e-4).failure ?? '', /expected -Infinity/);
  assert.equal(closeness([Infinity, -Infinity], [Infinity, -Infinity], 1e-4).failure, undefined);
});

test('the tolerance is relative to the largest finite reference magnitude', () => {
  assert.equal(closeness([100.009, 0.009], [100, 0], 1e-4).failure, undefined);
  assert.match(closeness([100.02, 0], [100, 0], 1e-4).failure ?? '', /worst error 2\.0\d*e-2/);
  assert.match(closeness([1, 2], [1], 1e-4).failure ?? '', /length 2 vs 1/);
});
