// ONNX Reshape -> native `reshape`. Also home of the helpers shared by the other pure
// re-interpretations of row-major data (Flatten, Squeeze, Unsqueeze).

import { attrInt, attrInts } from '../ir/graph';
import { numel, type Tensor } from '../ir/tensor';
import type { InferContext, LowerContext, OpDef, ValueType } from './op';
import { constNumbers, inputName, rejectPostOps, requireRuntimeValue, requireInput } from './common';

type Fail = (message: string) => never;

/** Output dims of Reshape: 0 copies the input dim (unless allowzero), -1 is inferred. */
export function reshapeDims(inDims: number[], shape: number[], allowZero: boolean, fail: Fail): number[] {
  const out = shape.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inDims.length) fail(`shape has 0 at axis ${i} beyond the input rank ${inDims.length}`);
      return inDims[i];
    }
    return d;
  });
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) fail(`shape [${shape.join(',')}] has more than one -1`);
  if (out.some((d) => d < -1)) fail(`shape [${shape.join(',')}] has a negative dim`);
  const total = numel(inDims);
  if (minus === 1) {
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (known === 0 || total % known !== 0) fail(`cannot reshape [${inDims.join(',')}] into [${shape.join(',')}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== total) fail(`cannot reshape [${inDims.join(',')}] (${total} values) into [${out.join(',')}]`);
  return out;
}

/** Same values, new dims (constant folding of every reshape-like op). */
export function withDims(t: Tensor, dims: number[]): Tensor {
  return { dtype: t.dtype, dims: [...dims], data: t.data.slice() as Tensor['data'] };
}

/** One `reshape` step from input 0 to output 0 (dims are the output's declared dims). */
export function lowerAsReshape(ctx: LowerContext): void {
  rejectPostOps(ctx);
  const x = inputName(ctx.node, 0);
  requireRuntimeValue(ctx, x);
  ctx.step('reshape', [ctx.tensor(x)], [ctx.tensor(ctx.node.outputs[0])]);
}

function shapeOf(ctx: InferContext): number[] {
  if (ctx.opset < 5) {
    const s = attrInts(ctx.node, 'shape', undefined);
    if (!s) ctx.fail("attribute 'shape' is required");
    return s;
  }
  const s = constNumbers(ctx, 1);
  if (!s) ctx.fail('the shape input must be a constant (after folding)');
  return s;
}

export const Reshape: OpDef = {
  opType: 'Reshape',
  domain: '',
  infer(ctx): ValueType[] {
    const x = requireInput(ctx, 0);
    return [{ dtype: x.dtype, dims: reshapeDims(x.dims, shapeOf(ctx), attrInt(ctx.node, 'allowzero', 0) !== 0, ctx.fail) }];
  },
  evaluate(node, inputs, opset) {
    const x = inputs[0]!;
    const shape = opset < 5 ? attrInts(node, 'shape', [])! : Array.from(inputs[1]!.data as ArrayLike<number>);
    const dims = reshapeDims(x.dims, shape, attrInt(node, 'allowzero', 0) !== 0, (m) => {
      throw new Error(m);
    });
    return [withDims(x, dims)];
  },
  lower: lowerAsReshape,
};
