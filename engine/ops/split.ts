// ONNX Split -> one native `slice` per output. Sizes: `split` attribute before opset 13, input
// from 13, else equal parts (opset 18: num_outputs, the last part smaller).

import { attrInt, attrInts, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxis, rejectPostOps, requireRuntimeValue, requireInput } from './common';
import { sliceTensor } from './slice';

type Fail = (m: string) => never;

function splitSizes(node: Node, opset: number, dims: number[], splitInput: Tensor | undefined, hasSplitInput: boolean, fail: Fail): { axis: number; sizes: number[] } {
  const axis = normAxis(attrInt(node, 'axis', 0), dims.length, fail);
  const d = dims[axis];
  const n = node.outputs.length;
  let sizes: number[] | undefined;
  if (opset < 13) sizes = attrInts(node, 'split', undefined);
  else if (hasSplitInput) {
    if (!splitInput) fail('the split input must be a constant');
    sizes = Array.from(splitInput.data as ArrayLike<number>);
  }
  if (!sizes) {
    if (opset >= 18 && node.attrs.num_outputs) {
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    } else {
      if (d % n !== 0) fail(`axis ${axis} of size ${d} does not split into ${n} equal parts`);
      sizes = new Array<number>(n).fill(d / n);
    }
  }
  if (sizes.length !== n) fail(`split has ${sizes.length} sizes for ${n} outputs`);
  if (sizes.reduce((a, b) => a + b, 0) !== d) fail(`split sizes [${sizes.join(',')}] do not add up to ${d}`);
  return { axis, sizes };
}

export const Split: OpDef = {
  opType: 'Split',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const { axis, sizes } = splitSizes(ctx.node, ctx.opset, x.dims, ctx.constant(1), !!ctx.input(1), ctx.fail);
    return sizes.map((s) => ({ dtype: x.dtype, dims: x.dims.map((d, i) => (i === axis ? s : d)) }));
  },
  evaluate(node, inputs, opset) {
    const x = inputs[0]!;
    const { axis, sizes } = splitSizes(node, opset, x.dims, inputs[1], !!inputs[1], (m) => {
      throw new Error(m);
    });
    let off = 0;
    return sizes.map((s) => {
      const starts = x.dims.map((_, i) => (i === axis ? off : 0));
      off += s;
      return sliceTensor(x, { starts, steps: x.dims.map(() => 1), dims: x.dims.map((d, i) => (i === axis ? s : d)) });
    });
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const xName = inputName(node, 0);
    requireRuntimeValue(ctx, xName);
    const dims = ctx.type(xName).dims;
    const splitName = inputName(node, 1);
    const { axis, sizes } = splitSizes(node, ctx.opset, dims, splitName ? ctx.constant(splitName) : undefined, splitName !== '', ctx.fail);
    const x = ctx.tensor(xName);
    let off = 0;
    sizes.forEach((s, i) => {
      const starts = dims.map((_, a) => (a === axis ? off : 0));
      off += s;
      if (node.outputs[i] === '') return;
      ctx.step('slice', [x], [ctx.tensor(node.outputs[i])], { starts, steps: dims.map(() => 1) }, `${node.name}:${i}`);
    });
  },
};
