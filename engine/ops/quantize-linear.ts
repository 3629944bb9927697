// ONNX QuantizeLinear / DequantizeLinear (opsets 10, 13 with `axis`, 19). Evaluated exactly
// (float32 division, round half to even, saturation) so that folded constants and the fake-quant
// reference agree with the native `quantize` / `dequantize` steps. Lowered one step each; the
// plan tensors get their scales from the lowering's quant table (engine/passes/qdq-params.ts).
// In the int8 mode the QDQ pass (engine/passes/qdq-fuse.ts) absorbs most of these nodes into
// int8 ops first; the ones left are the graph's real float <-> int8 boundaries.

import { attrInt, type Node } from '../ir/graph';
import { numel, type DType, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, newTensor, normAxis, rejectPostOps, requireInput } from './common';

type Fail = (message: string) => never;

const RANGES: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int32: [-2147483648, 2147483647],
};

/** Round half to even (ONNX QuantizeLinear, oneDNN reorders, numpy.rint). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round rounds ties up; move exact ties with an odd result down to the even neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** For each element of a tensor of `dims`, the index into a per-axis parameter of length `count`
 *  (0 everywhere when count is 1). */
function paramIndex(dims: number[], axis: number, count: number, node: Node, fail: Fail): (i: number) => number {
  if (count === 1) return () => 0;
  const a = normAxis(axis, dims.length, fail);
  if (dims[a] !== count) fail(`${count} scales do not match dim ${dims[a]} of axis ${a}`);
  let inner = 1;
  for (let k = a + 1; k < dims.length; k++) inner *= dims[k];
  void node;
  return (i) => Math.floor(i / inner) % count;
}

function checkParams(scale: Tensor, zp: Tensor | undefined, fail: Fail): void {
  if (scale.dims.length > 1) fail('block quantization (scale of rank > 1) is not supported');
  if (zp && zp.data.length !== scale.data.length) fail(`${zp.data.length} zero points for ${scale.data.length} scales`);
}

function outputDtypeOfQ(node: Node, zpType: DType | undefined, fail: Fail): DType {
  const t = zpType ?? 'uint8';
  if (t !== 'uint8' && t !== 'int8') fail(`zero point dtype ${t} is not supported (uint8 or int8)`);
  void node;
  return t;
}

export const QuantizeLinear: OpDef = {
  opType: 'QuantizeLinear',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    requireInput(ctx, 1);
    const zp = ctx.input(2);
    if (ctx.node.attrs.block_size && attrInt(ctx.node, 'block_size', 0) !== 0) ctx.fail('block_size is not supported');
    return [{ dtype: outputDtypeOfQ(ctx.node, zp?.dtype, ctx.fail), dims: [...x.dims] }];
  },
  evaluate(node, inputs) {
    const fail: Fail = (m) => {
      throw new Error(m);
    };
    const [x, scale, zp] = inputs as [Tensor, Tensor, Tensor | undefined];
    checkParams(scale, zp, fail);
    const dtype = outputDtypeOfQ(node, zp?.dtype, fail);
    const [lo, hi] = RANGES[dtype]!;
    const y = newTensor(dtype, x.dims);
    const idx = paramIndex(x.dims, attrInt(node, 'axis', 1), scale.data.length, node, fail);
    const xs = x.data as ArrayLike<number>;
    const n = numel(x.dims);
    for (let i = 0; i < n; i++) {
      const c = idx(i);
      // float32 division as ONNX Runtime does it; fround of the double quotient is exact for f32 operands.
      const q = roundHalfEven(Math.fround(xs[i] / scale.data[c])) + (zp ? zp.data[c] : 0);
      y.data[i] = Math.min(hi, Math.max(lo, q));
    }
    return [y];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const x = inputName(node, 0);
    if (ctx.type(x).dtype !== 'float32') ctx.fail(`input '${x}' has dtype ${ctx.type(x).dtype}; QuantizeLinear needs float32`);
    ctx.step('quantize', [ctx.tensor(x)], [ctx.tensor(node.outputs[0])]);
  },
};

export const DequantizeLinear: OpDef = {
  opType: 'DequantizeLinear',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    requireInput(ctx, 1);
    if (!RANGES[x.dtype]) ctx.fail(`input dtype ${x.dtype} is not supported (uint8, int8, int32)`);
    return [{ dtype: 'float32', dims: [...x.dims] }];
  },
  evaluate(node, inputs) {
    const fail: Fail = (m) => {
      throw new Error(m);
    };
    const [x, scale, zp] = inputs as [Tensor, Tensor, Tensor | undefined];
    checkParams(scale, zp, fail);
    if (!RANGES[x.dtype]) fail(`input dtype ${x.dtype} is not supported`);
    const y = newTensor('float32', x.dims);
    const idx = paramIndex(x.dims, attrInt(node, 'axis', 1), scale.data.length, node, fail);
    const xs = x.data as ArrayLike<number>;
    const n = numel(x.dims);
    for (let i = 0; i < n; i++) {
      const c = idx(i);
      y.data[i] = Math.fround((xs[i] - (zp ? zp.data[c] : 0)) * scale.data[c]);
    }
    return [y];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const x = inputName(node, 0);
    ctx.step('dequantize', [ctx.tensor(x)], [ctx.tensor(node.outputs[0])]);
  },
};
