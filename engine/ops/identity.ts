// Identity and Dropout (inference: identity). Usually removed by the Identity-removal pass; a
// remaining one (e.g. a graph output) is a `copy`.

import { makeTensor, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, rejectPostOps, requireF32, requireInput } from './common';

function passthrough(opType: string): OpDef {
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      // Dropout's optional mask output is bool of the input's dims.
      return ctx.node.outputs.map((_, i) => (i === 0 ? { dtype: x.dtype, dims: [...x.dims] } : { dtype: 'bool' as const, dims: [...x.dims] }));
    },
    evaluate(node, inputs) {
      const x = inputs[0]!;
      const y: Tensor = { dtype: x.dtype, dims: [...x.dims], data: x.data.slice() as Tensor['data'] };
      return node.outputs.map((_, i) => (i === 0 ? y : makeTensor('bool', x.dims, new Array<number>(x.data.length).fill(1))));
    },
    lower(ctx) {
      rejectPostOps(ctx);
      if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') ctx.fail('the mask output is not supported');
      const x = inputName(ctx.node, 0);
      requireF32(ctx, x);
      ctx.step('copy', [ctx.tensor(x)], [ctx.tensor(ctx.node.outputs[0])]);
    },
  };
}

export const Identity = passthrough('Identity');
export const Dropout = passthrough('Dropout');
