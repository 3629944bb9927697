// ONNX ConvTranspose -> native `deconv`. output_shape and auto_pad are resolved into explicit
// pads; output_padding is carried by subtracting it from the pad ends (PLAN.md).

import { attrInt, attrInts, attrString, type Node } from '../ir/graph';
import type { OpDef } from './op';
import { fixedInputCount, intsOr, inputName, postOpAttrs, requireF32, requireInput } from './common';

type Fail = (message: string) => never;

interface DeconvGeometry {
  strides: number[];
  dilations: number[];
  /** Begins then ends, ONNX meaning (output_padding not yet subtracted). */
  pads: number[];
  outputPadding: number[];
  out: number[];
}

function geometry(node: Node, inSp: number[], kernel: number[], fail: Fail): DeconvGeometry {
  const k = inSp.length;
  const strides = intsOr(attrInts(node, 'strides', undefined), k, 1);
  const dilations = intsOr(attrInts(node, 'dilations', undefined), k, 1);
  const outputPadding = intsOr(attrInts(node, 'output_padding', undefined), k, 0);
  if (strides.length !== k || dilations.length !== k || outputPadding.length !== k) fail('strides/dilations/output_padding length differs from the spatial rank');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let outputShape = attrInts(node, 'output_shape', undefined);
  if (outputShape && outputShape.length === k + 2) outputShape = outputShape.slice(2);
  if (outputShape && outputShape.length !== k) fail(`output_shape has ${outputShape.length} values, expected ${k}`);
  const full = (i: number) => strides[i] * (inSp[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
  let pads: number[];
  const out: number[] = [];
  if (outputShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      const o = outputShape ? outputShape[i] : inSp[i] * strides[i];
      const total = full(i) - o;
      if (total < 0) fail(`output_shape ${o} on spatial axis ${i} is larger than the full output ${full(i)}`);
      const half = Math.floor(total / 2);
      // ONNX: SAME_UPPER puts the extra pad at the end, otherwise at the beginning.
      if (autoPad === 'SAME_UPPER') {
        pads[i] = half;
        pads[i + k] = total - half;
      } else {
        pads[i] = total - half;
        pads[i + k] = half;
      }
      out.push(o);
    }
  } else {
    pads = autoPad === 'VALID' ? new Array<number>(2 * k).fill(0) : intsOr(attrInts(node, 'pads', undefined), 2 * k, 0);
    if (pads.length !== 2 * k) fail(`pads has ${pads.length} values, expected ${2 * k}`);
    for (let i = 0; i < k; i++) out.push(full(i) - pads[i] - pads[i + k]);
  }
  if (out.some((o) => o < 1)) fail(`output spatial size [${out.join(',')}] is empty`);
  return { strides, dilations, pads, outputPadding, out };
}

export const ConvTranspose: OpDef = {
  opType: 'ConvTranspose',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const w = requireInput(ctx, 1);
    const k = x.dims.length - 2;
    if (k < 1) ctx.fail(`input rank ${x.dims.length} is too small`);
    if (w.dims.length !== x.dims.length) ctx.fail(`weight rank ${w.dims.length} differs from input rank ${x.dims.length}`);
    const group = attrInt(ctx.node, 'group', 1);
    if (w.dims[0] !== x.dims[1]) ctx.fail(`input has ${x.dims[1]} channels, weight expects ${w.dims[0]}`);
    const m = w.dims[1] * group;
    const b = fixedInputCount(ctx.node) > 2 ? ctx.input(2) : undefined;
    if (b && (b.dims.length !== 1 || b.dims[0] !== m)) ctx.fail(`bias shape [${b.dims.join(',')}] should be [${m}]`);
    const kernel = attrInts(ctx.node, 'kernel_shape', undefined) ?? w.dims.slice(2);
    const g = geometry(ctx.node, x.dims.slice(2), kernel, ctx.fail);
    return [{ dtype: x.dtype, dims: [x.dims[0], m, ...g.out] }];
  },
  lower(ctx) {
    const node = ctx.node;
    const xName = inputName(node, 0);
    const wName = inputName(node, 1);
    const bName = fixedInputCount(node) > 2 ? inputName(node, 2) : '';
    requireF32(ctx, xName);
    const x = ctx.type(xName);
    const w = ctx.type(wName);
    if (!ctx.constant(wName)) ctx.fail('the weight must be a constant');
    if (bName && !ctx.constant(bName)) ctx.fail('the bias must be a constant');
    const k = x.dims.length - 2;
    if (k > 3) ctx.fail(`${k} spatial dims are not supported (1 to 3)`);
    const kernel = attrInts(node, 'kernel_shape', undefined) ?? w.dims.slice(2);
    const g = geometry(node, x.dims.slice(2), kernel, ctx.fail);
    const pads = [...g.pads];
    for (let i = 0; i < k; i++) pads[i + k] -= g.outputPadding[i];
    const post = postOpAttrs(ctx);
    ctx.step(
      'deconv',
      [ctx.tensor(xName), ctx.tensor(wName), bName ? ctx.tensor(bName) : -1, ...post.sumInputs],
      [ctx.tensor(node.outputs[0])],
      { strides: g.strides, pads, dilations: g.dilations, group: attrInt(node, 'group', 1), ...post.attrs },
    );
  },
};
