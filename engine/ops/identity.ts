// Identity and Dropout (inference: identity). Usually removed by the Identity-removal pass; a
// remaining one (e.g. a graph output) is a `copy`.

import { makeTensor, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import type { Node } from '../ir/graph';
import { inputName, rejectPostOps, requireRuntimeValue, requireInput } from './common';

/** A Dropout is the identity unless training_mode (input 2, opset 12+) may be true and its ratio
 *  (input 1) may be non-zero: then it drops values at random, which inference cannot reproduce. */
export function dropoutIsIdentity(n: Node, constant: (name: string) => Tensor | undefined): boolean {
  const training = n.inputs[2];
  if (!training) return true;
  const t = constant(training);
  if (t && t.data.length === 1 && !t.data[0]) return true;
  const ratio = n.inputs[1] ? constant(n.inputs[1]) : undefined;
  return !!ratio && ratio.data.length === 1 && ratio.data[0] === 0;
}

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
      if (opType === 'Dropout' && !dropoutIsIdentity(ctx.node, ctx.constant)) ctx.fail('training_mode may be true (it is computed or a constant true) with a non-zero ratio: random dropout is not supported; only inference (training_mode false) is');
      const x = inputName(ctx.node, 0);
      requireRuntimeValue(ctx, x);
      ctx.step('copy', [ctx.tensor(x)], [ctx.tensor(ctx.node.outputs[0])]);
      // Inference keeps every element: the mask is all true.
      const mask = ctx.node.outputs[1];
      if (mask) {
        const dims = ctx.type(x).dims;
        const ones = ctx.constTensor(`${ctx.node.name}_mask`, dims, new Uint8Array(dims.reduce((a, b) => a * b, 1)).fill(1), 'u8');
        ctx.step('copy', [ones], [ctx.tensor(mask)], {}, `${ctx.node.name}_mask`);
      }
    },
  };
}

export const Identity = passthrough('Identity');
export const Dropout = passthrough('Dropout');
