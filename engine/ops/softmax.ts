// Softmax / LogSoftmax -> native `softmax`. Opset 13+: along one axis (default -1). Before 13 the
// input is coerced to 2-D at `axis` (default 1) and normalised over the flattened tail, so the
// lowering reshapes to (outer, inner), runs on axis 1 and reshapes back.

import { attrInt } from '../ir/graph';
import type { LowerContext, OpDef } from './op';
import { inputName, normAxis, rejectPostOps, requireF32, requireInput } from './common';

function lowerSoftmax(ctx: LowerContext, log: number): void {
  rejectPostOps(ctx);
  const xName = inputName(ctx.node, 0);
  requireF32(ctx, xName);
  const dims = ctx.type(xName).dims;
  const r = dims.length;
  const x = ctx.tensor(xName);
  const y = ctx.tensor(ctx.node.outputs[0]);
  if (ctx.opset >= 13) {
    const axis = normAxis(attrInt(ctx.node, 'axis', -1), r, ctx.fail);
    ctx.step('softmax', [x], [y], { axis, log });
    return;
  }
  const axisAttr = attrInt(ctx.node, 'axis', 1);
  const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
  if (axis < 0 || axis > r) ctx.fail(`axis ${axisAttr} is out of range for rank ${r}`);
  if (axis === r - 1) {
    // Coercing at the last axis is the same as a softmax along it.
    ctx.step('softmax', [x], [y], { axis, log });
    return;
  }
  const prod = (a: number[]) => a.reduce((p, d) => p * d, 1);
  const flat = [prod(dims.slice(0, axis)), prod(dims.slice(axis))];
  const a = ctx.tempTensor(`${ctx.node.name}_2d`, flat);
  const b = ctx.tempTensor(`${ctx.node.name}_2d_out`, flat);
  ctx.step('reshape', [x], [a], {}, `${ctx.node.name}_to2d`);
  ctx.step('softmax', [a], [b], { axis: 1, log });
  ctx.step('reshape', [b], [y], {}, `${ctx.node.name}_back`);
}

function softmaxOp(opType: string, log: number): OpDef {
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      const r = x.dims.length;
      const axis = attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1);
      if (axis < -r || axis > (ctx.opset >= 13 ? r - 1 : r)) ctx.fail(`axis ${axis} is out of range for rank ${r}`);
      return [{ dtype: x.dtype, dims: [...x.dims] }];
    },
    lower: (ctx) => lowerSoftmax(ctx, log),
  };
}

export const Softmax = softmaxOp('Softmax', 0);
export const LogSoftmax = softmaxOp('LogSoftmax', 1);
