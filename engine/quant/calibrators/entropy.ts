// Entropy calibration: the threshold whose clipped-and-quantized distribution is closest (KL
// divergence) to the FP32 one, as in TensorRT's calibrator and MXNet's _get_optimal_threshold.
//
// For each candidate i (keep the first i histogram bins): P = bins [0, i) with all the mass beyond
// folded into bin i-1 (the clipping error), Q = those i bins merged into `levels` groups and spread
// back evenly over each group's non-empty bins (the rounding error). Pick the i minimising KL(P||Q).
//
// Which histogram and how many levels:
//   - s8 symmetric, or u8 on data of both signs: |x| (folded), 128 levels (127 steps per side).
//   - u8 on one-sided data (x >= 0, e.g. after ReLU, or x <= 0): that side only, 255 levels — the
//     whole u8 grid covers one side, so finer steps are available and the search should know it.
//   - all zeros: [0, 0]. Data spanning fewer than `levels` bins cannot be improved by clipping: the
//     observed range is kept.
//
// Exact zeros are left out of the search: every grid we write represents 0 exactly (zero point or
// symmetric), so they carry no error. Left in, a ReLU output's zero spike (often half the values)
// sits in bin 0, and any candidate whose first group merges bin 0 with bin 1 pays ~p0*log 2 for
// "spreading" it: the search then picked the widest candidate with one bin per level, i.e. 2*255
// bins, clipping the demo's ReLU outputs at ~1.0 where they reach 7-11 (top-1 fell by ~21 points).
// Candidates that would clip more than MAX_CLIPPED_FRACTION of the (non-zero) values are not
// considered. KL compares distribution shapes, not values, and on discrete, spiky data it prefers
// clipping a large tail to smearing a spike across a merged group: the demo's input (256 pixel
// levels, half of them background) was clipped at 0.81 where it reaches 2.02, and the stem's ReLU
// (a spike from all-background windows) at 0.96 where percentile 99.99 keeps 3.9: together a
// ~9 point top-1 loss. With the guard the method still clips outliers (the usual case, well under
// 0.1% of the values) but never a real part of the distribution.
// Groups are also split evenly (boundaries floor(j*i/levels)) rather than giving the last group the
// whole remainder, which for i just under 2*levels lumped ~levels bins into one level.

import type { ActivationType } from '../config';
import type { StreamingHistogram } from '../histogram';
import { HistogramSet } from './histogram-set';
import type { ActivationBatch, Calibrator, TensorRange } from './types';

export interface EntropyOptions {
  activations: ActivationType;
  bins?: number;
  histograms?: HistogramSet;
}

/** Smallest value a Q bin may take where P has mass: an empty Q bin under mass is "very bad",
 *  not infinitely bad, so that the search still ranks candidates (MXNet smooths with eps 1e-4). */
const Q_FLOOR = 1e-12;

/** Largest fraction of the values a threshold may clip (see the header). */
export const MAX_CLIPPED_FRACTION = 1e-3;

/**
 * Returns the number of leading bins to keep (the threshold is that many bin widths).
 * `hist` is one-sided: bin k covers [k*w, (k+1)*w).
 */
export function klOptimalBins(hist: Float64Array, levels: number, maxClipped = MAX_CLIPPED_FRACTION): number {
  let last = hist.length - 1;
  while (last >= 0 && hist[last] === 0) last--;
  const used = last + 1;
  if (used <= levels) return used;

  // prefix[k] = sum of hist[0, k)
  const prefix = new Float64Array(used + 1);
  for (let k = 0; k < used; k++) prefix[k + 1] = prefix[k] + hist[k];
  const total = prefix[used];

  const p = new Float64Array(used);
  const q = new Float64Array(used);
  let bestI = used;
  let bestKl = Infinity;
  // From the widest candidate down, keeping strict '<': among exact ties the widest threshold wins,
  // which keeps degenerate inputs (one spike, a few distinct values) from being clipped to nothing.
  let lowest = levels;
  while (lowest < used && total - prefix[lowest] > maxClipped * total) lowest++;
  for (let i = used; i >= lowest; i--) {
    for (let k = 0; k < i; k++) p[k] = hist[k];
    p[i - 1] += total - prefix[i];

    q.fill(0, 0, i);
    for (let j = 0; j < levels; j++) {
      const start = Math.floor((j * i) / levels);
      const stop = Math.floor(((j + 1) * i) / levels);
      // Q's mass comes from the unclipped bins (outliers are not representable in the group).
      const mass = prefix[stop] - prefix[start];
      let nonzero = 0;
      for (let k = start; k < stop; k++) if (p[k] !== 0) nonzero++;
      if (nonzero === 0) continue;
      const v = mass / nonzero;
      for (let k = start; k < stop; k++) if (p[k] !== 0) q[k] = v;
    }

    // Both sums: P sums to `total`; Q to the unclipped mass prefix[i].
    const qSum = prefix[i];
    let kl = 0;
    for (let k = 0; k < i; k++) {
      const pk = p[k] / total;
      if (pk === 0) continue;
      const qk = qSum > 0 ? Math.max(q[k] / qSum, Q_FLOOR) : Q_FLOOR;
      kl += pk * Math.log(pk / qk);
    }
    if (kl < bestKl) {
      bestKl = kl;
      bestI = i;
    }
  }
  return bestI;
}

export function entropyRange(h: StreamingHistogram, opts: { activations: ActivationType }): TensorRange {
  if (h.count === 0) throw new RangeError('entropy of an empty histogram');
  if (h.range === 0) return { min: 0, max: 0 };
  const w = h.binWidth;
  const half = h.bins >> 1;
  const counts = h.signedCounts();
  if (opts.activations === 'u8' && h.min >= 0) {
    // Exact zeros land in bin `half` ([0, w)); see the header for why they are left out.
    const pos = counts.slice(half);
    pos[0] = Math.max(0, pos[0] - h.zeros);
    const t = klOptimalBins(pos, 255) * w;
    return { min: h.min, max: Math.max(h.min, Math.min(h.max, t)) };
  }
  if (opts.activations === 'u8' && h.max <= 0) {
    const neg = new Float64Array(half);
    for (let k = 0; k < half; k++) neg[k] = counts[half - 1 - k];
    const t = klOptimalBins(neg, 255) * w;
    return { min: Math.min(h.max, Math.max(h.min, -t)), max: h.max };
  }
  const folded = h.foldAbs();
  folded[0] = Math.max(0, folded[0] - h.zeros);
  const t = klOptimalBins(folded, 128) * w;
  return { min: Math.min(h.max, Math.max(h.min, -t)), max: Math.max(h.min, Math.min(h.max, t)) };
}

export class EntropyCalibrator implements Calibrator {
  readonly method = 'entropy' as const;
  readonly histograms: HistogramSet;

  constructor(private readonly opts: EntropyOptions) {
    this.histograms = opts.histograms ?? new HistogramSet({ bins: opts.bins });
  }

  collect(batch: ActivationBatch): void {
    this.histograms.collect(batch);
  }

  compute(): Map<string, TensorRange> {
    return this.histograms.mapRanges((h) => entropyRange(h, { activations: this.opts.activations }));
  }
}
