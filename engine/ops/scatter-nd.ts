// ScatterND (opset 11; reduction none/add/mul from 16): data with the slices addressed by
// indices[..., :k] replaced by (or reduced with) updates. Folded on constants (Swin's shifted-window
// attention mask is built this way from static shapes); at runtime a native `scatter_nd` step.

import { attrString } from '../ir/graph';
import { numel, stridesOf, type Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, rejectPostOps, requireInput, valueOperand } from './common';

type Fail = (m: string) => never;

function reduction(node: Parameters<NonNullable<OpDef['evaluate']>>[0], fail: Fail): 'none' | 'add' | 'mul' {
  const r = attrString(node, 'reduction', 'none');
  if (r !== 'none' && r !== 'add' && r !== 'mul') fail(`reduction '${r}' is not supported (none, add, mul)`);
  return r as 'none' | 'add' | 'mul';
}

function checkShapes(data: number[], indices: number[], updates: number[], fail: Fail): number {
  if (indices.length < 1) fail('indices must have rank >= 1');
  const k = indices[indices.length - 1];
  if (k < 1 || k > data.length) fail(`indices' last dim ${k} must be in 1..${data.length} (the rank of data)`);
  const want = [...indices.slice(0, -1), ...data.slice(k)];
  if (want.join(',') !== updates.join(',')) fail(`updates have dims [${updates}]; expected [${want}] (indices.shape[:-1] + data.shape[k:])`);
  return k;
}

export const ScatterND: OpDef = {
  opType: 'ScatterND',
  domain: '',
  infer(ctx) {
    const [d, i, u] = [0, 1, 2].map((k) => requireInput(ctx, k));
    checkShapes(d.dims, i.dims, u.dims, ctx.fail);
    reduction(ctx.node, ctx.fail);
    return [{ dtype: d.dtype, dims: [...d.dims] }];
  },
  evaluate(node, inputs) {
    const [data, idx, upd] = inputs as Tensor[];
    const fail: Fail = (m) => {
      throw new Error(m);
    };
    const k = checkShapes(data.dims, idx.dims, upd.dims, fail);
    const mode = reduction(node, fail);
    const out: Tensor = { dtype: data.dtype, dims: [...data.dims], data: data.data.slice() };
    const s = stridesOf(data.dims);
    const slice = numel(data.dims.slice(k));
    const n = numel(idx.dims) / k;
    const iv = idx.data as ArrayLike<number>;
    const uv = upd.data as ArrayLike<number>;
    const ov = out.data as unknown as number[];
    for (let j = 0; j < n; j++) {
      let off = 0;
      for (let a = 0; a < k; a++) {
        let v = iv[j * k + a];
        if (v < 0) v += data.dims[a];
        if (v < 0 || v >= data.dims[a]) fail(`index ${iv[j * k + a]} is out of range for an axis of size ${data.dims[a]}`);
        off += v * s[a];
      }
      for (let e = 0; e < slice; e++) {
        const u = uv[j * slice + e];
        ov[off + e] = mode === 'none' ? u : mode === 'add' ? ov[off + e] + u : ov[off + e] * u;
      }
    }
    return [out];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const [d, i, u] = [0, 1, 2].map((k) => inputName(ctx.node, k));
    const t = ctx.type(d).dtype;
    ctx.step('scatter_nd', [valueOperand(ctx, d), valueOperand(ctx, i, 'int32'), valueOperand(ctx, u, t)], [ctx.tensor(ctx.node.outputs[0])], {
      reduction: reduction(ctx.node, ctx.fail),
    });
  },
};
