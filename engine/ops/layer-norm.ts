// LayerNormalization (opset 17): normalise over the dims from `axis` (default -1), then Scale and
// optional B -> native `layernorm`. The older exports' ReduceMean/Sub/Pow/Sqrt/Div(/Mul/Add)
// pattern becomes this op in the fused mode (ir/passes/fuse-layernorm.ts). The optional Mean and
// InvStdDev outputs come from the same step.

import { attrFloat, attrInt } from '../ir/graph';
import { numel } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxis, rejectPostOps, requireF32, requireInput } from './common';

export const LayerNormalization: OpDef = {
  opType: 'LayerNormalization',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const axis = normAxis(attrInt(ctx.node, 'axis', -1), x.dims.length, ctx.fail);
    const inner = numel(x.dims.slice(axis));
    for (const i of [1, 2]) {
      const t = ctx.input(i);
      if (t && numel(t.dims) !== inner && numel(t.dims) !== 1) ctx.fail(`input ${i} has dims [${t.dims}]; it must broadcast over the normalised dims [${x.dims.slice(axis)}]`);
    }
    const stat = x.dims.map((d, i) => (i < axis ? d : 1));
    return ctx.node.outputs.map((_, i) => (i === 0 ? { dtype: x.dtype, dims: [...x.dims] } : { dtype: 'float32' as const, dims: stat }));
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const xName = inputName(node, 0);
    requireF32(ctx, xName);
    const dims = ctx.type(xName).dims;
    const axis = normAxis(attrInt(node, 'axis', -1), dims.length, ctx.fail);
    const inner = numel(dims.slice(axis));
    // Scale and B as `inner` values each (a single value is broadcast).
    const param = (i: number): number => {
      const name = inputName(node, i);
      if (!name) return -1;
      const c = ctx.constant(name);
      if (!c) return ctx.fail(`input ${i} ('${name}') must be a constant`);
      const v = Float32Array.from(c.data as ArrayLike<number>);
      return ctx.constTensor(`${node.name}_${i === 1 ? 'scale' : 'bias'}`, [inner], v.length === inner ? v : new Float32Array(inner).fill(v[0]));
    };
    // Statistics outputs: both or neither on the step (an unread one gets a scratch tensor).
    const outs = [ctx.tensor(node.outputs[0])];
    if (node.outputs[1] || node.outputs[2]) {
      const stat = dims.map((d, i) => (i < axis ? d : 1));
      for (const i of [1, 2]) outs.push(node.outputs[i] ? ctx.tensor(node.outputs[i]) : ctx.tempTensor(`${node.name}_stat${i}`, stat));
    }
    ctx.step('layernorm', [ctx.tensor(xName), param(1), param(2)], outs, { axis, epsilon: attrFloat(node, 'epsilon', 1e-5) });
  },
};
