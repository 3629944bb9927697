// ONNX Pad -> native `pad` (constant / reflect / edge; negative pads crop). Pads and value are
// attributes before opset 11, inputs from 11; opset 18 adds the optional axes input.

import { attrFloat, attrInts, attrString, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { OpDef } from './op';
import { inputName, normAxes, rejectPostOps, requireF32, requireInput } from './common';

type Fail = (m: string) => never;

interface PadArgs {
  mode: string;
  /** 2*rank, begins then ends, over every axis. */
  pads: number[];
  value: number;
}

function padArgs(node: Node, opset: number, rank: number, get: (i: number) => Tensor | undefined, has: (i: number) => boolean, fail: Fail): PadArgs {
  const mode = attrString(node, 'mode', 'constant');
  if (opset < 11) {
    const pads = attrInts(node, opset < 2 ? 'paddings' : 'pads', undefined);
    if (!pads || pads.length !== 2 * rank) fail(`pads must have ${2 * rank} values`);
    return { mode, pads, value: attrFloat(node, 'value', 0) };
  }
  const nums = (i: number): number[] | undefined => {
    if (!has(i)) return undefined;
    const t = get(i);
    if (!t) fail(`input ${i} (${['data', 'pads', 'constant_value', 'axes'][i]}) must be a constant`);
    return Array.from(t.data as ArrayLike<number>);
  };
  const given = nums(1) ?? fail('pads is required');
  const axes = nums(3);
  let pads = given;
  if (axes) {
    const ax = normAxes(axes, rank, fail);
    if (given.length !== 2 * ax.length) fail(`pads has ${given.length} values for ${ax.length} axes`);
    pads = new Array<number>(2 * rank).fill(0);
    ax.forEach((a, i) => {
      pads[a] = given[i];
      pads[a + rank] = given[i + ax.length];
    });
  } else if (given.length !== 2 * rank) fail(`pads has ${given.length} values, expected ${2 * rank}`);
  const v = nums(2);
  return { mode, pads, value: v && v.length > 0 ? v[0] : 0 };
}

export const Pad: OpDef = {
  opType: 'Pad',
  domain: '',
  infer(ctx) {
    const x = requireInput(ctx, 0);
    const r = x.dims.length;
    const a = padArgs(ctx.node, ctx.opset, r, (i) => ctx.constant(i), (i) => !!ctx.input(i), ctx.fail);
    const dims = x.dims.map((d, i) => d + a.pads[i] + a.pads[i + r]);
    if (dims.some((d) => d < 0)) ctx.fail(`pads [${a.pads.join(',')}] crop more than the input [${x.dims.join(',')}]`);
    if (a.mode === 'reflect' && x.dims.some((d, i) => (a.pads[i] >= d || a.pads[i + r] >= d) && (a.pads[i] > 0 || a.pads[i + r] > 0))) {
      ctx.fail('reflect pads must be smaller than the padded axis');
    }
    return [{ dtype: x.dtype, dims }];
  },
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const x = inputName(node, 0);
    requireF32(ctx, x);
    const r = ctx.type(x).dims.length;
    const a = padArgs(node, ctx.opset, r, (i) => ctx.constant(inputName(node, i)), (i) => inputName(node, i) !== '', ctx.fail);
    if (a.mode !== 'constant' && a.mode !== 'reflect' && a.mode !== 'edge') ctx.fail(`mode '${a.mode}' is not supported`);
    ctx.step('pad', [ctx.tensor(x)], [ctx.tensor(node.outputs[0])], { mode: a.mode, pads: a.pads, value: a.value });
  },
};
