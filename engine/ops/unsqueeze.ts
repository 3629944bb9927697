// ONNX Unsqueeze -> native `reshape`. Axes (attribute before opset 13, input from 13) index the
// output, negative ones counting from its end.

import type { OpDef } from './op';
import { normAxes, requireInput } from './common';
import { lowerAsReshape, withDims } from './reshape';
import { axesArg } from './squeeze';

function unsqueezeDims(dims: number[], axes: number[] | undefined, fail: (m: string) => never): number[] {
  if (!axes) fail('axes are required');
  const r = dims.length + axes.length;
  const ax = normAxes(axes, r, fail);
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(ax.includes(i) ? 1 : dims[j++]);
  return out;
}

export const Unsqueeze: OpDef = {
  opType: 'Unsqueeze',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const axes = axesArg(ctx.node, ctx.opset, 13, ctx.constant(1), !!ctx.input(1), ctx.fail);
    return [{ dtype: x.dtype, dims: unsqueezeDims(x.dims, axes, ctx.fail) }];
  },
  evaluate(node, inputs, opset) {
    const fail = (m: string): never => {
      throw new Error(m);
    };
    const axes = axesArg(node, opset, 13, inputs[1], !!inputs[1], fail);
    return [withDims(inputs[0]!, unsqueezeDims(inputs[0]!.dims, axes, fail))];
  },
  lower: lowerAsReshape,
};
