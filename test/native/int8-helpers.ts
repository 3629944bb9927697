// Helpers for the INT8 native tests: quantized tensors in hand-built plans and a JS fake-quant
// reference (quantize, compute in f64 on dequantized values, requantize).
//
// Saturation caveat: on AVX2 without VNNI, oneDNN's u8 x s8 kernels sum pairs of products in 16 bits
// with saturation (vpmaddubsw), and s8-source convolutions halve the weights when reordering them.
// The tests keep weights in the 7-bit range (|w| <= 63, so 255 * 63 * 2 < 32767) and use even weights
// wherever the source is s8, so neither effect can change a result.

import assert from 'node:assert/strict';

import type { PlanDType } from '../../engine/plan/plan';
import { stepStats } from '../helpers/tolerance';
import { PlanBuilder, prod } from './helpers';

export type QDType = 'u8' | 's8';
export interface Q { scale: number; zp: number; dtype: QDType }

export const range = (dt: QDType | 's32') => (dt === 'u8' ? [0, 255] : dt === 's8' ? [-128, 127] : [-(2 ** 31), 2 ** 31 - 1]);

/** Round half to even. */
export function rne(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function quantize(v: number, q: Q): number {
  const [lo, hi] = range(q.dtype);
  return Math.min(hi, Math.max(lo, rne(v / q.scale) + q.zp));
}
export const dequantize = (k: number, q: Q) => q.scale * (k - q.zp);
/** The fake-quant value: what a tensor quantized with q holds, in real units. */
export const fq = (v: number, q: Q) => dequantize(quantize(v, q), q);

/** Deterministic integers in [lo, hi]. */
export function randInt(n: number, lo: number, hi: number, seed = 1): number[] {
  const out: number[] = [];
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out.push(lo + Math.floor((s / 4294967296) * (hi - lo + 1)));
  }
  return out;
}

/** f32 inputs that quantize exactly to the given integers (scales here are powers of two). */
export function exactInput(ints: number[], q: Q): Float32Array {
  return Float32Array.from(ints, (k) => dequantize(k, q));
}

export class QPlanBuilder extends PlanBuilder {
  /** A step whose output is quantized with q (or f32 when q is null). */
  qstep(kind: string, inputs: number[], outDims: number[], q: Q | null, attrs: Record<string, unknown> = {}, batched = false): number {
    const out = this.step(kind, inputs, outDims, attrs as never, batched);
    if (q) {
      const t = this.plan.tensors[out];
      t.dtype = q.dtype;
      t.quant = { scales: [q.scale], zeroPoints: [q.zp], axis: 0 };
    }
    return out;
  }
  /** quantize step from an f32 tensor. */
  quantize(x: number, dims: number[], q: Q, batched = false): number {
    return this.qstep('quantize', [x], dims, q, {}, batched);
  }
  dequantize(x: number, dims: number[], batched = false): number {
    return this.qstep('dequantize', [x], dims, null, {}, batched);
  }
  /** An integer constant with per-tensor (one scale) or per-channel scales along `axis`. */
  qconst(name: string, dims: number[], dtype: PlanDType, values: number[], scales: number[], axis = 0, zps?: number[]): number {
    assert.equal(values.length, prod(dims));
    const bytes = dtype === 's32' ? new Uint8Array(Int32Array.from(values).buffer)
      : dtype === 's8' ? new Uint8Array(Int8Array.from(values).buffer) : Uint8Array.from(values);
    this.plan.tensors.push({
      name, dtype, dims, batched: false, data: bytes,
      quant: { scales, zeroPoints: zps ?? scales.map(() => 0), axis },
    });
    return this.plan.tensors.length - 1;
  }
}

/** |got - ref| <= steps * scale (+ float slack) elementwise, with a helpful message; and, since a
 *  one-step bias everywhere would pass that (a zero point off by one, floor instead of
 *  round-half-even, a wrong scale), most elements exactly on the reference's value and no
 *  systematic lean. */
export function assertWithinSteps(got: Float32Array, ref: ArrayLike<number>, scale: number, what: string, steps = 1, minExact = 0.85): number {
  assert.equal(got.length, ref.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    worst = Math.max(worst, d / scale);
    if (!(d <= steps * scale * (1 + 1e-5) + 1e-6)) {
      assert.fail(`${what}: element ${i} is ${got[i]}, reference ${ref[i]} (${(d / scale).toFixed(3)} steps > ${steps})`);
    }
  }
  const st = stepStats(got, ref, scale);
  assert.ok(st.exact >= minExact, `${what}: only ${(st.exact * 100).toFixed(1)}% of elements equal the reference (>= ${minExact * 100}% expected)`);
  assert.ok(Math.abs(st.bias) <= 0.1, `${what}: results lean ${st.bias.toFixed(3)} steps against the reference`);
  return worst;
}
