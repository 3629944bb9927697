// Lowering of the int8 nodes the QDQ pass made (engine/passes/qdq-fuse.ts). Native int8 steps
// take their meaning from the dtypes and scales of their tensors (native/PLAN.md "INT8"), so most
// ops reuse their FP32 lowering unchanged through a "real-valued view" of the context: an int8
// value reports dtype float32 (the real value it stands for) while its plan tensor is the int8 one
// with scales. Gemm rewrites its constant weight (transpose), so it has its own int8 lowering;
// pools and reshape-likes whose output scale differs from the input's add a `requantize` step.

import { attrInt, type Node } from '../ir/graph';
import type { QuantParams } from '../passes/qdq-params';
import type { LowerContext, OpDef } from '../ops/op';
import { floatData, fixedInputCount, inputName, postOpAttrs } from '../ops/common';
import type { PlanDType } from '../plan/plan';

/** What lower.ts provides beyond LowerContext: plan tensors carrying quantization. */
export interface Int8Helpers {
  quant(name: string): QuantParams | undefined;
  quantTensor(label: string, dims: number[], dtype: PlanDType, quant: QuantParams, data?: Int8Array): number;
}

/** Ops whose int8 output must carry the input's scale (the runtime moves or pools stored values). */
const SAME_SCALE = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);

/** Whether the lowering should treat `node` as int8 (some value it touches is quantized). */
export function isInt8Node(node: Node, quant: (name: string) => QuantParams | undefined): boolean {
  if (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear') return false;
  return [...node.inputs, ...node.outputs].some((n) => n && quant(n) !== undefined);
}

function realView(ctx: LowerContext, h: Int8Helpers, redirect?: { from: string; to: number }): LowerContext {
  return {
    ...ctx,
    type: (name) => {
      const t = ctx.type(name);
      return h.quant(name) ? { dtype: 'float32', dims: t.dims } : t;
    },
    tensor: (name) => (redirect && name === redirect.from ? redirect.to : ctx.tensor(name)),
  };
}

function sameQuant(a: QuantParams | undefined, b: QuantParams | undefined): boolean {
  return !!a && !!b && a.scales.length === b.scales.length && a.scales.every((s, i) => Math.fround(s) === Math.fround(b.scales[i]) && a.zeroPoints[i] === b.zeroPoints[i]);
}

/** Emits the int8 steps of one node. */
export function lowerInt8Node(op: OpDef, ctx: LowerContext, h: Int8Helpers): void {
  const node = ctx.node;
  if (node.opType === 'Gemm') return lowerInt8Gemm(ctx, h);
  if (SAME_SCALE.has(node.opType)) {
    const x = inputName(node, 0);
    const y = node.outputs[0];
    const qx = h.quant(x);
    const qy = h.quant(y);
    if (qx && qy && !sameQuant(qx, qy)) {
      // The op keeps x's scale; a requantize step moves the result to y's.
      const yt = ctx.type(y);
      const tmp = h.quantTensor(`${node.name}_q`, yt.dims, yt.dtype === 'int8' ? 's8' : 'u8', qx);
      op.lower!(realView(ctx, h, { from: y, to: tmp }));
      ctx.step('requantize', [tmp], [ctx.tensor(y)], {}, `${node.name}_requantize`);
      return;
    }
  }
  op.lower!(realView(ctx, h));
}

/** Gemm with an int8 A and a constant s8 B: B goes to (K, N) with its scales on axis 1. */
function lowerInt8Gemm(ctx: LowerContext, h: Int8Helpers): void {
  const node = ctx.node;
  const view = realView(ctx, h);
  const aName = inputName(node, 0);
  const bName = inputName(node, 1);
  const cName = fixedInputCount(node) > 2 ? inputName(node, 2) : '';
  if (attrInt(node, 'transA', 0) !== 0) ctx.fail('int8 Gemm with transA is not supported');
  const transB = attrInt(node, 'transB', 0) !== 0;
  const w = ctx.constant(bName);
  const wq = h.quant(bName);
  if (!w || w.dtype !== 'int8' || !wq) ctx.fail(`int8 Gemm needs a constant int8 weight with scales, '${bName}' is not one`);
  const [k, n] = transB ? [w.dims[1], w.dims[0]] : w.dims;
  let data = w.data as Int8Array;
  if (transB) {
    const t = new Int8Array(k * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) t[c * n + r] = data[r * k + c];
    data = t;
  }
  const b = h.quantTensor(`${node.name}_B`, [k, n], 's8', { ...wq, axis: wq.scales.length > 1 ? 1 : 0 }, data);
  let bias = -1;
  if (cName) {
    const c = ctx.constant(cName);
    if (!c) ctx.fail('int8 Gemm needs a constant bias');
    if (h.quant(cName)) bias = ctx.tensor(cName);
    else {
      const src = floatData(c);
      if (src.length !== 1 && src.length !== n) ctx.fail(`int8 Gemm bias of ${src.length} values for N=${n}`);
      bias = ctx.constTensor(`${node.name}_bias`, [n], src.length === n ? src : new Float32Array(n).fill(src[0]));
    }
  }
  const post = postOpAttrs(view);
  ctx.step('matmul', [ctx.tensor(aName), b, bias, ...post.sumInputs], [ctx.tensor(node.outputs[0])], post.attrs);
}
