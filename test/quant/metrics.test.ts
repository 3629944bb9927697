import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TopKAccumulator } from '../../engine/eval/metrics';
import { argmaxAgreement, cosineSimilarity, sqnrDb } from '../../engine/quant/metrics';

test('SQNR in dB on hand-computed values', () => {
  // signal 3^2 + 4^2 = 25, noise 0.5^2 = 0.25: 10 log10(100) = 20 dB
  assert.ok(Math.abs(sqnrDb([3, 4], [3, 4.5]) - 20) < 1e-12);
  assert.equal(sqnrDb([1, 2], [1, 2]), Infinity);
  assert.equal(sqnrDb([0, 0], [0, 1]), -Infinity);
  assert.throws(() => sqnrDb([1], [1, 2]), /lengths differ/);
});

test('cosine similarity', () => {
  assert.ok(Math.abs(cosineSimilarity([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
  assert.equal(cosineSimilarity([1, 2, 3], [-1, -2, -3]), -1);
  assert.equal(cosineSimilarity([0, 0], [0, 0]), 1);
  assert.equal(cosineSimilarity([0, 0], [1, 0]), 0);
});

test('top-1 / top-5 from logits and labels', () => {
  const classes = 6;
  // sample 0: label 2 is the max; sample 1: label 0 is ranked 5th of 6 (4 higher) -> top-5 hit;
  // sample 2: label 5 is the lowest -> miss; sample 3: tie with a lower index -> not top-1.
  const logits = [
    0, 1, 9, 2, 3, 4,
    1, 5, 4, 3, 2, 0,
    6, 5, 4, 3, 2, 1,
    7, 7, 0, 0, 0, 0,
  ];
  const topK = (labels: number[]) => {
    const acc = new TopKAccumulator();
    acc.add(Float32Array.from(logits), classes, labels);
    return { top1: acc.top1, top5: acc.top5, count: acc.count, predictions: acc.predictions };
  };
  assert.deepEqual(topK([2, 0, 5, 1]), { top1: 0.25, top5: 0.75, count: 4, predictions: [2, 1, 0, 0] });
  assert.throws(() => topK([2, 0, 5]), /4 logit rows but 3 labels/);
  assert.throws(() => topK([2, 0, 5, 6]), /label 6 of sample 3/);
});

test('argmax agreement between two logit sets', () => {
  const a = [1, 2, 3, /**/ 3, 2, 1, /**/ 0, 5, 0, /**/ 1, 1, 0];
  const b = [0, 0, 9, /**/ 0, 2, 1, /**/ 0, 9, 1, /**/ 1, 1, 1];
  // argmax a: 2, 0, 1, 0 (first index on ties); b: 2, 1, 1, 0 -> 3 of 4 agree
  assert.equal(argmaxAgreement(a, b, 3), 0.75);
  assert.equal(argmaxAgreement(a, a, 3), 1);
  assert.throws(() => argmaxAgreement(a, b, 5), /not a multiple of 5/);
});
