// Entropy calibration on the shapes that broke it on the demo (top-1 fell ~21 points): a ReLU
// output with half its values exactly 0 and a spike at one non-zero value (windows over constant
// background), and an image-like input of a few discrete levels dominated by one. The threshold
// must keep all but a sliver (MAX_CLIPPED_FRACTION) of the values, not stop at the spike.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { entropyRange, MAX_CLIPPED_FRACTION } from '../../engine/quant/calibrators/entropy';
import { StreamingHistogram } from '../../engine/quant/histogram';

function clippedFraction(x: Float32Array, min: number, max: number): number {
  let n = 0;
  for (const v of x) if (v > max || v < min) n++;
  return n / x.length;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('entropy keeps a ReLU output with a zero spike and a background spike', () => {
  const r = rng(7);
  const x = new Float32Array(200_000);
  for (let i = 0; i < x.length; i++) {
    const u = r();
    x[i] = u < 0.5 ? 0 : u < 0.8 ? 0.37 : -Math.log(1 - r()) * 1.5; // zeros, spike, exponential tail
  }
  const h = new StreamingHistogram();
  h.add(x);
  const t = entropyRange(h, { activations: 'u8' });
  assert.equal(t.min, 0);
  assert.ok(clippedFraction(x, t.min, t.max) <= MAX_CLIPPED_FRACTION + 1e-9, `clips ${clippedFraction(x, t.min, t.max)} at ${t.max}`);
  assert.ok(t.max < h.max, 'the far tail should still be clipped');
});

test('entropy keeps an image-like input of 256 levels dominated by the background', () => {
  const r = rng(11);
  const x = new Float32Array(100_000);
  for (let i = 0; i < x.length; i++) {
    const pixel = r() < 0.5 ? 0 : Math.floor(r() * 256);
    x[i] = (pixel / 255 - 0.286) / 0.353;
  }
  const h = new StreamingHistogram();
  h.add(x);
  for (const activations of ['u8', 's8'] as const) {
    const t = entropyRange(h, { activations });
    assert.ok(clippedFraction(x, t.min, t.max) <= MAX_CLIPPED_FRACTION + 1e-9, `${activations}: clips ${clippedFraction(x, t.min, t.max)} with [${t.min}, ${t.max}]`);
  }
});
