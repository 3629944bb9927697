// ONNX Squeeze -> native `reshape`. Axes: attribute before opset 13, optional input from 13;
// no axes removes every 1.

import { attrInts, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { normAxes, requireInput } from './common';
import { lowerAsReshape, withDims } from './reshape';

type Fail = (m: string) => never;

/** Axes from the attribute (opset < 13) or input 1; undefined when not given. */
export function axesArg(node: Node, opset: number, since: number, input: Tensor | undefined, hasInput: boolean, fail: Fail): number[] | undefined {
  if (opset < since) return attrInts(node, 'axes', undefined);
  if (!hasInput) return undefined;
  if (!input) fail('the axes input must be a constant');
  return Array.from(input.data as ArrayLike<number>);
}

function squeezeDims(dims: number[], axes: number[] | undefined, fail: Fail): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const ax = normAxes(axes, dims.length, fail);
  for (const a of ax) if (dims[a] !== 1) fail(`cannot squeeze axis ${a} of size ${dims[a]}`);
  return dims.filter((_, i) => !ax.includes(i));
}

export const Squeeze: OpDef = {
  opType: 'Squeeze',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const axes = axesArg(ctx.node, ctx.opset, 13, ctx.constant(1), !!ctx.input(1), ctx.fail);
    return [{ dtype: x.dtype, dims: squeezeDims(x.dims, axes, ctx.fail) }];
  },
  evaluate(node, inputs, opset) {
    const fail = (m: string): never => {
      throw new Error(m);
    };
    const axes = axesArg(node, opset, 13, inputs[1], !!inputs[1], fail);
    return [withDims(inputs[0]!, squeezeDims(inputs[0]!.dims, axes, fail))];
  },
  lower: lowerAsReshape,
};
