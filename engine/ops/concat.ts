// ONNX Concat -> native `concat` (non-negative axis); exact constant folding for shape tensors.

import { attrInt } from '../ir/graph';
import { numel, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, newTensor, normAxis, rejectPostOps, requireRuntimeValue } from './common';

type Fail = (m: string) => never;

function concatDims(all: number[][], axisAttr: number, fail: Fail): { axis: number; dims: number[] } {
  if (all.length === 0) fail('needs at least one input');
  const r = all[0].length;
  const axis = normAxis(axisAttr, r, fail);
  const dims = [...all[0]];
  for (let i = 1; i < all.length; i++) {
    const d = all[i];
    if (d.length !== r) fail(`input ${i} has rank ${d.length}, input 0 has ${r}`);
    for (let a = 0; a < r; a++) if (a !== axis && d[a] !== dims[a]) fail(`input ${i} differs on axis ${a}: ${d[a]} vs ${dims[a]}`);
    dims[axis] += d[axis];
  }
  return { axis, dims };
}

/** Concatenation of row-major tensors along `axis`. */
export function concatTensors(ts: Tensor[], axis: number, dims: number[]): Tensor {
  const out = newTensor(ts[0].dtype, dims);
  const outer = numel(dims.slice(0, axis));
  let off = 0;
  const rowOut = numel(dims.slice(axis));
  for (const t of ts) {
    const row = numel(t.dims.slice(axis));
    for (let o = 0; o < outer; o++) {
      const src = (t.data as ArrayLike<number>);
      for (let j = 0; j < row; j++) out.data[o * rowOut + off + j] = src[o * row + j];
    }
    off += row;
  }
  return out;
}

export const Concat: OpDef = {
  opType: 'Concat',
  domain: '',
  infer(ctx) {
    const ins = [];
    for (let i = 0; i < ctx.node.inputs.length; i++) {
      const t = ctx.input(i);
      if (t) ins.push(t);
    }
    const { dims } = concatDims(ins.map((t) => t.dims), attrInt(ctx.node, 'axis', 0), ctx.fail);
    return [{ dtype: ins[0].dtype, dims }];
  },
  evaluate(node, inputs) {
    const ts = inputs.filter((t): t is Tensor => t !== undefined);
    const { axis, dims } = concatDims(ts.map((t) => t.dims), attrInt(node, 'axis', 0), (m) => {
      throw new Error(m);
    });
    return [concatTensors(ts, axis, dims)];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const names = ctx.node.inputs.filter((n) => n !== '');
    // Empty inputs (a 0-sized axis) contribute nothing.
    const used = names.filter((n) => numel(ctx.type(n).dims) > 0);
    used.forEach((n) => requireRuntimeValue(ctx, n));
    const r = ctx.type(names[0]).dims.length;
    const axis = normAxis(attrInt(ctx.node, 'axis', 0), r, ctx.fail);
    const out = ctx.tensor(ctx.node.outputs[0]);
    if (used.length === 1) ctx.step('copy', [ctx.tensor(used[0])], [out]);
    else ctx.step('concat', used.map((n) => ctx.tensor(n)), [out], { axis });
    void inputName;
  },
};
