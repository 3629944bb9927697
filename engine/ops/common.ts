// Helpers shared by the operator files: axis normalisation, numpy broadcasting, dtype checks,
// post-op attributes and small constant-tensor utilities. Kept free of any one op's rules.

import type { Node, PostOp } from '../ir/graph';
import { allocData, numel, stridesOf, type DType, type Tensor } from '../ir/tensor';
import type { InferContext, LowerContext, ValueType } from './op';
import type { PlanAttr, PlanDType } from '../plan/plan';

type Fail = (message: string) => never;

/** How many of node.inputs are the op's own inputs: the fusion passes append one input per `sum`
 *  post-op after them (even where an optional input such as a Conv bias is absent). */
export function fixedInputCount(node: Node): number {
  const sums = (node.postOps ?? []).filter((p) => p.kind === 'sum').length;
  return node.inputs.length - sums;
}

/** Input name i of a node, '' when absent. */
export function inputName(node: Node, i: number): string {
  return node.inputs[i] ?? '';
}

/** Maps a possibly negative axis onto [0, rank). */
export function normAxis(axis: number, rank: number, fail: Fail): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function normAxes(axes: readonly number[], rank: number, fail: Fail): number[] {
  const out = axes.map((a) => normAxis(a, rank, fail));
  if (new Set(out).size !== out.length) fail(`repeated axis in [${axes.join(',')}]`);
  return out;
}

/** numpy broadcasting of any number of shapes. */
export function broadcastShapes(shapes: readonly (readonly number[])[], fail: Fail): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        fail(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
      }
    }
  }
  return out;
}

/** Type of a required input; fails naming the input index when it is absent. */
export function requireInput(ctx: InferContext, i: number): ValueType {
  const t = ctx.input(i);
  if (!t) ctx.fail(`input ${i} is required`);
  return t;
}

/** The lowering of this milestone handles float32 activations only. */
export function requireF32(ctx: LowerContext, name: string): void {
  const t = ctx.type(name);
  if (t.dtype !== 'float32') ctx.fail(`value '${name}' has dtype ${t.dtype}; only float32 is supported at runtime`);
}

/** For steps that move bytes (reshape, transpose, slice, concat, copy): any dtype a plan holds
 *  (float32, int64/int32 as s32, int8, uint8/bool). */
export function requireRuntimeValue(ctx: LowerContext, name: string): void {
  const t = ctx.type(name);
  if (!runtimePlanDtype(t.dtype)) ctx.fail(`value '${name}' has dtype ${t.dtype}, which the runtime cannot hold`);
}

/** Plan id of `name` for a step that reads plain values of a runtime dtype (integer and bool
 *  steps): a constant is re-made in `want`'s plan dtype when it differs (an int64 constant against
 *  an int32 value, a float constant against a float value). Fails on dtypes no plan holds. */
export function valueOperand(ctx: LowerContext, name: string, want?: DType): number {
  const c = ctx.constant(name);
  const have = ctx.type(name).dtype;
  const target = want ?? have;
  const plan = runtimePlanDtype(target);
  if (!plan) ctx.fail(`value '${name}' has dtype ${target}, which the runtime cannot hold`);
  if (c && runtimePlanDtype(c.dtype) !== plan) {
    const src = c.data as ArrayLike<number>;
    const data = plan === 'f32' ? Float32Array.from(src) : plan === 's32' ? Int32Array.from(src) : plan === 's8' ? Int8Array.from(src) : Uint8Array.from(src);
    return ctx.constTensor(`${ctx.node.name}_${name}_${plan}`, c.dims, data, plan);
  }
  if (!c && runtimePlanDtype(have) !== plan) ctx.fail(`value '${name}' is ${have} but the step needs ${target}`);
  return ctx.tensor(name);
}

/** The plan dtype of a runtime value of ONNX dtype `d` (int64 is held as int32). */
export function runtimePlanDtype(d: DType): PlanDType | undefined {
  switch (d) {
    case 'float32':
      return 'f32';
    case 'int64':
    case 'int32':
      return 's32';
    case 'int8':
      return 's8';
    case 'uint8':
    case 'bool':
      return 'u8';
    default:
      return undefined;
  }
}

/** Constant value of input i as plain numbers, or undefined if that input is not constant. */
export function constNumbers(ctx: InferContext, i: number): number[] | undefined {
  const t = ctx.constant(i);
  return t ? Array.from(t.data as ArrayLike<number>) : undefined;
}

export function isFloatType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** Rounds a value the way the tensor's storage would (float32 rounding, integer wrap-free truncation). */
export function castValue(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'bool':
      return v ? 1 : 0;
    default:
      return Math.trunc(v);
  }
}

/** Allocates an output tensor. */
export function newTensor(dtype: DType, dims: number[]): Tensor {
  return { dtype, dims: [...dims], data: allocData(dtype, numel(dims)) };
}

