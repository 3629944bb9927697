// ArgMax / ArgMin: int64 indices of the extreme along one axis (keepdims, select_last_index) ->
// native `arg_reduce` (s32 at runtime, returned as int64 at the graph edge); folded on constants.

import { attrInt } from '../ir/graph';
import { stridesOf, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, newTensor, normAxis, rejectPostOps, requireInput, valueOperand } from './common';

function argOp(opType: 'ArgMax' | 'ArgMin'): OpDef {
  const isMin = opType === 'ArgMin';
  const outDims = (dims: number[], axis: number, keep: boolean) => (keep ? dims.map((d, i) => (i === axis ? 1 : d)) : dims.filter((_, i) => i !== axis));
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx.fail);
      if (x.dims[axis] === 0) ctx.fail(`${opType} over an empty axis`);
      return [{ dtype: 'int64', dims: outDims(x.dims, axis, attrInt(ctx.node, 'keepdims', 1) !== 0) }];
    },
    evaluate(node, inputs) {
      const x = inputs[0] as Tensor;
      const fail = (m: string): never => {
        throw new Error(m);
      };
      const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length, fail);
      const last = attrInt(node, 'select_last_index', 0) !== 0;
      const dims = outDims(x.dims, axis, attrInt(node, 'keepdims', 1) !== 0);
      const out = newTensor('int64', dims);
      const s = stridesOf(x.dims);
      const len = x.dims[axis];
      const inner = s[axis];
      const outer = out.data.length / inner;
      const v = x.data as ArrayLike<number>;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let best = 0;
          for (let k = 1; k < len; k++) {
            const a = v[base + k * inner];
            const b = v[base + best * inner];
            if (isMin ? (last ? a <= b : a < b) : last ? a >= b : a > b) best = k;
          }
          out.data[o * inner + i] = best;
        }
      }
      return [out];
    },
    lower(ctx) {
      rejectPostOps(ctx);
      const x = inputName(ctx.node, 0);
      const t = ctx.type(x);
      if (t.dtype !== 'float32' && t.dtype !== 'int64' && t.dtype !== 'int32') ctx.fail(`${opType} of ${t.dtype} is not supported at runtime`);
      const axis = normAxis(attrInt(ctx.node, 'axis', 0), t.dims.length, ctx.fail);
      ctx.step('arg_reduce', [valueOperand(ctx, x)], [ctx.tensor(ctx.node.outputs[0])], {
        axis,
        alg: isMin ? 'min' : 'max',
        select_last_index: attrInt(ctx.node, 'select_last_index', 0),
      });
    },
  };
}

export const ArgMax = argOp('ArgMax');
export const ArgMin = argOp('ArgMin');
