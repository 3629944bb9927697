// MSE calibration: the range minimising the expected squared error of quantize-dequantize,
// estimated from the histogram — rounding error inside the range plus clipping error outside it.
//
// Model, per candidate window [lo, hi] with step s (s8: hi/127 on [-hi, hi]; u8: (hi - lo)/255):
//   inside:  each value costs s^2/12 (uniform rounding error), except exact zeros, which every
//            candidate represents exactly (without that, ReLU's spike at 0 would bias toward clipping);
//   outside: a value x costs (x - edge)^2, integrated exactly assuming values uniform within a bin.
// With prefix sums of the bin moments each candidate costs O(1), so every bin edge is tried.
//
// Candidates: s8 and one-sided u8 search a single threshold. u8 on data of both signs scales both
// observed tails by the same factor (a 1-D search instead of an O(bins^2) one over [lo, hi] pairs).

import type { ActivationType } from '../config';
import type { StreamingHistogram } from '../histogram';
import { HistogramSet } from './histogram-set';
import type { ActivationBatch, Calibrator, TensorRange } from './types';

export interface MseOptions {
  activations: ActivationType;
  bins?: number;
  histograms?: HistogramSet;
}

/** Expected squared error of quantizing the histogrammed data to a window given by bin edges. */
export class HistogramErrorModel {
  private readonly n: Float64Array; // prefix sums over signed bins: counts,
  private readonly m1: Float64Array; // sum of x,
  private readonly m2: Float64Array; // sum of x^2 (uniform within a bin)
  readonly half: number;
  readonly width: number;

  constructor(private readonly h: StreamingHistogram) {
    const c = h.signedCounts();
    const bins = c.length;
    const w = h.binWidth;
    this.width = w;
    this.half = bins >> 1;
    this.n = new Float64Array(bins + 1);
    this.m1 = new Float64Array(bins + 1);
    this.m2 = new Float64Array(bins + 1);
    for (let b = 0; b < bins; b++) {
      const center = h.edge(b) + w / 2;
      this.n[b + 1] = this.n[b] + c[b];
      this.m1[b + 1] = this.m1[b] + c[b] * center;
      this.m2[b + 1] = this.m2[b] + c[b] * (center * center + (w * w) / 12);
    }
  }

  /** Total squared error for the window [edge(a), edge(b)] quantized with `steps` steps. */
  error(a: number, b: number, steps: number): number {
    const lo = this.h.edge(a);
    const hi = this.h.edge(b);
    const s = (hi - lo) / steps;
    const last = this.n.length - 1;
    const inside = Math.max(0, this.n[b] - this.n[a] - this.h.zeros);
    // sum over values above hi of (x - hi)^2 = S2 - 2 hi S1 + hi^2 N, likewise below lo.
    const nAbove = this.n[last] - this.n[b];
    const above = this.m2[last] - this.m2[b] - 2 * hi * (this.m1[last] - this.m1[b]) + hi * hi * nAbove;
    const below = this.m2[a] - 2 * lo * this.m1[a] + lo * lo * this.n[a];
    return (inside * s * s) / 12 + Math.max(0, above) + Math.max(0, below);
  }
}

export function mseRange(h: StreamingHistogram, opts: { activations: ActivationType }): TensorRange {
  if (h.count === 0) throw new RangeError('mse of an empty histogram');
  if (h.range === 0) return { min: 0, max: 0 };
  const model = new HistogramErrorModel(h);
  const { half, width: w } = model;
  const kPos = Math.ceil(h.max / w); // bins needed above 0 to hold the max
  const kNeg = Math.ceil(-h.min / w);
  const clip = (lo: number, hi: number): TensorRange => ({
    min: Math.min(h.max, Math.max(h.min, lo)),
    max: Math.max(h.min, Math.min(h.max, hi)),
  });

  let best = Infinity;
  let bestA = 0;
  let bestB = 0;
  const consider = (a: number, b: number, steps: number): void => {
    const e = model.error(a, b, steps);
    // '<=' scanning upward: among ties the widest window wins (no clipping without a gain).
    if (e <= best) {
      best = e;
      bestA = a;
      bestB = b;
    }
  };

  if (opts.activations === 's8') {
    const kMax = Math.max(kPos, kNeg);
    for (let k = 1; k <= kMax; k++) consider(half - k, half + k, 254); // [-t, t] in 254 steps of t/127
  } else if (kNeg <= 0) {
    for (let k = 1; k <= kPos; k++) consider(half, half + k, 255);
  } else if (kPos <= 0) {
    for (let k = 1; k <= kNeg; k++) consider(half - k, half, 255);
  } else {
    const kMax = Math.max(kPos, kNeg);
    for (let k = 1; k <= kMax; k++) {
      const f = k / kMax;
      consider(half - Math.ceil(f * kNeg), half + Math.ceil(f * kPos), 255);
    }
  }
  return clip(h.edge(bestA), h.edge(bestB));
}

export class MseCalibrator implements Calibrator {
  readonly method = 'mse' as const;
  readonly histograms: HistogramSet;

  constructor(private readonly opts: MseOptions) {
    this.histograms = opts.histograms ?? new HistogramSet({ bins: opts.bins });
  }

  collect(batch: ActivationBatch): void {
    this.histograms.collect(batch);
  }

  compute(): Map<string, TensorRange> {
    return this.histograms.mapRanges((h) => mseRange(h, { activations: this.opts.activations }));
  }
}
