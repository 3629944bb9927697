// ONNX Cast: folded exactly on constants (float -> int truncates toward zero, as static_cast); at
// runtime a `cast` step between the plan dtypes (int64 and int32 are both held as s32, so a cast
// between them, or to the same dtype, is a `copy`).

import { attrInt } from '../ir/graph';
import type { DType } from '../ir/tensor';
import { dtypeFromCode } from '../onnx/dtypes';
import type { OpDef } from './op';
import { castValue, inputName, newTensor, rejectPostOps, requireInput, runtimePlanDtype } from './common';

export function onnxDType(code: number, fail: (m: string) => never): DType {
  const d = dtypeFromCode(code);
  if (!d) fail(`unsupported data type ${code}`);
  return d;
}

export const Cast: OpDef = {
  opType: 'Cast',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    return [{ dtype: onnxDType(attrInt(ctx.node, 'to', 1), ctx.fail), dims: [...x.dims] }];
  },
  evaluate(node, inputs) {
    const x = inputs[0]!;
    const to = onnxDType(attrInt(node, 'to', 1), (m) => {
      throw new Error(m);
    });
    if (to === 'float16' || x.dtype === 'float16' || to === 'string') throw new Error(`Cast to/from ${to === 'string' ? to : 'float16'} is not folded`);
    const out = newTensor(to, x.dims);
    const src = x.data as ArrayLike<number>;
    for (let i = 0; i < src.length; i++) out.data[i] = castValue(src[i], to);
    return [out];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const x = inputName(ctx.node, 0);
    const from = ctx.type(x).dtype;
    const to = onnxDType(attrInt(ctx.node, 'to', 1), ctx.fail);
    if (!runtimePlanDtype(from)) ctx.fail(`Cast from ${from} is not supported at runtime`);
    if (!runtimePlanDtype(to)) ctx.fail(`Cast to ${to} is not supported at runtime`);
    const y = ctx.tensor(ctx.node.outputs[0]);
    const same = runtimePlanDtype(from) === runtimePlanDtype(to) && (to !== 'bool' || from === 'bool');
    if (same) ctx.step('copy', [ctx.tensor(x)], [y]);
    else ctx.step('cast', [ctx.tensor(x)], [y], { to_bool: to === 'bool' ? 1 : 0 });
  },
};
