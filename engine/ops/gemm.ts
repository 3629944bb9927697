// ONNX Gemm -> native `matmul`: Y = alpha * A' B' + beta * C. A constant B is transposed and
// scaled by alpha at lowering time; beta * C becomes the matmul bias when it broadcasts to (N), a
// `sum` post-op when it is a computed (M, N) tensor, and a separate `binary` add otherwise.

import { attrFloat, attrInt } from '../ir/graph';
import type { OpDef, LowerContext } from './op';
import { emitPostOpsAsSteps, fixedInputCount, floatData, inputName, postOpAttrs, requireF32, requireInput, sameDims, transpose2d } from './common';
import { broadcastShapes } from './common';

export const Gemm: OpDef = {
  opType: 'Gemm',
  domain: '',
  infer(ctx) {
    const a = requireInput(ctx, 0);
    const b = requireInput(ctx, 1);
    if (a.dims.length !== 2 || b.dims.length !== 2) ctx.fail(`A and B must be 2-D, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
    const transA = attrInt(ctx.node, 'transA', 0) !== 0;
    const transB = attrInt(ctx.node, 'transB', 0) !== 0;
    const [m, ka] = transA ? [a.dims[1], a.dims[0]] : a.dims;
    const [kb, n] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    if (ka !== kb) ctx.fail(`inner dims differ: A gives K=${ka}, B gives K=${kb}`);
    const c = fixedInputCount(ctx.node) > 2 ? ctx.input(2) : undefined;
    if (c) broadcastShapes([c.dims, [m, n]], ctx.fail);
    return [{ dtype: a.dtype, dims: [m, n] }];
  },
  lower(ctx) {
    lowerGemm(ctx);
  },
};

function lowerGemm(ctx: LowerContext): void {
  const node = ctx.node;
  const aName = inputName(node, 0);
  const bName = inputName(node, 1);
  const cName = fixedInputCount(node) > 2 ? inputName(node, 2) : '';
  requireF32(ctx, aName);
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const transA = attrInt(node, 'transA', 0) !== 0;
  const transB = attrInt(node, 'transB', 0) !== 0;
  const aDims = ctx.type(aName).dims;
  const bDims = ctx.type(bName).dims;
  const m = transA ? aDims[1] : aDims[0];
  const k = transA ? aDims[0] : aDims[1];
  const n = transB ? bDims[0] : bDims[1];
  const outDims = [m, n];
  const label = node.name;

  let a = ctx.tensor(aName);
  if (transA) {
    const t = ctx.tempTensor(`${label}_At`, [m, k]);
    ctx.step('transpose', [a], [t], { perm: [1, 0] }, `${label}_transA`);
    a = t;
  }

  let b: number;
  const bConst = ctx.constant(bName);
  if (bConst) {
    let data = floatData(bConst);
    if (transB) data = transpose2d(data, n, k);
    if (alpha !== 1) data = data.map((v) => v * alpha);
    b = ctx.constTensor(`${label}_B`, [k, n], data);
  } else {
    requireF32(ctx, bName);
    b = ctx.tensor(bName);
    if (transB) {
      const t = ctx.tempTensor(`${label}_Bt`, [k, n]);
      ctx.step('transpose', [b], [t], { perm: [1, 0] }, `${label}_transB`);
      b = t;
    }
    if (alpha !== 1) {
      // alpha must scale A*B only, not C: scale A before the product.
      const t = ctx.tempTensor(`${label}_Ascaled`, [m, k]);
      ctx.step('eltwise', [a], [t], { alg: 'linear', alpha, beta: 0 }, `${label}_alpha`);
      a = t;
    }
  }

  const out = ctx.tensor(node.outputs[0]);
  const post = postOpAttrs(ctx);
  const cConst = cName ? ctx.constant(cName) : undefined;
  const cDims = cName ? ctx.type(cName).dims : [];
  const cCount = cDims.reduce((x, y) => x * y, 1);

  if (!cName || beta === 0) {
    ctx.step('matmul', [a, b, -1, ...post.sumInputs], [out], post.attrs);
    return;
  }
  if (cConst && (cCount === 1 || (cDims[cDims.length - 1] === n && cCount === n))) {
    // beta * C broadcast along rows: the matmul bias (N).
    const src = floatData(cConst);
    const bias = new Float32Array(n);
    for (let j = 0; j < n; j++) bias[j] = beta * src[cCount === 1 ? 0 : j];
    ctx.step('matmul', [a, b, ctx.constTensor(`${label}_bias`, [n], bias), ...post.sumInputs], [out], post.attrs);
    return;
  }
  if (!cConst && sameDims(cDims, outDims)) {
    // A computed C with the output's dims: a leading `sum` post-op with scale beta.
    requireF32(ctx, cName);
    const names = ['sum', ...((post.attrs.post_ops as string[] | undefined) ?? [])];
    const pa = [beta, ...((post.attrs.post_alpha as number[] | undefined) ?? [])];
    const pb = [0, ...((post.attrs.post_beta as number[] | undefined) ?? [])];
    ctx.step('matmul', [a, b, -1, ctx.tensor(cName), ...post.sumInputs], [out], { post_ops: names, post_alpha: pa, post_beta: pb });
    return;
  }
  // General C: product, then + beta * C as a binary add, then the post-ops as their own steps.
  const prod = ctx.tempTensor(`${label}_AB`, outDims);
  ctx.step('matmul', [a, b, -1], [prod]);
  let c: number;
  if (cConst) {
    c = ctx.constTensor(`${label}_C`, cDims, floatData(cConst).map((v) => v * beta));
  } else {
    requireF32(ctx, cName);
    c = ctx.tensor(cName);
    if (beta !== 1) {
      const t = ctx.tempTensor(`${label}_Cscaled`, cDims);
      ctx.step('eltwise', [c], [t], { alg: 'linear', alpha: beta, beta: 0 }, `${label}_beta`);
      c = t;
    }
  }
  const hasPost = (node.postOps ?? []).length > 0;
  const sum = hasPost ? ctx.tempTensor(`${label}_ABC`, outDims) : out;
  ctx.step('binary', [prod, c], [sum], { alg: 'add' }, `${label}_addC`);
  if (hasPost) emitPostOpsAsSteps(ctx, sum, out, outDims);
}
