// Accuracy and error metrics comparing FP32 with INT8: per-layer SQNR and cosine similarity (what
// ONNX Runtime's qdq_loss_debug reports) and classification top-k / argmax agreement.

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/** Running sums of a reference x against a test y, enough for SQNR and cosine over any number of
 *  chunks in constant memory: sum x^2, sum y^2, sum x*y and sum (x - y)^2 (kept directly rather
 *  than as x^2 + y^2 - 2xy, which cancels catastrophically when y is close to x). */
export class ErrorSums {
  xx = 0;
  yy = 0;
  xy = 0;
  dd = 0;
  count = 0;

  add(reference: ArrayLike<number>, test: ArrayLike<number>): this {
    sameLength(reference, test, 'error sums');
    let xx = 0;
    let yy = 0;
    let xy = 0;
    let dd = 0;
    for (let i = 0; i < reference.length; i++) {
      const x = reference[i];
      const y = test[i];
      const d = x - y;
      xx += x * x;
      yy += y * y;
      xy += x * y;
      dd += d * d;
    }
    this.xx += xx;
    this.yy += yy;
    this.xy += xy;
    this.dd += dd;
    this.count += reference.length;
    return this;
  }

  /** 10 log10(sum x^2 / sum (x - y)^2): identical gives +Infinity, a zero reference with noise -Infinity. */
  sqnrDb(): number {
    if (this.dd === 0) return Infinity;
    if (this.xx === 0) return -Infinity;
    return 10 * Math.log10(this.xx / this.dd);
  }

  /** Two all-zero tensors count as identical (1), one all-zero as unrelated (0). */
  cosine(): number {
    if (this.xx === 0 && this.yy === 0) return 1;
    if (this.xx === 0 || this.yy === 0) return 0;
    return this.xy / Math.sqrt(this.xx * this.yy);
  }
}

/**
 * Signal-to-quantization-noise ratio in dB: 10 log10(sum x^2 / sum (x - y)^2), x the FP32
 * reference. Identical tensors give +Infinity; a zero reference with any noise gives -Infinity.
 */
export function sqnrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  sameLength(reference, test, 'sqnr');
  return new ErrorSums().add(reference, test).sqnrDb();
}

/** Cosine similarity; two all-zero tensors count as identical (1), one all-zero as unrelated (0). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'cosine');
  return new ErrorSums().add(a, b).cosine();
}

function checkLogits(logits: ArrayLike<number>, classes: number): number {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`class count must be a positive integer, got ${classes}`);
  if (logits.length % classes !== 0) throw new RangeError(`${logits.length} logits are not a multiple of ${classes} classes`);
  return logits.length / classes;
}

/** Index of the largest logit of sample `s` (first index on ties, like numpy.argmax). */
export function argmaxRow(logits: ArrayLike<number>, classes: number, s: number): number {
  let best = 0;
  let bv = logits[s * classes];
  for (let c = 1; c < classes; c++) {
    const v = logits[s * classes + c];
    if (v > bv) {
      bv = v;
      best = c;
    }
  }
  return best;
}

/** Fraction of samples whose argmax is the same in both logit sets (INT8 vs FP32 agreement). */
export function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>, classes: number): number {
  sameLength(a, b, 'agreement');
  const n = checkLogits(a, classes);
  if (n === 0) return 1;
  let same = 0;
  for (let s = 0; s < n; s++) if (argmaxRow(a, classes, s) === argmaxRow(b, classes, s)) same++;
  return same / n;
}
