// Scales and zero points, and the quantize/dequantize arithmetic every other part must agree on.
//
// Conventions (the same as ONNX QuantizeLinear/DequantizeLinear and oneDNN):
//   q = saturate(roundHalfEven(x / scale) + zeroPoint),   x' = (q - zeroPoint) * scale
// Scales are rounded to float32 (Math.fround) because that is how they are stored in the QDQ model
// and used by ONNX Runtime and the native runtime; computing with the float64 value here would make
// the reference path disagree with the int8 path by one step on values near a rounding boundary.

import type { ActivationType, WeightBits } from './config';

export interface TensorRange {
  min: number;
  max: number;
}

export interface QuantParams {
  type: ActivationType;
  /** float32-representable, > 0 */
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

export interface WeightQuantParams {
  /** One scale per channel along `axis`, or a single scale (axis null). float32, > 0. */
  scales: Float32Array;
  /** null: per tensor. */
  axis: number | null;
  /** Weights are symmetric: zero points are all 0. */
  qmin: number;
  qmax: number;
  bits: WeightBits;
}

export const U8 = { qmin: 0, qmax: 255 } as const;
export const S8 = { qmin: -128, qmax: 127 } as const;

/** Round half to even (banker's rounding), as std::nearbyint in the default FE_TONEAREST mode. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds half up (toward +inf)
  // Exactly halfway and Math.round went to an odd integer: step back to the even neighbour.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** A positive float32 scale; a zero range (an all-zero tensor) gets scale 1 so that 0 stays exact
 *  and no division by zero happens downstream (ONNX requires scale > 0). A non-zero range whose
 *  scale underflows or overflows float32 is an error, never a silent 1. */
function safeScale(s: number): number {
  if (s === 0) return 1;
  const f = Math.fround(s);
  if (!(f >= 1.1754943508222875e-38) || !Number.isFinite(f)) throw new RangeError(`scale ${s} is not a normal float32 (the range is too narrow or too wide)`);
  return f;
}

function checkRange(r: TensorRange, what: string): void {
  if (!Number.isFinite(r.min) || !Number.isFinite(r.max) || r.min > r.max) {
    throw new RangeError(`${what}: invalid range [${r.min}, ${r.max}]`);
  }
}

export interface ActivationParamOptions {
  type: ActivationType;
  /** The tensor is known to be >= 0 (ReLU/Clip(0, ..) output): u8 gets zero point 0 exactly. */
  nonNegative?: boolean;
}

/**
 * u8 asymmetric: the range is widened to include 0, scale = (max - min) / 255 and the zero point is
 * the (integer, saturated) q that dequantizes to exactly 0 — zero padding and ReLU zeros must survive
 * quantization unchanged. s8 symmetric: scale = max(|min|, |max|) / 127, zero point 0.
 */
export function activationParams(range: TensorRange, opts: ActivationParamOptions): QuantParams {
  checkRange(range, 'activation');
  let lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (opts.nonNegative) lo = 0;
  if (opts.type === 's8') {
    const amax = Math.max(-lo, hi);
    return { type: 's8', scale: safeScale(amax / 127), zeroPoint: 0, ...S8 };
  }
  const scale = safeScale((hi - lo) / 255);
  const zeroPoint = clamp(roundHalfEven(U8.qmin - lo / scale), U8.qmin, U8.qmax);
  return { type: 'u8', scale, zeroPoint, ...U8 };
}

/** The integer limits of s8 weights; 7 bits is oneDNN/PyTorch "reduce range" [-64, 63]. */
export function weightLimits(bits: WeightBits): { qmin: number; qmax: number } {
  return bits === 7 ? { qmin: -64, qmax: 63 } : { qmin: -128, qmax: 127 };
}

/**
 * Which axis of a weight tensor holds the output channels, for per-channel scales.
 * Conv [Cout, Cin/g, k...]: 0. ConvTranspose [Cin, Cout/g, k...]: 1. Gemm B is [K, N] (axis 1), or
 * [N, K] with transB=1 (axis 0). MatMul B [.., K, N]: the last axis.
 */
export function weightChannelAxis(opType: string, opts: { rank: number; transB?: boolean }): number {
  switch (opType) {
    case 'Conv':
      return 0;
    case 'ConvTranspose':
      return 1;
    case 'Gemm':
      return opts.transB ? 0 : 1;
    case 'MatMul':
      return opts.rank - 1;
    default:
      throw new Error(`no per-channel weight axis rule for op type ${opType}`);
  }
}

export interface WeightParamOptions {
  perChannel: boolean;
  bits: WeightBits;
  /** Output-channel axis (see weightChannelAxis); required when perChannel. */
  axis?: number;
}

/**
 * s8 symmetric weight scales: scale = max|w| / qmax per channel (or per tensor). With qmax 127 the
 * values land in [-127, 127], never -128, so the grid is symmetric; with 7 bits in [-63, 63].
 */
export function weightParams(w: ArrayLike<number>, dims: readonly number[], opts: WeightParamOptions): WeightQuantParams {
  const { qmin, qmax } = weightLimits(opts.bits);
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== w.length) throw new RangeError(`weight has ${w.length} values but shape [${dims.join(',')}]`);
  if (!opts.perChannel) {
    let amax = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(w[i]);
      if (!(a <= amax)) amax = a; // also catches NaN
    }
    if (!Number.isFinite(amax)) throw new RangeError('weight contains a non-finite value');
    return { scales: Float32Array.of(safeScale(amax / qmax)), axis: null, qmin, qmax, bits: opts.bits };
  }
  const axis = opts.axis;
  if (axis === undefined || !Number.isInteger(axis) || axis < 0 || axis >= dims.length) {
    throw new RangeError(`per-channel weight axis ${axis} is out of range for shape [${dims.join(',')}]`);
  }
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const amax = new Float64Array(channels);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % channels;
    const a = Math.abs(w[i]);
    if (!(a <= amax[c])) amax[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    if (!Number.isFinite(amax[c])) throw new RangeError(`weight channel ${c} contains a non-finite value`);
    scales[c] = safeScale(amax[c] / qmax);
  }
  return { scales, axis, qmin, qmax, bits: opts.bits };
}

