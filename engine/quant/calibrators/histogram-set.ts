// One streaming histogram per tensor. Percentile, entropy and MSE all compute from the same set,
// so a single pass over the calibration data can serve every histogram method (the demo compares
// them all).

import { StreamingHistogram, type HistogramOptions } from '../histogram';
import { CalibrationError, type ActivationBatch } from './types';

export class HistogramSet {
  private readonly hists = new Map<string, StreamingHistogram>();

  constructor(private readonly opts: HistogramOptions = {}) {}

  collect(batch: ActivationBatch): void {
    for (const [name, values] of batch) this.observe(name, values);
  }

  observe(name: string, values: ArrayLike<number>): void {
    let h = this.hists.get(name);
    if (!h) {
      h = new StreamingHistogram(this.opts);
      this.hists.set(name, h);
    }
    try {
      h.add(values);
    } catch (e) {
      throw new CalibrationError(`tensor "${name}": ${(e as Error).message}`);
    }
  }

  get(name: string): StreamingHistogram | undefined {
    return this.hists.get(name);
  }

  names(): string[] {
    return [...this.hists.keys()];
  }

  /** Applies `rangeOf` to every tensor with data; a tensor that only saw empty batches is an error. */
  mapRanges<T>(rangeOf: (h: StreamingHistogram, name: string) => T): Map<string, T> {
    const out = new Map<string, T>();
    for (const [name, h] of this.hists) {
      if (h.count === 0) throw new CalibrationError(`tensor "${name}": no calibration values were collected`);
      out.set(name, rangeOf(h, name));
    }
    return out;
  }
}
