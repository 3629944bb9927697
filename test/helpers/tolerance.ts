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
  /** The first position where the two disagree beyond the tolerance, with why, or undefined. */
  failure?: string;
}

export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number, floor = 1e-30): Closeness {
  if (actual.length !== expected.length) {
    return { maxErr: Infinity, maxRef: 0, relErr: Infinity, failure: `length ${actual.length} vs ${expected.length}` };
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
  return { maxErr, maxRef, relErr: maxRef > 0 ? maxErr / maxRef : maxErr > 0 ? Infinity : 0, failure };
}
