// ONNX Slice -> native `slice` (starts + steps per axis; the output dims give the extents).
// Opset 1: starts/ends/axes attributes; 10+: inputs starts, ends, axes?, steps?. numpy rules:
// negative indices count from the end, out-of-range values clamp, INT64_MAX means "to the end".

import { attrInts, type Node } from '../ir/graph';
import { stridesOf, type Tensor } from '../ir/tensor';
import type { InferContext, OpDef } from './op';
import { inputName, normAxes, rejectPostOps, remap, requireRuntimeValue, requireInput } from './common';

type Fail = (m: string) => never;

export interface SliceArgs {
  starts: number[];
  ends: number[];
  axes?: number[];
  steps?: number[];
}

export interface SliceGeometry {
  /** Per axis of the input. */
  starts: number[];
  steps: number[];
  dims: number[];
}

/** Resolves ONNX slice arguments into per-axis start, step and output size. */
export function sliceGeometry(inDims: number[], args: SliceArgs, fail: Fail): SliceGeometry {
  const r = inDims.length;
  const n = args.starts.length;
  if (args.ends.length !== n) fail(`starts has ${n} values, ends ${args.ends.length}`);
  const axes = normAxes(args.axes ?? Array.from({ length: n }, (_, i) => i), r, fail);
  const steps = args.steps ?? new Array<number>(n).fill(1);
  if (axes.length !== n || steps.length !== n) fail('starts, ends, axes and steps differ in length');
  const g: SliceGeometry = { starts: new Array<number>(r).fill(0), steps: new Array<number>(r).fill(1), dims: [...inDims] };
  for (let i = 0; i < n; i++) {
    const a = axes[i];
    const d = inDims[a];
    const step = steps[i];
    if (step === 0) fail(`step 0 on axis ${a}`);
    let s = args.starts[i];
    let e = args.ends[i];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    const len = Math.max(0, Math.ceil((e - s) / step));
    g.starts[a] = len > 0 ? s : 0;
    g.steps[a] = step;
    g.dims[a] = len;
  }
  return g;
}

export function sliceTensor(x: Tensor, g: SliceGeometry): Tensor {
  const s = stridesOf(x.dims);
  return remap(x, g.dims, (c) => c.reduce((acc, v, i) => acc + (g.starts[i] + v * g.steps[i]) * s[i], 0));
}

function argsOf(node: Node, opset: number, get: (i: number) => Tensor | undefined, has: (i: number) => boolean, fail: Fail): SliceArgs {
  if (opset < 10) {
    const starts = attrInts(node, 'starts', undefined);
    const ends = attrInts(node, 'ends', undefined);
    if (!starts || !ends) fail("attributes 'starts' and 'ends' are required");
    return { starts, ends, axes: attrInts(node, 'axes', undefined) };
  }
  const nums = (i: number): number[] | undefined => {
    if (!has(i)) return undefined;
    const t = get(i);
    if (!t) fail(`input ${i} (${['data', 'starts', 'ends', 'axes', 'steps'][i]}) must be a constant`);
    return Array.from(t.data as ArrayLike<number>);
  };
  return { starts: nums(1) ?? fail('starts is required'), ends: nums(2) ?? fail('ends is required'), axes: nums(3), steps: nums(4) };
}

function inferArgs(ctx: InferContext): SliceArgs {
  return argsOf(ctx.node, ctx.opset, (i) => ctx.constant(i), (i) => !!ctx.input(i), ctx.fail);
}

export const Slice: OpDef = {
  opType: 'Slice',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    return [{ dtype: x.dtype, dims: sliceGeometry(x.dims, inferArgs(ctx), ctx.fail).dims }];
  },
  evaluate(node, inputs, opset) {
    const fail = (m: string): never => {
      throw new Error(m);
    };
    const args = argsOf(node, opset, (i) => inputs[i], (i) => !!inputs[i], fail);
    return [sliceTensor(inputs[0]!, sliceGeometry(inputs[0]!.dims, args, fail))];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const x = inputName(node, 0);
    requireRuntimeValue(ctx, x);
    const args = argsOf(node, ctx.opset, (i) => ctx.constant(inputName(node, i)), (i) => inputName(node, i) !== '', ctx.fail);
    const g = sliceGeometry(ctx.type(x).dims, args, ctx.fail);
    ctx.step('slice', [ctx.tensor(x)], [ctx.tensor(node.outputs[0])], { starts: g.starts, steps: g.steps });
  },
};
