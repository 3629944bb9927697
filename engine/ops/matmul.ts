// ONNX MatMul -> native `matmul` (numpy semantics, batch broadcasting). Rank-1 operands are
// reshaped to rank 2 around the product and the added axis is removed afterwards.

import type { OpDef } from './op';
import { broadcastShapes, emitPostOpsAsSteps, fixedInputCount, floatData, inputName, postOpAttrs, requireF32, requireInput } from './common';

type Fail = (message: string) => never;

/** numpy matmul output dims. */
export function matmulDims(a: number[], b: number[], fail: Fail): number[] {
  if (a.length === 0 || b.length === 0) fail('MatMul operands must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const ka = a2[a2.length - 1];
  const kb = b2[b2.length - 2];
  if (ka !== kb) fail(`inner dims differ: [${a.join(',')}] x [${b.join(',')}]`);
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)], fail);
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

export const MatMul: OpDef = {
  opType: 'MatMul',
  domain: '',
  infer(ctx) {
    const a = requireInput(ctx, 0);
    const b = requireInput(ctx, 1);
    return [{ dtype: a.dtype, dims: matmulDims(a.dims, b.dims, ctx.fail) }];
  },
  lower(ctx) {
    const node = ctx.node;
    const aName = inputName(node, 0);
    const bName = inputName(node, 1);
    requireF32(ctx, aName);
    requireF32(ctx, bName);
    const aDims = ctx.type(aName).dims;
    const bDims = ctx.type(bName).dims;
    const out = ctx.tensor(node.outputs[0]);
    // A third input is a bias over the last axis (ir/passes/fuse-matmul-bias.ts), rank >= 2 only.
    const biasName = fixedInputCount(node) > 2 ? inputName(node, 2) : '';
    if (aDims.length >= 2 && bDims.length >= 2) {
      const post = postOpAttrs(ctx);
      let bias = -1;
      if (biasName) {
        const c = ctx.constant(biasName);
        if (!c) return ctx.fail(`bias '${biasName}' must be a constant`);
        const n = ctx.type(node.outputs[0]).dims.slice(-1)[0];
        bias = ctx.constTensor(`${node.name}_bias`, [n], floatData(c));
      }
      ctx.step('matmul', [ctx.tensor(aName), ctx.tensor(bName), bias, ...post.sumInputs], [out], post.attrs);
      return;
    }
    if (biasName) ctx.fail('a bias input needs operands of rank >= 2');
    let a = ctx.tensor(aName);
    if (aDims.length === 1) {
      const t = ctx.tempTensor(`${node.name}_a2d`, [1, aDims[0]]);
      ctx.step('reshape', [a], [t], {}, `${node.name}_reshape_a`);
      a = t;
    }
    let b: number;
    const bConst = ctx.constant(bName);
    if (bDims.length === 1 && bConst) b = ctx.constTensor(`${node.name}_b2d`, [bDims[0], 1], floatData(bConst));
    else if (bDims.length === 1) {
      b = ctx.tempTensor(`${node.name}_b2d`, [bDims[0], 1]);
      ctx.step('reshape', [ctx.tensor(bName)], [b], {}, `${node.name}_reshape_b`);
    } else b = ctx.tensor(bName);
    const a2 = aDims.length === 1 ? [1, aDims[0]] : aDims;
    const b2 = bDims.length === 1 ? [bDims[0], 1] : bDims;
    const prodDims = [...broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)], ctx.fail), a2[a2.length - 2], b2[b2.length - 1]];
    const prod = ctx.tempTensor(`${node.name}_prod`, prodDims);
    ctx.step('matmul', [a, b, -1], [prod]);
    const outDims = matmulDims(aDims, bDims, ctx.fail);
    if ((node.postOps ?? []).length === 0) {
      ctx.step('reshape', [prod], [out], {}, `${node.name}_reshape_out`);
      return;
    }
    const flat = ctx.tempTensor(`${node.name}_flat`, outDims);
    ctx.step('reshape', [prod], [flat], {}, `${node.name}_reshape_out`);
    emitPostOpsAsSteps(ctx, flat, out, outDims);
  },
};
