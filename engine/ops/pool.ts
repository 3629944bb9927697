// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool -> native `pool`. ceil_mode is folded
// into the pad ends. onnxruntime does not count the ceil extension in an include-pad average, so
// that case pads explicitly (zeros that count) and pools excluding the remaining extension.

import { attrInt, attrInts } from '../ir/graph';
import type { LowerContext, OpDef, InferContext } from './op';
import { inputName, rejectPostOps, requireF32, requireInput } from './common';
import { padsWithCeil, resolveWindow } from './window';

function kernelOf(ctx: InferContext | LowerContext): number[] {
  const k = attrInts(ctx.node, 'kernel_shape', undefined);
  if (!k) return ctx.fail("attribute 'kernel_shape' is required");
  return k;
}

function inferPool(ctx: InferContext) {
  const x = requireInput(ctx, 0);
  if (x.dims.length < 3) ctx.fail(`input rank ${x.dims.length} is below 3`);
  if (ctx.node.opType === 'MaxPool' && attrInt(ctx.node, 'storage_order', 0) !== 0) ctx.fail('storage_order=1 is not supported');
  const win = resolveWindow(ctx.node, x.dims.slice(2), kernelOf(ctx), ctx.fail, attrInt(ctx.node, 'ceil_mode', 0) !== 0);
  const y = { dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...win.out] };
  // MaxPool's optional Indices output has the same dims (int64); it is rejected at lowering.
  return ctx.node.outputs.map((_, i) => (i === 0 ? y : { dtype: 'int64' as const, dims: [...y.dims] }));
}

function lowerPool(ctx: LowerContext): void {
  rejectPostOps(ctx);
  const node = ctx.node;
  const xName = inputName(node, 0);
  requireF32(ctx, xName);
  if (node.outputs.length > 1 && node.outputs[1] !== '') ctx.fail('the Indices output is not supported');
  const x = ctx.type(xName);
  const inSp = x.dims.slice(2);
  const k = inSp.length;
  if (k > 3) ctx.fail(`${k} spatial dims are not supported (1 to 3)`);
  const ceil = attrInt(node, 'ceil_mode', 0) !== 0;
  const win = resolveWindow(node, inSp, kernelOf(ctx), ctx.fail, ceil);
  const pads = padsWithCeil(win, inSp, ctx.fail);
  const isMax = node.opType === 'MaxPool';
  const includePad = !isMax && attrInt(node, 'count_include_pad', 0) !== 0;
  const out = ctx.tensor(node.outputs[0]);
  const attrs = { kernel: win.kernel, strides: win.strides, dilations: win.dilations };
  const extended = pads.some((p, i) => p !== win.pads[i]);
  if (includePad && extended && win.pads.some((p) => p !== 0)) {
    // The declared pads become zeros that count; what lies past them (ceil's extension) does not.
    const explicitEnd = pads.slice(k).map((p, i) => Math.min(p, win.pads[k + i]));
    const padded = x.dims.map((d, i) => (i < 2 ? d : d + win.pads[i - 2] + explicitEnd[i - 2]));
    const t = ctx.tempTensor(`${node.name}_padded`, padded);
    const full = [0, 0, ...win.pads.slice(0, k), 0, 0, ...explicitEnd];
    ctx.step('pad', [ctx.tensor(xName)], [t], { mode: 'constant', pads: full, value: 0 }, `${node.name}_pad`);
    const rest = [...new Array<number>(k).fill(0), ...pads.slice(k).map((p, i) => p - explicitEnd[i])];
    ctx.step('pool', [t], [out], { alg: 'avg_exclude_pad', pads: rest, ...attrs });
    return;
  }
  // With no explicit pads, only the ceil extension pads: onnxruntime excludes it from the count.
  const alg = isMax ? 'max' : includePad && !extended ? 'avg_include_pad' : 'avg_exclude_pad';
  ctx.step('pool', [ctx.tensor(xName)], [out], { alg, pads, ...attrs });
}

export const MaxPool: OpDef = { opType: 'MaxPool', domain: '', infer: inferPool, lower: lowerPool };
export const AveragePool: OpDef = { opType: 'AveragePool', domain: '', infer: inferPool, lower: lowerPool };

function globalPool(opType: string, alg: string): OpDef {
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      if (x.dims.length < 3) ctx.fail(`input rank ${x.dims.length} is below 3`);
      return [{ dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)] }];
    },
    lower(ctx) {
      rejectPostOps(ctx);
      const xName = inputName(ctx.node, 0);
      requireF32(ctx, xName);
      const sp = ctx.type(xName).dims.slice(2);
      if (sp.length > 3) ctx.fail(`${sp.length} spatial dims are not supported (1 to 3)`);
      ctx.step('pool', [ctx.tensor(xName)], [ctx.tensor(ctx.node.outputs[0])], {
        alg,
        kernel: sp,
        strides: sp.map(() => 1),
        pads: [...sp, ...sp].map(() => 0),
        dilations: sp.map(() => 1),
      });
    },
  };
}

export const GlobalAveragePool = globalPool('GlobalAveragePool', 'avg_exclude_pad');
export const GlobalMaxPool = globalPool('GlobalMaxPool', 'max');
