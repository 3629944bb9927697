// The op table: lookups by domain and the sorted list used in "unsupported op" errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getOp, supportedOps } from '../../engine/ops/registry';

test('getOp treats "" and "ai.onnx" as the default domain and rejects others', () => {
  assert.equal(getOp('Conv', '')?.opType, 'Conv');
  assert.equal(getOp('Conv', 'ai.onnx'), getOp('Conv', ''));
  assert.equal(getOp('Conv', 'com.microsoft'), undefined);
  assert.equal(getOp('NoSuchOp', ''), undefined);
});

test('supportedOps is sorted, unique and covers the milestone ops', () => {
  const ops = supportedOps();
  assert.deepEqual(ops, [...ops].sort());
  assert.equal(new Set(ops).size, ops.length);
  for (const op of ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'BatchNormalization', 'Resize', 'Slice', 'Shape', 'ReduceMean', 'Gelu']) {
    assert.ok(ops.includes(op), op);
  }
  // Every lowered op and every folded op has what its role needs.
  for (const name of ops) {
    const op = getOp(name)!;
    assert.ok(op.lower || op.evaluate, `${name} can neither lower nor fold`);
  }
});
