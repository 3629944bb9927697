import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TopKAccumulator } from '../../engine/eval/metrics';
import { LayerErrorAccumulator } from '../../engine/quant/analysis';
import { argmaxAgreement, cosineSimilarity, ErrorSums, sqnrDb } from '../../engine/quant/metrics';

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

test('running sums over chunks give the whole-tensor SQNR and cosine (per-layer analysis in constant memory)', () => {
  const n = 10_000;
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.1) * 3);
  const y = x.map((v, i) => v + 0.01 * Math.cos(i * 0.7));
  const sums = new ErrorSums();
  for (let i = 0; i < n; i += 1234) sums.add(x.subarray(i, i + 1234), y.subarray(i, i + 1234));
  assert.equal(sums.count, n);
  // Independent reference: the definitions written out over the whole arrays at once.
  let xx = 0, yy = 0, xy = 0, dd = 0;
  for (let i = 0; i < n; i++) {
    xx += x[i] * x[i];
    yy += y[i] * y[i];
    xy += x[i] * y[i];
    dd += (x[i] - y[i]) ** 2;
  }
  assert.ok(Math.abs(sums.sqnrDb() - 10 * Math.log10(xx / dd)) < 1e-9);
  assert.ok(Math.abs(sums.cosine() - xy / Math.sqrt(xx * yy)) < 1e-12);
  // The accumulator keeps four numbers per layer, whatever the number of batches.
  const acc = new LayerErrorAccumulator([{ name: 'conv', op: 'Conv', fp32: 'a', int8: 'a_dq' }]);
  for (let i = 0; i < n; i += 1000) acc.add({ a: { data: x.subarray(i, i + 1000) } }, { a_dq: { data: y.subarray(i, i + 1000) } });
  const [row] = acc.ranked();
  assert.ok(Math.abs(row.sqnr_db - sums.sqnrDb()) < 1e-9 && Math.abs(row.cosine - sums.cosine()) < 1e-12);
  assert.throws(() => acc.add({ a: { data: x.subarray(0, 3) } }, { a_dq: { data: y.subarray(0, 4) } }), /has 3 values but INT8 'a_dq' has 4/);
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

test('an unlabelled batch counts for agreement, never as a hit; labels outside the classes throw', () => {
  const acc = new TopKAccumulator();
  acc.add(Float32Array.from([0, 1, 2]), 3);
  acc.add(Float32Array.from([2, 1, 0]), 3, [0]);
  assert.deepEqual(acc.predictions, [2, 0]);
  assert.equal(acc.count, 2);
  assert.equal(acc.top1Hits, 1);
  assert.throws(() => acc.add(Float32Array.from([0, 1, 2]), 3, [-1]), /label -1 of sample 2 is outside \[0, 3\)/);
  assert.throws(() => acc.add(Float32Array.from([0, 1, 2]), 3, [3]), /label 3 of sample 2/);
});
