// Naive calibration (MXNet "naive"): the observed min and max, outliers included. No histogram,
// so it is the cheapest collector.

import { CalibrationError, type ActivationBatch, type Calibrator, type TensorRange } from './types';

export class MinMaxCalibrator implements Calibrator {
  readonly method = 'minmax' as const;
  private readonly ranges = new Map<string, TensorRange>();

  collect(batch: ActivationBatch): void {
    for (const [name, values] of batch) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v !== v) throw new CalibrationError(`tensor "${name}": NaN at index ${i}`);
      }
      if (values.length === 0) continue;
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new CalibrationError(`tensor "${name}": non-finite value`);
      const r = this.ranges.get(name);
      if (r) {
        r.min = Math.min(r.min, lo);
        r.max = Math.max(r.max, hi);
      } else {
        this.ranges.set(name, { min: lo, max: hi });
      }
    }
  }

  compute(): Map<string, TensorRange> {
    const out = new Map<string, TensorRange>();
    for (const [name, r] of this.ranges) out.set(name, { ...r });
    return out;
  }
}
