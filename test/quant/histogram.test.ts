import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { StreamingHistogram } from '../../engine/quant/histogram';
import { gaussian } from './synthetic';

const BINS = 1024;

test('streamed batches with a growing range equal one batch, bit for bit', () => {
  const x = gaussian(30000, 1);
  // Growing magnitudes so the range doubles several times mid-stream.
  for (let i = 0; i < x.length; i++) x[i] *= 1 + Math.floor(i / 5000) * 3;
  const one = new StreamingHistogram({ bins: BINS });
  one.add(x);
  const streamed = new StreamingHistogram({ bins: BINS });
  for (let i = 0; i < x.length; i += 5000) streamed.add(x.subarray(i, i + 5000));
  assert.ok(streamed.range > 4, `range grew (${streamed.range})`);
  assert.equal(streamed.range, one.range);
  assert.equal(streamed.count, one.count);
  assert.equal(streamed.min, one.min);
  assert.equal(streamed.max, one.max);
  assert.deepEqual([...streamed.counts], [...one.counts]);

  // Merging two independently collected halves gives the same too.
  const a = new StreamingHistogram({ bins: BINS });
  const b = new StreamingHistogram({ bins: BINS });
  a.add(x.subarray(20000));
  b.add(x.subarray(0, 20000));
  const small = new StreamingHistogram({ bins: BINS });
  small.add(x.subarray(0, 20000));
  small.merge(a); // the other direction: the receiver must grow first
  a.merge(b);
  assert.deepEqual([...a.counts], [...one.counts]);
  assert.deepEqual([...small.counts], [...one.counts]);
});

test('range is the smallest power of two above max |x|; counts and zeros are kept', () => {
  const h = new StreamingHistogram({ bins: 8 });
  h.add([0, 0, 0]); // zeros before any scale is known
  assert.equal(h.range, 0);
  h.add([0.75, -0.25, 1]);
  assert.equal(h.range, 2); // 1 is not < 1, so R = 2
  assert.equal(h.binWidth, 0.5);
  // bins over [-2, 2): [-2,-1.5) ... [-0.5,0) [0,0.5) [0.5,1) [1,1.5) [1.5,2)
  assert.deepEqual([...h.counts], [0, 0, 0, 1, 3, 1, 1, 0]);
  assert.equal(h.zeros, 3);
  assert.equal(h.count, 6);
  assert.deepEqual([...h.foldAbs()], [4, 1, 1, 0]);
  h.add([-3]); // doubles: pairs merge
  assert.equal(h.range, 4);
  assert.deepEqual([...h.counts], [0, 1, 0, 1, 4, 1, 0, 0]);
});

test('all-zero input keeps a zero range; non-finite values are rejected', () => {
  const h = new StreamingHistogram({ bins: 8 });
  h.add(new Float32Array(10));
  assert.equal(h.range, 0);
  assert.equal(h.signedCounts()[4], 10);
  assert.throws(() => h.add([1, NaN]), /NaN at index 1/);
  assert.throws(() => h.add([Infinity]), /non-finite/);
  assert.throws(() => new StreamingHistogram({ bins: 10 }), /multiple of 4/);
});
