// Constant and ConstantOfShape: values known at load time, folded into initializers.

import { attrFloat, attrFloats, attrInt, attrInts, attrTensor, type Node } from '../ir/graph';
import { makeTensor, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { newTensor, requireInput } from './common';

function constantValue(node: Node, fail: (m: string) => never): Tensor {
  const t = attrTensor(node, 'value');
  if (t) return t;
  if (node.attrs.value_float) return makeTensor('float32', [], [attrFloat(node, 'value_float', 0)]);
  if (node.attrs.value_int) return makeTensor('int64', [], [attrInt(node, 'value_int', 0)]);
  const fs = attrFloats(node, 'value_floats', undefined);
  if (fs) return makeTensor('float32', [fs.length], fs);
  const is = attrInts(node, 'value_ints', undefined);
  if (is) return makeTensor('int64', [is.length], is);
  return fail('needs a value, value_float(s) or value_int(s) attribute (sparse and string values are not supported)');
}

export const Constant: OpDef = {
  opType: 'Constant',
  domain: '',
  infer(ctx) {
    const t = constantValue(ctx.node, ctx.fail);
    return [{ dtype: t.dtype, dims: [...t.dims] }];
  },
  evaluate(node) {
    const t = constantValue(node, (m) => {
      throw new Error(m);
    });
    return [{ dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as Tensor['data'] }];
  },
};

function fillValue(node: Node): Tensor {
  return attrTensor(node, 'value') ?? makeTensor('float32', [1], [0]);
}

export const ConstantOfShape: OpDef = {
  opType: 'ConstantOfShape',
  domain: '',
  infer(ctx) {
    requireInput(ctx, 0);
    const shape = ctx.constant(0);
    if (!shape) return ctx.fail('the shape input must be a constant');
    return [{ dtype: fillValue(ctx.node).dtype, dims: Array.from(shape.data as ArrayLike<number>) }];
  },
  evaluate(node, inputs) {
    const v = fillValue(node);
    const out = newTensor(v.dtype, Array.from(inputs[0]!.data as ArrayLike<number>));
    out.data.fill((v.data as ArrayLike<number>)[0]);
    return [out];
  },
};
