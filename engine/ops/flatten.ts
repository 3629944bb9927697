// ONNX Flatten -> native `reshape` to (prod(dims[:axis]), prod(dims[axis:])).

import { attrInt, type Node } from '../ir/graph';
import type { OpDef } from './op';
import { requireInput } from './common';
import { lowerAsReshape, withDims } from './reshape';

function flattenDims(node: Node, dims: number[], fail: (m: string) => never): number[] {
  const r = dims.length;
  let axis = attrInt(node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) fail(`axis ${attrInt(node, 'axis', 1)} is out of range for rank ${r}`);
  const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);
  return [prod(dims.slice(0, axis)), prod(dims.slice(axis))];
}

export const Flatten: OpDef = {
  opType: 'Flatten',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    return [{ dtype: x.dtype, dims: flattenDims(ctx.node, x.dims, ctx.fail) }];
  },
  evaluate(node, inputs) {
    const x = inputs[0]!;
    return [withDims(x, flattenDims(node, x.dims, (m) => { throw new Error(m); }))];
  },
  lower: lowerAsReshape,
};