/** Element-wise map over broadcast inputs (constant folding of binary/variadic ops). */
export function broadcastMap(inputs: Tensor[], outDtype: DType, fn: (vals: number[]) => number, fail: Fail): Tensor {
  const dims = broadcastShapes(inputs.map((t) => t.dims), fail);
  const out = newTensor(outDtype, dims);
  const rank = dims.length;
  const n = numel(dims);
  const outStrides = stridesOf(dims);
  // Per input: stride along each output axis (0 where broadcast).
  const inStrides = inputs.map((t) => {
    const s = stridesOf(t.dims);
    return dims.map((d, o) => {
      const i = o - (rank - t.dims.length);
      return i < 0 || t.dims[i] === 1 ? 0 : s[i];
    });
  });
  const vals = new Array<number>(inputs.length);
  for (let k = 0; k < n; k++) {
    let rem = k;
    for (let j = 0; j < inputs.length; j++) vals[j] = 0;
    const offs = new Array<number>(inputs.length).fill(0);
    for (let a = 0; a < rank; a++) {
      const idx = Math.floor(rem / outStrides[a]);
      rem -= idx * outStrides[a];
      for (let j = 0; j < inputs.length; j++) offs[j] += idx * inStrides[j][a];
    }
    for (let j = 0; j < inputs.length; j++) vals[j] = (inputs[j].data as ArrayLike<number>)[offs[j]];
    out.data[k] = castValue(fn(vals), outDtype);
  }
  return out;
}

/** Gathers `src` at the row-major index computed by `index(outCoords)` for every output element. */
export function remap(src: Tensor, outDims: number[], index: (coords: number[]) => number): Tensor {
  const out = newTensor(src.dtype, outDims);
  const n = numel(outDims);
  const strides = stridesOf(outDims);
  const coords = new Array<number>(outDims.length);
  for (let k = 0; k < n; k++) {
    let rem = k;
    for (let a = 0; a < outDims.length; a++) {
      coords[a] = Math.floor(rem / strides[a]);
      rem -= coords[a] * strides[a];
    }
    out.data[k] = (src.data as ArrayLike<number>)[index(coords)];
  }
  return out;
}

/** Plan attributes for node.postOps, plus the plan tensor ids of the sum sources in order. */
export function postOpAttrs(ctx: LowerContext): { attrs: Record<string, PlanAttr>; sumInputs: number[] } {
  const ops: PostOp[] = ctx.node.postOps ?? [];
  if (ops.length === 0) return { attrs: {}, sumInputs: [] };
  const names: string[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const sumInputs: number[] = [];
  for (const p of ops) {
    if (p.kind === 'sum') {
      requireF32(ctx, p.input);
      names.push('sum');
      alpha.push(p.scale);
      beta.push(0);
      sumInputs.push(ctx.tensor(p.input));
    } else {
      names.push(p.alg);
      alpha.push(p.alpha);
      beta.push(p.beta);
    }
  }
  return { attrs: { post_ops: names, post_alpha: alpha, post_beta: beta }, sumInputs };
}

/** Applies node.postOps as separate steps (for lowerings whose main step cannot carry them),
 *  reading `src` (plan id, dims `dims`) and writing the final result into `dst`. */
export function emitPostOpsAsSteps(ctx: LowerContext, src: number, dst: number, dims: number[]): void {
  const ops: PostOp[] = ctx.node.postOps ?? [];
  if (ops.length === 0) {
    ctx.step('copy', [src], [dst]);
    return;
  }
  let cur = src;
  ops.forEach((p, i) => {
    const out = i === ops.length - 1 ? dst : ctx.tempTensor(`${ctx.node.name}_post${i}`, dims);
    if (p.kind === 'sum') {
      requireF32(ctx, p.input);
      let other = ctx.tensor(p.input);
      if (p.scale !== 1) {
        const scaled = ctx.tempTensor(`${ctx.node.name}_sum${i}_scaled`, dims);
        ctx.step('eltwise', [other], [scaled], { alg: 'linear', alpha: p.scale, beta: 0 });
        other = scaled;
      }
      ctx.step('binary', [cur, other], [out], { alg: 'add' });
    } else {
      ctx.step('eltwise', [cur], [out], { alg: p.alg, alpha: p.alpha, beta: p.beta });
    }
    cur = out;
  });
}

/** Fails when a node that cannot carry post-ops was given some (a fusion pass bug). */
export function rejectPostOps(ctx: LowerContext): void {
  if (ctx.node.postOps && ctx.node.postOps.length > 0) ctx.fail('post-ops are not supported on this op');
}

/** float32 array copy of a constant tensor (fails on non-float data). */
export function floatData(t: Tensor): Float32Array {
  return Float32Array.from(t.data as ArrayLike<number>);
}

/** Transposes a 2-D row-major float array. */
export function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** An int attribute list or a default of `n` copies of `v`. */
export function intsOr(list: number[] | undefined, n: number, v: number): number[] {
  return list ?? new Array<number>(n).fill(v);
}

/** Whether two shapes are identical. */
export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
