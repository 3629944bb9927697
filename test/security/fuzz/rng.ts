// A seeded PRNG for the fuzz corpus: the same seed gives the same cases on every machine.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** [0, 1) */
  next(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Values that break size, sign and range assumptions. */
export const NASTY_INTS = [0, -1, 1, 2, 3, 7, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 1e15, -(2 ** 31)] as const;
export const NASTY_FLOATS = [0, -0, 1e-300, 1e300, -1e300, Number.NaN, Infinity, -Infinity, 1e-45, 3.5e38] as const;
