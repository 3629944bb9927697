// ONNX BatchNormalization (inference form) -> native `batchnorm`. Usually folded into the
// preceding Conv by engine/passes; this lowering covers the unfused mode and unfoldable BNs.

import { attrFloat, attrInt } from '../ir/graph';
import type { OpDef } from './op';
import { inputName, rejectPostOps, requireF32, requireInput } from './common';

export const BatchNormalization: OpDef = {
  opType: 'BatchNormalization',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    if (x.dims.length < 2) ctx.fail(`input rank ${x.dims.length} is below 2`);
    const c = x.dims[1];
    for (let i = 1; i <= 4; i++) {
      const p = requireInput(ctx, i);
      if (p.dims.length !== 1 || p.dims[0] !== c) ctx.fail(`parameter ${i} has shape [${p.dims.join(',')}], expected [${c}]`);
    }
    if (attrInt(ctx.node, 'training_mode', 0) !== 0) ctx.fail('training_mode is not supported');
    // Optional training outputs (running mean/var...) are (C) shaped.
    return ctx.node.outputs.map((_, i) => (i === 0 ? { dtype: x.dtype, dims: [...x.dims] } : { dtype: x.dtype, dims: [c] }));
  },
  lower(ctx) {
    const node = ctx.node;
    rejectPostOps(ctx);
    if (node.outputs.slice(1).some((o) => o !== '')) ctx.fail('training outputs (mean/var) are not supported');
    requireF32(ctx, inputName(node, 0));
    const params = [1, 2, 3, 4].map((i) => {
      const name = inputName(node, i);
      const t = ctx.constant(name);
      if (!t) return ctx.fail(`parameter '${name}' must be a constant`);
      if (t.dtype !== 'float32') ctx.fail(`parameter '${name}' has dtype ${t.dtype}; only float32 is supported`);
      return ctx.tensor(name);
    });
    ctx.step('batchnorm', [ctx.tensor(inputName(node, 0)), ...params], [ctx.tensor(node.outputs[0])], {
      epsilon: attrFloat(node, 'epsilon', 1e-5),
    });
  },
};
