// Einsum of one or two operands with an explicit output ("bgnid,bgnjd->bgnij", MaxViT's relative
// attention), no ellipsis, no repeated label within an operand. Two operands lower to a batched
// matmul: labels in both inputs and the output are batch axes, in both inputs only are contracted,
// in one input and the output are its free axes; each operand is transposed to
// [batch..., free..., contracted...] (A) / [batch..., contracted..., free...] (B), reshaped to 3-D,
// multiplied, reshaped and transposed to the output order. One operand is a transpose (plus a
// ReduceSum over labels absent from the output).

import { attrString } from '../ir/graph';
import { numel } from '../ir/tensor';
import type { LowerContext, OpDef } from './op';
import { inputName, rejectPostOps, requireF32, requireInput } from './common';

type Fail = (m: string) => never;

interface Spec {
  inputs: string[][];
  output: string[];
}

/** Parses the equation (labels are letters; spaces are ignored, as ONNX allows). */
export function parseEinsum(eq: string, operands: number, fail: Fail): Spec {
  const clean = eq.replace(/\s+/g, '');
  if (clean.includes('...')) fail(`equation '${eq}': ellipsis is not supported`);
  const arrow = clean.indexOf('->');
  if (arrow < 0) fail(`equation '${eq}': an explicit output ('->') is required`);
  const ins = clean.slice(0, arrow).split(',');
  const out = clean.slice(arrow + 2);
  if (ins.length !== operands) fail(`equation '${eq}' has ${ins.length} operands, the node ${operands}`);
  if (operands < 1 || operands > 2) fail(`only 1 or 2 operands are supported, got ${operands}`);
  const labels = (s: string) => {
    if (!/^[a-zA-Z]*$/.test(s)) fail(`equation '${eq}': '${s}' is not a list of letters`);
    const l = s.split('');
    if (new Set(l).size !== l.length) fail(`equation '${eq}': repeated label in '${s}' (diagonals) is not supported`);
    return l;
  };
  const spec = { inputs: ins.map(labels), output: labels(out) };
  for (const l of spec.output) if (!spec.inputs.some((i) => i.includes(l))) fail(`equation '${eq}': output label '${l}' is in no input`);
  return spec;
}

function sizes(spec: Spec, dims: number[][], fail: Fail): Map<string, number> {
  const size = new Map<string, number>();
  spec.inputs.forEach((labels, k) => {
    if (labels.length !== dims[k].length) fail(`operand ${k} has rank ${dims[k].length}, its labels '${labels.join('')}' ${labels.length}`);
    labels.forEach((l, i) => {
      const d = dims[k][i];
      const have = size.get(l);
      if (have !== undefined && have !== d) fail(`label '${l}' has size ${have} and ${d}`);
      size.set(l, d);
    });
  });
  return size;
}

/** Emits a transpose of `t` (labels `from`) to label order `to` unless it is the identity. */
function permute(ctx: LowerContext, t: number, from: string[], to: string[], size: Map<string, number>, tag: string): number {
  const perm = to.map((l) => from.indexOf(l));
  if (perm.every((p, i) => p === i)) return t;
  const out = ctx.tempTensor(`${ctx.node.name}_${tag}`, to.map((l) => size.get(l)!));
  ctx.step('transpose', [t], [out], { perm }, `${ctx.node.name}_${tag}`);
  return out;
}

function reshaped(ctx: LowerContext, t: number, dims: number[], tag: string): number {
  const out = ctx.tempTensor(`${ctx.node.name}_${tag}`, dims);
  ctx.step('reshape', [t], [out], {}, `${ctx.node.name}_${tag}`);
  return out;
}

export const Einsum: OpDef = {
  opType: 'Einsum',
  domain: '',
  infer(ctx) {
    const ins = ctx.node.inputs.map((_, i) => requireInput(ctx, i));
    const spec = parseEinsum(attrString(ctx.node, 'equation', ''), ins.length, ctx.fail);
    const size = sizes(spec, ins.map((t) => t.dims), ctx.fail);
    return [{ dtype: ins[0].dtype, dims: spec.output.map((l) => size.get(l)!) }];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const names = node.inputs.map((_, i) => inputName(node, i));
    names.forEach((n) => requireF32(ctx, n));
    const spec = parseEinsum(attrString(node, 'equation', ''), names.length, ctx.fail);
    const size = sizes(spec, names.map((n) => ctx.type(n).dims), ctx.fail);
    const out = ctx.tensor(node.outputs[0]);
    const dimsOf = (ls: string[]) => ls.map((l) => size.get(l)!);
    if (names.length === 1) {
      const [a] = spec.inputs;
      const summed = a.filter((l) => !spec.output.includes(l));
      let t = ctx.tensor(names[0]);
      let labels = a;
      if (summed.length) {
        const kept = a.filter((l) => spec.output.includes(l));
        const r = ctx.tempTensor(`${node.name}_sum`, dimsOf(kept));
        ctx.step('reduce', [t], [r], { alg: 'sum', axes: summed.map((l) => a.indexOf(l)).sort((x, y) => x - y), keepdims: 0 }, `${node.name}_sum`);
        t = r;
        labels = kept;
      }
      const p = spec.output.map((l) => labels.indexOf(l));
      ctx.step(p.every((v, i) => v === i) ? 'copy' : 'transpose', [t], [out], p.every((v, i) => v === i) ? {} : { perm: p });
      return;
    }
    const [a, b] = spec.inputs;
    const batch = spec.output.filter((l) => a.includes(l) && b.includes(l));
    const contracted = a.filter((l) => b.includes(l) && !spec.output.includes(l));
    const freeA = a.filter((l) => !b.includes(l) && spec.output.includes(l));
    const freeB = b.filter((l) => !a.includes(l) && spec.output.includes(l));
    const onlyA = a.filter((l) => !b.includes(l) && !spec.output.includes(l));
    const onlyB = b.filter((l) => !a.includes(l) && !spec.output.includes(l));
    if (onlyA.length || onlyB.length) ctx.fail(`equation '${attrString(node, 'equation', '')}': labels summed within one operand (${[...onlyA, ...onlyB].join('')}) are not supported`);
    const prod = (ls: string[]) => numel(dimsOf(ls));
    const [B, M, N, K] = [prod(batch), prod(freeA), prod(freeB), prod(contracted)];
    const ta = reshaped(ctx, permute(ctx, ctx.tensor(names[0]), a, [...batch, ...freeA, ...contracted], size, 'a_t'), [B, M, K], 'a_3d');
    const tb = reshaped(ctx, permute(ctx, ctx.tensor(names[1]), b, [...batch, ...contracted, ...freeB], size, 'b_t'), [B, K, N], 'b_3d');
    const mm = ctx.tempTensor(`${node.name}_mm`, [B, M, N]);
    ctx.step('matmul', [ta, tb, -1], [mm], {}, `${node.name}_matmul`);
    const natural = [...batch, ...freeA, ...freeB];
    const perm = spec.output.map((l) => natural.indexOf(l));
    if (perm.every((p, i) => p === i)) {
      ctx.step('reshape', [mm], [out], {}, `${node.name}_out`);
      return;
    }
    const full = reshaped(ctx, mm, dimsOf(natural), 'unflat');
    ctx.step('transpose', [full], [out], { perm }, `${node.name}_out`);
  },
};
