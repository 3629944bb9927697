// Resize (opset 10, 11+, 18 axes/keep_aspect_ratio_policy) and Upsample -> native `resize`.
// Output dims come from `sizes` or floor(in * scale) in float32 (as onnxruntime); the step gets
// the scales the coordinate transform uses (given scales, or out/in when sizes were given).
// Upsample and Resize-10 use the asymmetric transform with onnxruntime's "simple" nearest rule
// (floor when upsampling, ceil when downsampling).

import { attrFloat, attrFloats, attrInt, attrInts, attrString, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxes, rejectPostOps, requireF32, requireInput } from './common';

type Fail = (m: string) => never;

interface ResizePlan {
  dims: number[];
  attrs: { mode: string; coord: string; nearest_mode: string; scales: number[]; roi: number[]; cubic_coeff_a: number; exclude_outside: number; extrapolation_value: number };
}

function legacy(node: Node): boolean {
  return node.opType === 'Upsample';
}

function resizePlan(node: Node, opset: number, inDims: number[], get: (i: number) => Tensor | undefined, has: (i: number) => boolean, fail: Fail): ResizePlan {
  const r = inDims.length;
  const nums = (i: number): number[] | undefined => {
    if (!has(i)) return undefined;
    const t = get(i);
    if (!t) fail(`input ${i} must be a constant`);
    const v = Array.from(t.data as ArrayLike<number>);
    return v.length === 0 ? undefined : v;
  };
  let mode = attrString(node, 'mode', 'nearest');
  if (mode === 'bilinear' || mode === 'trilinear') mode = 'linear';
  const oldStyle = legacy(node) || opset < 11;
  if (oldStyle) {
    const scales = legacy(node) && opset < 9 ? attrFloats(node, 'scales', undefined) : nums(1);
    if (!scales || scales.length !== r) fail(`scales must have ${r} values`);
    const dims = inDims.map((d, i) => Math.floor(Math.fround(Math.fround(scales[i]) * d)));
    const down = scales.some((s) => s < 1);
    return {
      dims,
      attrs: { mode, coord: 'asymmetric', nearest_mode: down ? 'ceil' : 'floor', scales, roi: [...inDims.map(() => 0), ...inDims.map(() => 1)], cubic_coeff_a: -0.75, exclude_outside: 0, extrapolation_value: 0 },
    };
  }
  if (attrInt(node, 'antialias', 0) !== 0) fail('antialias is not supported');
  const axesAttr = attrInts(node, 'axes', undefined);
  const axes = axesAttr ? normAxes(axesAttr, r, fail) : Array.from({ length: r }, (_, i) => i);
  // Expands per-`axes` values onto every axis (others keep `dflt`).
  const full = (v: number[], dflt: number): number[] => {
    if (v.length !== axes.length) fail(`expected ${axes.length} values, got ${v.length}`);
    const out = new Array<number>(r).fill(dflt);
    axes.forEach((a, i) => (out[a] = v[i]));
    return out;
  };
  const roiIn = nums(1);
  let roi = [...inDims.map(() => 0), ...inDims.map(() => 1)];
  if (roiIn) {
    const n = axes.length;
    if (roiIn.length !== 2 * n) fail(`roi has ${roiIn.length} values, expected ${2 * n}`);
    const b = full(roiIn.slice(0, n), 0);
    const e = full(roiIn.slice(n), 1);
    roi = [...b, ...e];
  }
  const scalesIn = nums(2);
  const sizesIn = nums(3);
  let dims: number[];
  let scales: number[];
  if (sizesIn) {
    if (scalesIn) fail('only one of scales and sizes may be given');
    let sizes = full(sizesIn, 0).map((s, i) => (axes.includes(i) ? s : inDims[i]));
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') {
      const ratios = axes.map((a) => sizes[a] / inDims[a]);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      sizes = inDims.map((d, i) => (axes.includes(i) ? Math.floor(s * d + 0.5) : d));
      scales = inDims.map((_, i) => (axes.includes(i) ? s : 1));
    } else scales = sizes.map((s, i) => s / inDims[i]);
    dims = sizes;
  } else if (scalesIn) {
    scales = full(scalesIn, 1);
    dims = inDims.map((d, i) => Math.floor(Math.fround(Math.fround(scales[i]) * d)));
  } else return fail('one of scales and sizes is required');
  return {
    dims,
    attrs: {
      mode,
      coord: attrString(node, 'coordinate_transformation_mode', 'half_pixel'),
      nearest_mode: attrString(node, 'nearest_mode', 'round_prefer_floor'),
      scales,
      roi,
      cubic_coeff_a: attrFloat(node, 'cubic_coeff_a', -0.75),
      exclude_outside: attrInt(node, 'exclude_outside', 0),
      extrapolation_value: attrFloat(node, 'extrapolation_value', 0),
    },
  };
}

function resizeOp(opType: string): OpDef {
  return {
    opType,
    domain: '',
    infer(ctx) {
      const x = requireInput(ctx, 0);
      const p = resizePlan(ctx.node, ctx.opset, x.dims, (i) => ctx.constant(i), (i) => !!ctx.input(i), ctx.fail);
      return [{ dtype: x.dtype, dims: p.dims }];
    },
    lower(ctx) {
      rejectPostOps(ctx);
      const node = ctx.node;
      const x = inputName(node, 0);
      requireF32(ctx, x);
      const p = resizePlan(node, ctx.opset, ctx.type(x).dims, (i) => ctx.constant(inputName(node, i)), (i) => inputName(node, i) !== '', ctx.fail);
      if (!['nearest', 'linear', 'cubic'].includes(p.attrs.mode)) ctx.fail(`mode '${p.attrs.mode}' is not supported`);
      ctx.step('resize', [ctx.tensor(x)], [ctx.tensor(node.outputs[0])], { ...p.attrs });
    },
  };
}

export const Resize = resizeOp('Resize');
export const Upsample = resizeOp('Upsample');
