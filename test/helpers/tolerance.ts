// The project's FP32 criterion in one place: |actual - expected| <= relTol * max|expected| over the
// finite reference values, with NaN and +-Infinity required at exactly the same places. (A plain
// max over the reference turns the tolerance into NaN as soon as the reference holds a NaN, and
// every comparison against NaN then passes or fails by accident.)

export interface Closeness {
  /** Largest |actual - expected| over positions where both are finite. */
  maxErr: number;
  /** Largest finite |expected|. */
  maxRef: number;
  /** maxErr / maxRef (0 when both are 0). */
  relErr: number;
  /** The first position where NaN or an infinity is not matched, or -1. */
  mismatch: number;
  /** Why the two disagree beyond the tolerance, or undefined. */
  failure?: string;
}

export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number, floor = 1e-30): Closeness {
  if (actual.length !== expected.length) {
    return { maxErr: Infinity, maxRef: 0, relErr: Infinity, mismatch: -1, failure: `length ${actual.length} vs ${expected.length}` };
  }
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) maxRef = Math.max(maxRef, Math.abs(expected[i]));
  const tol = relTol * Math.max(maxRef, floor);
  let maxErr = 0;
  let worst = -1;
  let mismatch = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      // NaN matches NaN, an infinity the same infinity; nothing else is close to either.
      if (!((Number.isNaN(a) && Number.isNaN(e)) || a === e) && mismatch < 0) mismatch = i;
      continue;
    }
    const err = Math.abs(a - e);
    if (err > maxErr) {
      maxErr = err;
      worst = i;
    }
  }
  let failure: string | undefined;
  if (mismatch >= 0) failure = `element ${mismatch} is ${actual[mismatch]}, expected ${expected[mismatch]}`;
  else if (maxErr > tol) {
    failure = `worst error ${maxErr.toExponential(3)} at index ${worst} (got ${actual[worst]}, expected ${expected[worst]}); tolerance ${tol.toExponential(3)} = ${relTol} x max|ref| ${maxRef.toExponential(3)}`;
  }
  return { maxErr, maxRef, relErr: maxRef > 0 ? maxErr / maxRef : maxErr > 0 ? Infinity : 0, mismatch, failure };
}

export interface StepStats {
  /** Fraction of elements within half a step (the same quantized value). */
  exact: number;
  /** Mean signed difference, in steps: a systematic bias (a zero point off by one, floor instead of
   *  round-half-even, a wrong requantize scale) shows here even when every element is within a step. */
  bias: number;
  /** Largest |difference|, in steps. */
  worst: number;
}

/** How two quantized-domain results differ, counted in quantization steps of size `step`. */
export function stepStats(got: ArrayLike<number>, ref: ArrayLike<number>, step: number): StepStats {
  let exact = 0, sum = 0, worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = (got[i] - ref[i]) / step;
    if (Math.abs(d) < 0.5) exact++;
    sum += d;
    worst = Math.max(worst, Math.abs(d));
  }
  const n = Math.max(ref.length, 1);
  return { exact: exact / n, bias: sum / n, worst };
}
