// ONNX Transpose -> native `transpose` (default perm reverses the axes).

import { attrInts, type Node } from '../ir/graph';
import { stridesOf, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, rejectPostOps, remap, requireRuntimeValue, requireInput } from './common';

function permOf(node: Node, rank: number, fail: (m: string) => never): number[] {
  const perm = attrInts(node, 'perm', undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) fail(`perm [${perm.join(',')}] is not a permutation of rank ${rank}`);
  return perm;
}

export function transposeTensor(x: Tensor, perm: number[]): Tensor {
  const s = stridesOf(x.dims);
  return remap(x, perm.map((p) => x.dims[p]), (c) => c.reduce((acc, v, i) => acc + v * s[perm[i]], 0));
}

export const Transpose: OpDef = {
  opType: 'Transpose',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const perm = permOf(ctx.node, x.dims.length, ctx.fail);
    return [{ dtype: x.dtype, dims: perm.map((p) => x.dims[p]) }];
  },
  evaluate(node, inputs) {
    const x = inputs[0]!;
    return [transposeTensor(x, permOf(node, x.dims.length, (m) => { throw new Error(m); }))];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const x = inputName(ctx.node, 0);
    requireRuntimeValue(ctx, x);
    const perm = permOf(ctx.node, ctx.type(x).dims.length, ctx.fail);
    ctx.step('transpose', [ctx.tensor(x)], [ctx.tensor(ctx.node.outputs[0])], { perm });
  },
};
