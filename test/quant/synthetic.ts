// Seeded synthetic activations for the calibration tests (deterministic across runs and machines).

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** n standard-normal samples (Box-Muller) scaled by sigma. */
export function gaussian(n: number, seed: number, sigma = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}

/** Gaussian(sigma 1) with a few rare large outliers at fixed positions. */
export function gaussianWithOutliers(n: number, seed: number, outliers: readonly number[]): Float32Array {
  const x = gaussian(n, seed);
  outliers.forEach((v, k) => (x[(k * 7919 + 13) % n] = v));
  return x;
}

export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e += (a[i] - b[i]) ** 2;
  return e / a.length;
}
