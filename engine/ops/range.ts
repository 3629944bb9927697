// ONNX Range: constant-only; n = max(ceil((limit - start) / delta), 0).

import { makeTensor } from '../ir/tensor';
import type { OpDef } from './op';
import { castValue, requireInput } from './common';

export const Range: OpDef = {
  opType: 'Range',
  domain: '',
  infer(ctx) {
    const t = requireInput(ctx, 0);
    const vals = [0, 1, 2].map((i) => ctx.constant(i));
    if (vals.some((v) => !v)) ctx.fail('start, limit and delta must be constants');
    const [s, l, d] = vals.map((v) => (v!.data as ArrayLike<number>)[0]);
    if (d === 0) ctx.fail('delta is 0');
    return [{ dtype: t.dtype, dims: [Math.max(Math.ceil((l - s) / d), 0)] }];
  },
  evaluate(_node, inputs) {
    const [s, l, d] = inputs.map((v) => (v!.data as ArrayLike<number>)[0]);
    const n = Math.max(Math.ceil((l - s) / d), 0);
    const dtype = inputs[0]!.dtype;
    return [makeTensor(dtype, [n], Array.from({ length: n }, (_, i) => castValue(s + i * d, dtype)))];
  },
};