/** One value: saturate(roundHalfEven(x / scale) + zp). */
export function quantizeValue(x: number, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  return clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax);
}

export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return (q - zeroPoint) * scale;
}

/** Quantizes an activation tensor; returns Uint8Array for u8 and Int8Array for s8. */
export function quantizeTensor(x: ArrayLike<number>, p: QuantParams): Uint8Array | Int8Array {
  const out = p.type === 'u8' ? new Uint8Array(x.length) : new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = quantizeValue(x[i], p.scale, p.zeroPoint, p.qmin, p.qmax);
  return out;
}

export function dequantizeTensor(q: ArrayLike<number>, p: { scale: number; zeroPoint: number }): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q[i] - p.zeroPoint) * p.scale;
  return out;
}

/** Quantize-then-dequantize in FP32 (the reference "fake quant" path). */
export function fakeQuantize(x: ArrayLike<number>, p: QuantParams): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (quantizeValue(x[i], p.scale, p.zeroPoint, p.qmin, p.qmax) - p.zeroPoint) * p.scale;
  return out;
}

function channelOf(i: number, dims: readonly number[], axis: number | null): number {
  if (axis === null) return 0;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Math.floor(i / inner) % dims[axis];
}

/** Quantizes weights with their (per-channel) scales to s8. */
export function quantizeWeights(w: ArrayLike<number>, dims: readonly number[], p: WeightQuantParams): Int8Array {
  const out = new Int8Array(w.length);
  const inner = p.axis === null ? 1 : dims.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const channels = p.axis === null ? 1 : dims[p.axis];
  for (let i = 0; i < w.length; i++) {
    const c = p.axis === null ? 0 : Math.floor(i / inner) % channels;
    out[i] = quantizeValue(w[i], p.scales[c], 0, p.qmin, p.qmax);
  }
  return out;
}

export function dequantizeWeights(q: ArrayLike<number>, dims: readonly number[], p: WeightQuantParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * p.scales[channelOf(i, dims, p.axis)];
  return out;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Bias to int32 with scale s_x * s_w[c] (zero point 0), so that it adds directly to the int32
 * accumulator of sum(q_x * q_w). The product is rounded to float32 as ONNX Runtime's quantizer does
 * (it stores the bias scale as a float32 initializer).
 */
export function quantizeBias(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScales: ArrayLike<number>,
): { data: Int32Array; scales: Float32Array } {
  if (weightScales.length !== 1 && weightScales.length !== bias.length) {
    throw new RangeError(`bias has ${bias.length} channels but there are ${weightScales.length} weight scales`);
  }
  const data = new Int32Array(bias.length);
  const scales = new Float32Array(weightScales.length);
  for (let c = 0; c < weightScales.length; c++) scales[c] = safeScale(Math.fround(inputScale) * Math.fround(weightScales[c]));
  for (let c = 0; c < bias.length; c++) {
    const s = scales[scales.length === 1 ? 0 : c];
    data[c] = clamp(roundHalfEven(bias[c] / s), INT32_MIN, INT32_MAX);
  }
  return { data, scales };
}
