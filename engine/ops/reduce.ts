// ReduceMean / Sum / Max / Min / Prod / SumSquare / L1 / L2 / LogSumExp -> native `reduce`.
// Axes are an attribute until the op moved them to an input (ReduceSum at 13, the rest at 18);
// no axes means every axis unless noop_with_empty_axes, which makes the op an identity.

import { attrInt, attrInts, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxes, rejectPostOps, requireF32, requireInput } from './common';

type Fail = (m: string) => never;

const ALGS: Record<string, { alg: string; axesInputSince: number }> = {
  ReduceMean: { alg: 'mean', axesInputSince: 18 },
  ReduceSum: { alg: 'sum', axesInputSince: 13 },
  ReduceMax: { alg: 'max', axesInputSince: 18 },
  ReduceMin: { alg: 'min', axesInputSince: 18 },
  ReduceProd: { alg: 'prod', axesInputSince: 18 },
  ReduceSumSquare: { alg: 'sum_square', axesInputSince: 18 },
  ReduceL1: { alg: 'l1', axesInputSince: 18 },
  ReduceL2: { alg: 'l2', axesInputSince: 18 },
  ReduceLogSumExp: { alg: 'log_sum_exp', axesInputSince: 18 },
};

/** Sorted non-negative axes to reduce; undefined means "identity" (noop_with_empty_axes). */
function reduceAxes(node: Node, opset: number, rank: number, since: number, get: () => Tensor | undefined, has: boolean, fail: Fail): number[] | undefined {
  let axes: number[] | undefined;
  if (opset < since) axes = attrInts(node, 'axes', undefined);
  else if (has) {
    const t = get();
    if (!t) fail('the axes input must be a constant');
    axes = Array.from(t.data as ArrayLike<number>);
  }
  if (!axes || axes.length === 0) {
    if (attrInt(node, 'noop_with_empty_axes', 0) !== 0) return undefined;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return normAxes(axes, rank, fail).sort((a, b) => a - b);
}

function reduceOp(opType: string, alg: string, since: number): OpDef {
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      const axes = reduceAxes(ctx.node, ctx.opset, x.dims.length, since, () => ctx.constant(1), !!ctx.input(1), ctx.fail);
      if (!axes) return [{ dtype: x.dtype, dims: [...x.dims] }];
      const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
      const dims = keep ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x.dims.filter((_, i) => !axes.includes(i));
      return [{ dtype: x.dtype, dims }];
    },
    lower(ctx) {
      rejectPostOps(ctx);
      const node = ctx.node;
      const x = inputName(node, 0);
      requireF32(ctx, x);
      const rank = ctx.type(x).dims.length;
      const axesName = inputName(node, 1);
      const axes = reduceAxes(node, ctx.opset, rank, since, () => ctx.constant(axesName), axesName !== '', ctx.fail);
      const out = ctx.tensor(node.outputs[0]);
      if (!axes) {
        ctx.step('copy', [ctx.tensor(x)], [out]);
        return;
      }
      ctx.step('reduce', [ctx.tensor(x)], [out], { alg, axes, keepdims: attrInt(node, 'keepdims', 1) !== 0 ? 1 : 0 });
    },
  };
}

export const REDUCE_OPS: OpDef[] = Object.entries(ALGS).map(([op, d]) => reduceOp(op, d.alg, d.axesInputSince));
