// Shape and Size: constant-only (their values follow from static shapes), folded away before
// lowering. Shape supports the opset 15 start/end slice.

import { attrInt, type Node } from '../ir/graph';
import { makeTensor } from '../ir/tensor';
import type { OpDef } from './op';
import { requireInput } from './common';

function shapeRange(node: Node, rank: number): [number, number] {
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  return [clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', rank))];
}

export const Shape: OpDef = {
  opType: 'Shape',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const [s, e] = shapeRange(ctx.node, x.dims.length);
    return [{ dtype: 'int64', dims: [Math.max(0, e - s)] }];
  },
  evaluate(node, inputs) {
    const dims = inputs[0]!.dims;
    const [s, e] = shapeRange(node, dims.length);
    const v = dims.slice(s, Math.max(s, e));
    return [makeTensor('int64', [v.length], v)];
  },
};

export const Size: OpDef = {
  opType: 'Size',
  domain: '',
  infer: () => [{ dtype: 'int64', dims: [] }],
  evaluate: (_node, inputs) => [makeTensor('int64', [], [inputs[0]!.dims.reduce((a, b) => a * b, 1)])],
};
