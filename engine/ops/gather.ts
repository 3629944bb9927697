// ONNX Gather: folded exactly on constants (shape arithmetic). At runtime a native `gather` step
// (any dtype; indices s32, computed or constant): token ids into an embedding table. Quantized data
// with constant indices lowers to one `slice` per index, a `concat` along the axis and a `reshape`
// (data[:axis] + indices.dims + data[axis+1:] is that concatenation, row-major), which move int8
// bytes with their scale.

import { attrInt } from '../ir/graph';
import { numel, stridesOf, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxis, rejectPostOps, remap, requireInput, valueOperand } from './common';

const MAX_LOWERED_INDICES = 64;

function indexValues(t: Tensor, d: number, fail: (m: string) => never): number[] {
  return Array.from(t.data as ArrayLike<number>).map((v) => {
    const i = v < 0 ? v + d : v;
    if (i < 0 || i >= d) fail(`index ${v} is out of range for an axis of size ${d}`);
    return i;
  });
}

export const Gather: OpDef = {
  opType: 'Gather',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const idx = requireInput(ctx, 1);
    const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx.fail);
    return [{ dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)] }];
  },
  evaluate(node, inputs) {
    const [x, idxT] = inputs as Tensor[];
    const fail = (m: string): never => {
      throw new Error(m);
    };
    const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length, fail);
    const idx = indexValues(idxT, x.dims[axis], fail);
    const q = idxT.dims.length;
    const outDims = [...x.dims.slice(0, axis), ...idxT.dims, ...x.dims.slice(axis + 1)];
    const s = stridesOf(x.dims);
    const is = stridesOf(idxT.dims);
    return [
      remap(x, outDims, (c) => {
        let off = 0;
        for (let a = 0; a < axis; a++) off += c[a] * s[a];
        let flat = 0;
        for (let j = 0; j < q; j++) flat += c[axis + j] * is[j];
        off += idx[flat] * s[axis];
        for (let a = axis + 1; a < x.dims.length; a++) off += c[a + q - 1] * s[a];
        return off;
      }),
    ];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const xName = inputName(node, 0);
    const dims = ctx.type(xName).dims;
    const axis = normAxis(attrInt(node, 'axis', 0), dims.length, ctx.fail);
    const iName = inputName(node, 1);
    const idxT = ctx.constant(iName);
    const iType = ctx.type(iName).dtype;
    if (iType !== 'int64' && iType !== 'int32') ctx.fail(`indices '${iName}' have dtype ${iType}; expected int64 or int32`);
    if (ctx.type(xName).dtype !== 'float32' || !idxT) {
      // Plain values of any runtime dtype, indices checked (and negatives wrapped) by the step.
      if (idxT) indexValues(idxT, dims[axis], ctx.fail);
      ctx.step('gather', [valueOperand(ctx, xName), valueOperand(ctx, iName, 'int32')], [ctx.tensor(node.outputs[0])], { axis });
      return;
    }
    if (indexValues(idxT, dims[axis], ctx.fail).length > MAX_LOWERED_INDICES) {
      ctx.step('gather', [ctx.tensor(xName), valueOperand(ctx, iName, 'int32')], [ctx.tensor(node.outputs[0])], { axis });
      return;
    }
    const idx = indexValues(idxT, dims[axis], ctx.fail);
    if (idx.length === 0 || idx.length > MAX_LOWERED_INDICES) ctx.fail(`${idx.length} indices: only 1 to ${MAX_LOWERED_INDICES} are supported at runtime`);
    const x = ctx.tensor(xName);
    const out = ctx.tensor(node.outputs[0]);
    const sliceDims = dims.map((d, a) => (a === axis ? 1 : d));
    const parts = idx.map((i, k) => {
      const t = ctx.tempTensor(`${node.name}_idx${k}`, sliceDims);
      ctx.step('slice', [x], [t], { starts: dims.map((_, a) => (a === axis ? i : 0)), steps: dims.map(() => 1) }, `${node.name}_slice${k}`);
      return t;
    });
    let joined = parts[0];
    if (parts.length > 1) {
      joined = ctx.tempTensor(`${node.name}_joined`, dims.map((d, a) => (a === axis ? idx.length : d)));
      ctx.step('concat', parts, [joined], { axis }, `${node.name}_concat`);
    }
    void numel;
    ctx.step('reshape', [joined], [out], {}, `${node.name}_reshape`);
  },
};
