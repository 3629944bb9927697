// ONNX Conv -> native `conv` (1-3 spatial dims, groups, dilations, auto_pad resolved into pads,
// fused post-ops).

import { attrInt, attrInts } from '../ir/graph';
import type { OpDef } from './op';
import { fixedInputCount, inputName, postOpAttrs, requireF32, requireInput } from './common';
import { resolveWindow } from './window';

export const Conv: OpDef = {
  opType: 'Conv',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const w = requireInput(ctx, 1);
    const k = x.dims.length - 2;
    if (k < 1) ctx.fail(`input rank ${x.dims.length} is too small`);
    if (w.dims.length !== x.dims.length) ctx.fail(`weight rank ${w.dims.length} differs from input rank ${x.dims.length}`);
    const group = attrInt(ctx.node, 'group', 1);
    if (x.dims[1] !== w.dims[1] * group) ctx.fail(`input has ${x.dims[1]} channels, weight expects ${w.dims[1]} x group ${group}`);
    if (w.dims[0] % group !== 0) ctx.fail(`${w.dims[0]} output channels do not divide into ${group} groups`);
    const b = fixedInputCount(ctx.node) > 2 ? ctx.input(2) : undefined;
    if (b && (b.dims.length !== 1 || b.dims[0] !== w.dims[0])) ctx.fail(`bias shape [${b.dims.join(',')}] should be [${w.dims[0]}]`);
    const kernel = attrInts(ctx.node, 'kernel_shape', undefined) ?? w.dims.slice(2);
    const win = resolveWindow(ctx.node, x.dims.slice(2), kernel, ctx.fail);
    return [{ dtype: x.dtype, dims: [x.dims[0], w.dims[0], ...win.out] }];
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
    const kernel = attrInts(node, 'kernel_shape', undefined) ?? w.dims.slice(2);
    const k = x.dims.length - 2;
    if (k > 3) ctx.fail(`${k} spatial dims are not supported (1 to 3)`);
    const win = resolveWindow(node, x.dims.slice(2), kernel, ctx.fail);
    const post = postOpAttrs(ctx);
    ctx.step(
      'conv',
      [ctx.tensor(xName), ctx.tensor(wName), bName ? ctx.tensor(bName) : -1, ...post.sumInputs],
      [ctx.tensor(node.outputs[0])],
      { strides: win.strides, pads: win.pads, dilations: win.dilations, group: attrInt(node, 'group', 1), ...post.attrs },
    );
  },
};
