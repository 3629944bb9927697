// Percentile calibration: drop the rarest (100 - p)% of values. Symmetric s8 clips |x| at its
// p-th percentile; asymmetric u8 clips each tail on its own (x at the (100 - p)-th and p-th
// percentiles), so a ReLU-ish tensor with a long positive tail keeps its exact 0 lower bound.

import type { ActivationType } from '../config';
import type { StreamingHistogram } from '../histogram';
import { HistogramSet } from './histogram-set';
import type { ActivationBatch, Calibrator, TensorRange } from './types';

export interface PercentileOptions {
  /** In (50, 100]; default 99.99. */
  percentile?: number;
  activations: ActivationType;
  /** Histogram bins when this calibrator owns its histograms. */
  bins?: number;
  /** Share histograms with other calibrators (collect once). */
  histograms?: HistogramSet;
}

/**
 * Value at which the cumulative count reaches `target`, interpolating linearly inside a bin —
 * except for the exact zeros, a point mass at the left edge of bin `zeroBin` (ReLU outputs are
 * often half zeros; spreading them over the bin would move a 0 lower bound off 0).
 */
function quantileOf(counts: Float64Array, edge0: number, width: number, target: number, zeroBin: number, zeros: number): number {
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && cum + c >= target) {
      if (i !== zeroBin || zeros === 0) return edge0 + (i + (target - cum) / c) * width;
      if (target - cum <= zeros) return 0;
      const rest = c - zeros;
      return edge0 + (i + (target - cum - zeros) / rest) * width;
    }
    cum += c;
  }
  return edge0 + counts.length * width;
}

export function percentileRange(h: StreamingHistogram, opts: { percentile: number; activations: ActivationType }): TensorRange {
  const p = opts.percentile;
  if (!(p > 50 && p <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${p}`);
  if (h.count === 0) throw new RangeError('percentile of an empty histogram');
  if (h.range === 0) return { min: 0, max: 0 };
  const frac = p / 100;
  if (opts.activations === 's8') {
    const t = Math.min(quantileOf(h.foldAbs(), 0, h.binWidth, frac * h.count, 0, h.zeros), Math.max(-h.min, h.max));
    return { min: Math.max(h.min, -t), max: Math.min(h.max, t) };
  }
  const counts = h.signedCounts();
  const zeroBin = h.bins >> 1;
  const hi = quantileOf(counts, -h.range, h.binWidth, frac * h.count, zeroBin, h.zeros);
  const lo = quantileOf(counts, -h.range, h.binWidth, (1 - frac) * h.count, zeroBin, h.zeros);
  return { min: Math.min(Math.max(lo, h.min), h.max), max: Math.max(Math.min(hi, h.max), h.min) };
}

export class PercentileCalibrator implements Calibrator {
  readonly method = 'percentile' as const;
  readonly histograms: HistogramSet;
  private readonly percentile: number;

  constructor(private readonly opts: PercentileOptions) {
    this.percentile = opts.percentile ?? 99.99;
    if (!(this.percentile > 50 && this.percentile <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${this.percentile}`);
    this.histograms = opts.histograms ?? new HistogramSet({ bins: opts.bins });
  }

  collect(batch: ActivationBatch): void {
    this.histograms.collect(batch);
  }

  compute(): Map<string, TensorRange> {
    return this.histograms.mapRanges((h) => percentileRange(h, { percentile: this.percentile, activations: this.opts.activations }));
  }
}
