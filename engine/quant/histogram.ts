// One-pass streaming histogram of a tensor's values, shared by the percentile, entropy and MSE
// calibrators.
//
// Choices, and why:
// - It histograms x (signed), not |x|. Asymmetric u8 ranges need both tails separately (percentile
//   clips the low and high tail independently, MSE scores [lo, hi] windows), which |x| loses. The
//   |x| histogram that symmetric entropy needs is recovered exactly by folding (foldAbs), because
//   the range is symmetric about 0 and 0 is a bin edge.
// - The range is [-R, R) with R a power of two strictly greater than max|x| seen so far. When a
//   batch exceeds it, R doubles: with a bin count divisible by 4, every new bin is exactly two old
//   bins, so growing is an exact merge and no second pass over the data is needed. Because R only
//   takes power-of-two values, a stream ends at the same R as one batch holding all the data, and
//   bin widths are powers of two so x / width is exact: streamed and one-shot histograms are
//   bit-identical (tested), whatever the batch order.
// - The price of the power-of-two range is up to 2x coarser resolution than fitting R to max|x|;
//   the default 8192 bins (MXNet uses 8001) leaves >= 2048 bins over the data's |x| span.

export interface HistogramOptions {
  /** Number of bins over [-R, R); a multiple of 4. */
  bins?: number;
}

export const DEFAULT_BINS = 8192;

function powerOfTwoAbove(m: number): number {
  // Smallest 2^k strictly greater than m (m > 0, finite).
  let r = 2 ** Math.floor(Math.log2(m));
  while (r <= m) r *= 2;
  while (r / 2 > m) r /= 2;
  return r;
}

export class StreamingHistogram {
  readonly bins: number;
  /** counts[i] counts x in [-R + i*w, -R + (i+1)*w), w = 2R / bins. */
  readonly counts: Float64Array;
  private r = 0; // 0 until a non-zero value arrives; zeros always land in bin bins/2
  private zerosPending = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private n = 0;
  private z = 0;

  constructor(opts: HistogramOptions = {}) {
    const bins = opts.bins ?? DEFAULT_BINS;
    if (!Number.isInteger(bins) || bins < 8 || bins % 4 !== 0) {
      throw new RangeError(`histogram bin count must be a multiple of 4 (>= 8), got ${bins}`);
    }
    this.bins = bins;
    this.counts = new Float64Array(bins);
  }

  /** Observed minimum (Infinity when empty). */
  get min(): number {
    return this.lo;
  }
  /** Observed maximum (-Infinity when empty). */
  get max(): number {
    return this.hi;
  }
  get count(): number {
    return this.n;
  }
  /** How many values were exactly 0 (ReLU outputs, padding): they quantize without error. */
  get zeros(): number {
    return this.z;
  }
  /** Half-width R of the binned range [-R, R); 0 while every value seen is 0. */
  get range(): number {
    return this.r;
  }
  get binWidth(): number {
    return (2 * this.r) / this.bins;
  }
  /** Left edge of bin i. */
  edge(i: number): number {
    return -this.r + i * this.binWidth;
  }

  /** Adds a batch. Throws on NaN/Infinity: such an activation makes every range meaningless. */
  add(values: ArrayLike<number>): void {
    const len = values.length;
    if (len === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    let zeros = 0;
    for (let i = 0; i < len; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v === 0) zeros++;
      else if (v !== v) throw new RangeError(`non-finite value NaN at index ${i}`);
    }
    if (lo === -Infinity || hi === Infinity) {
      throw new RangeError(`non-finite value ${lo === -Infinity ? -Infinity : Infinity} in batch`);
    }
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
    this.n += len;
    this.z += zeros;

    const amax = Math.max(-lo, hi);
    if (amax === 0) {
      if (this.r === 0) this.zerosPending += len;
      else this.counts[this.bins >> 1] += len;
      return;
    }
    this.growTo(amax);
    const half = this.bins >> 1;
    const w = this.binWidth;
    const c = this.counts;
    for (let i = 0; i < len; i++) c[Math.floor(values[i] / w) + half]++;
  }

  /** Adds another histogram's data (e.g. collected on another worker). Exact, like add(). */
  merge(other: StreamingHistogram): void {
    if (other.bins !== this.bins) throw new RangeError(`cannot merge histograms of ${other.bins} and ${this.bins} bins`);
    if (other.n === 0) return;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    this.n += other.n;
    this.z += other.z;
    if (other.r === 0) {
      if (this.r === 0) this.zerosPending += other.zerosPending;
      else this.counts[this.bins >> 1] += other.zerosPending;
      return;
    }
    this.growTo(other.r / 2); // R is then >= other.r
    const src = other.counts;
    const ratio = this.r / other.r; // a power of two: other's bins per bin of this histogram
    const half = this.bins >> 1;
    for (let i = 0; i < this.bins; i++) {
      if (src[i] === 0) continue;
      // other's bin i starts at (i - half) * w_o, and w = ratio * w_o.
      this.counts[Math.floor((i - half) / ratio) + half] += src[i];
    }
  }

  /** Ensures R > amax, doubling R and merging bin pairs as needed. */
  private growTo(amax: number): void {
    if (this.r === 0) {
      this.r = powerOfTwoAbove(amax);
      this.counts[this.bins >> 1] += this.zerosPending;
      this.zerosPending = 0;
      return;
    }
    const c = this.counts;
    const n = this.bins;
    while (this.r <= amax) {
      // New bin j covers old bins 2j - n/2 and 2j - n/2 + 1 (the old range is the middle half).
      const merged = new Float64Array(n);
      for (let i = 0; i < n; i++) merged[(i + n / 2) >> 1] += c[i];
      c.set(merged);
      this.r *= 2;
    }
  }

  /**
   * The |x| histogram over [0, R) with bins/2 bins: bin k counts |x| in [k*w, (k+1)*w).
   * Exact because 0 is a bin edge: bin half+k is [k*w, (k+1)*w) and half-1-k is [-(k+1)*w, -k*w).
   * (Only a negative value exactly on an edge, -k*w, shifts by one abs bin; 0 is always abs bin 0.)
   */
  foldAbs(): Float64Array {
    const half = this.bins >> 1;
    const out = new Float64Array(half);
    for (let k = 0; k < half; k++) out[k] = this.counts[half + k] + this.counts[half - 1 - k];
    if (this.r === 0) out[0] += this.zerosPending;
    return out;
  }

  /** Signed counts including zeros seen before the first non-zero value. */
  signedCounts(): Float64Array {
    const out = Float64Array.from(this.counts);
    if (this.r === 0) out[this.bins >> 1] += this.zerosPending;
    return out;
  }
}
