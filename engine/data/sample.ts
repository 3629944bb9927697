// Item selection: the first N, or a seeded random N (Floyd's algorithm: O(N) memory whatever the
// dataset size), returned in ascending order.

import { DataError } from './errors';
import type { SampleSpec } from './types';

/** mulberry32: a small, fast, seedable 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function checkSample(sample: SampleSpec): void {
  if (sample.count !== undefined && (!Number.isInteger(sample.count) || sample.count < 1)) {
    throw new DataError('DATA_SPEC', `data: sample count must be an integer >= 1, got ${sample.count}`);
  }
  if (sample.seed !== undefined && !Number.isInteger(sample.seed)) {
    throw new DataError('DATA_SPEC', `data: sample seed must be an integer, got ${sample.seed}`);
  }
}

/** Indices (ascending) of the items chosen from `total`. */
export function selectIndices(total: number, sample: SampleSpec): number[] {
  checkSample(sample);
  const n = Math.min(sample.count ?? total, total);
  if (sample.seed === undefined || n === total) return Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(sample.seed);
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = Math.floor(rand() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
