// Accuracy and error metrics comparing FP32 with INT8: per-layer SQNR and cosine similarity (what
// ONNX Runtime's qdq_loss_debug reports) and classification top-k / argmax agreement.

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/**
 * Signal-to-quantization-noise ratio in dB: 10 log10(sum x^2 / sum (x - y)^2), x the FP32
 * reference. Identical tensors give +Infinity; a zero reference with any noise gives -Infinity.
 */
export function sqnrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  sameLength(reference, test, 'sqnr');
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const x = reference[i];
    const d = x - test[i];
    signal += x * x;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  if (signal === 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}

/** Cosine similarity; two all-zero tensors count as identical (1), one all-zero as unrelated (0). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'cosine');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
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
