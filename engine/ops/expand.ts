// ONNX Expand: numpy broadcast of the input to a constant shape. Folded on constants; at runtime
// a broadcast `binary` add of a zero constant with the target dims.

import { numel } from '../ir/tensor';
import type { OpDef } from './op';
import { broadcastMap, broadcastShapes, constNumbers, inputName, rejectPostOps, requireF32, requireInput } from './common';

export const Expand: OpDef = {
  opType: 'Expand',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const shape = constNumbers(ctx, 1);
    if (!shape) return ctx.fail('the shape input must be a constant');
    return [{ dtype: x.dtype, dims: broadcastShapes([x.dims, shape], ctx.fail) }];
  },
  evaluate(_node, inputs) {
    const x = inputs[0]!;
    const shape = Array.from(inputs[1]!.data as ArrayLike<number>);
    const fail = (m: string): never => {
      throw new Error(m);
    };
    const dims = broadcastShapes([x.dims, shape], fail);
    // Broadcasting against a tensor of the target dims does the expansion.
    const target = { dtype: x.dtype, dims, data: new Float64Array(numel(dims)) };
    return [broadcastMap([x, target], x.dtype, ([v]) => v, fail)];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const x = inputName(ctx.node, 0);
    requireF32(ctx, x);
    const outDims = ctx.type(ctx.node.outputs[0]).dims;
    const zeros = ctx.constTensor(`${ctx.node.name}_zeros`, outDims, new Float32Array(numel(outDims)));
    ctx.step('binary', [ctx.tensor(x), zeros], [ctx.tensor(ctx.node.outputs[0])], { alg: 'add' });
  },
};
