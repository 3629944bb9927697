// Broadcast arithmetic -> native `binary` (Add, Sub, Mul, Div, Pow, variadic Max/Min/Sum, Mean),
// plus the comparison/logic ops that only appear in shape arithmetic (folded, never lowered).
// Every one also evaluates exactly on constants: integers (int64 as float64) stay integers.

import type { DType, Tensor } from '../ir/tensor';
import { attrInt } from '../ir/graph';
import type { InferContext, LowerContext, OpDef } from './op';
import { broadcastMap, broadcastShapes, floatData, inputName, isFloatType, rejectPostOps, requireF32, requireInput } from './common';

type Fn = (a: number, b: number, dtype: DType) => number;

const ARITH: Record<string, { alg: string; fn: Fn }> = {
  Add: { alg: 'add', fn: (a, b) => a + b },
  Sub: { alg: 'sub', fn: (a, b) => a - b },
  Mul: { alg: 'mul', fn: (a, b) => a * b },
  // Integer division truncates toward zero (C semantics, as onnxruntime).
  Div: { alg: 'div', fn: (a, b, t) => (isFloatType(t) ? a / b : Math.trunc(a / b)) },
  Pow: { alg: 'pow', fn: (a, b) => Math.pow(a, b) },
};

const VARIADIC: Record<string, { alg: string; fn: Fn }> = {
  Max: { alg: 'max', fn: (a, b) => Math.max(a, b) },
  Min: { alg: 'min', fn: (a, b) => Math.min(a, b) },
  Sum: { alg: 'add', fn: (a, b) => a + b },
};

function present(ctx: InferContext): { dtype: DType; dims: number[] }[] {
  const out = [];
  for (let i = 0; i < ctx.node.inputs.length; i++) {
    const t = ctx.input(i);
    if (t) out.push(t);
  }
  if (out.length === 0) ctx.fail('needs at least one input');
  return out;
}

function inferBroadcast(ctx: InferContext, outDtype?: DType) {
  const ins = present(ctx);
  return [{ dtype: outDtype ?? ins[0].dtype, dims: broadcastShapes(ins.map((t) => t.dims), ctx.fail) }];
}

function fold(node: { inputs: string[] }, inputs: (Tensor | undefined)[], outDtype: DType | undefined, fn: (vals: number[], dtype: DType) => number): Tensor[] {
  const ins = inputs.filter((t): t is Tensor => t !== undefined);
  const dtype = outDtype ?? ins[0].dtype;
  const inDtype = ins[0].dtype;
  return [
    broadcastMap(ins, dtype, (v) => fn(v, inDtype), (m) => {
      throw new Error(m);
    }),
  ];
}

/** Plan id of an operand: a constant of another dtype (e.g. an int exponent) becomes float32. */
function operand(ctx: LowerContext, name: string): number {
  const c = ctx.constant(name);
  if (c && c.dtype !== 'float32') {
    if (!isFloatType(c.dtype) && c.dtype !== 'int64' && c.dtype !== 'int32') ctx.fail(`constant '${name}' has dtype ${c.dtype}`);
    return ctx.constTensor(`${ctx.node.name}_${name}_f32`, c.dims, floatData(c));
  }
  requireF32(ctx, name);
  return ctx.tensor(name);
}

/** Chains a binary alg over the present inputs (pairwise, broadcast dims in between). */
function lowerChain(ctx: LowerContext, alg: string, scale?: number): void {
  rejectPostOps(ctx);
  const names = ctx.node.inputs.filter((n) => n !== '');
  const out = ctx.tensor(ctx.node.outputs[0]);
  const outDims = ctx.type(ctx.node.outputs[0]).dims;
  if (names.length === 1 && scale === undefined) {
    ctx.step('copy', [operand(ctx, names[0])], [out]);
    return;
  }
  let cur = operand(ctx, names[0]);
  let curDims = ctx.type(names[0]).dims;
  for (let i = 1; i < names.length; i++) {
    curDims = broadcastShapes([curDims, ctx.type(names[i]).dims], ctx.fail);
    const last = i === names.length - 1 && scale === undefined;
    const dst = last ? out : ctx.tempTensor(`${ctx.node.name}_acc${i}`, curDims);
    ctx.step('binary', [cur, operand(ctx, names[i])], [dst], { alg });
    cur = dst;
  }
  if (scale !== undefined) ctx.step('eltwise', [cur], [out], { alg: 'linear', alpha: scale, beta: 0 }, `${ctx.node.name}_mean`);
  void outDims;
}

function arith(opType: string, alg: string, fn: Fn): OpDef {
  return {
    opType,
    domain: '',
    infer: (ctx) => inferBroadcast(ctx),
    evaluate: (node, inputs) => fold(node, inputs, undefined, (v, t) => fn(v[0], v[1], t)),
    lower: (ctx) => lowerChain(ctx, alg),
  };
}

function variadic(opType: string, alg: string, fn: Fn): OpDef {
  return {
    opType,
    domain: '',
    infer: (ctx) => inferBroadcast(ctx),
    evaluate: (node, inputs) => fold(node, inputs, undefined, (v, t) => v.reduce((a, b) => fn(a, b, t))),
    lower: (ctx) => lowerChain(ctx, alg),
  };
}

export const Mean: OpDef = {
  opType: 'Mean',
  domain: '',
  infer: (ctx) => inferBroadcast(ctx),
  evaluate: (node, inputs) => fold(node, inputs, undefined, (v) => v.reduce((a, b) => a + b) / v.length),
  lower: (ctx) => lowerChain(ctx, 'add', 1 / ctx.node.inputs.filter((n) => n !== '').length),
};

/** Mod: fmod=0 is Python's sign-of-divisor remainder (integers), fmod=1 is C fmod. */
export const Mod: OpDef = {
  opType: 'Mod',
  domain: '',
  infer: (ctx) => inferBroadcast(ctx),
  evaluate(node, inputs) {
    const fmod = attrInt(node, 'fmod', 0) !== 0;
    return fold(node, inputs, undefined, ([a, b]) => {
      const r = a % b;
      return fmod || r === 0 || Math.sign(r) === Math.sign(b) ? r : r + b;
    });
  },
};

function logic(opType: string, fn: (v: number[]) => boolean): OpDef {
  return {
    opType,
    domain: '',
    infer: (ctx) => inferBroadcast(ctx, 'bool'),
    evaluate: (node, inputs) => fold(node, inputs, 'bool', (v) => (fn(v) ? 1 : 0)),
  };
}

export const Not: OpDef = {
  opType: 'Not',
  domain: '',
  infer: (ctx) => [{ dtype: 'bool', dims: [...requireInput(ctx, 0).dims] }],
  evaluate: (node, inputs) => fold(node, inputs, 'bool', ([a]) => (a ? 0 : 1)),
};

/** Where(cond, x, y): broadcast select, constant folding only. */
export const Where: OpDef = {
  opType: 'Where',
  domain: '',
  infer(ctx) {
    const ins = [0, 1, 2].map((i) => requireInput(ctx, i));
    return [{ dtype: ins[1].dtype, dims: broadcastShapes(ins.map((t) => t.dims), ctx.fail) }];
  },
  evaluate(_node, inputs) {
    const [c, x, y] = inputs as Tensor[];
    return [
      broadcastMap([c, x, y], x.dtype, ([cv, xv, yv]) => (cv ? xv : yv), (m) => {
        throw new Error(m);
      }),
    ];
  },
};

export const BINARY_OPS: OpDef[] = [
  ...Object.entries(ARITH).map(([op, d]) => arith(op, d.alg, d.fn)),
  ...Object.entries(VARIADIC).map(([op, d]) => variadic(op, d.alg, d.fn)),
  Mean,
  Mod,
  Not,
  Where,
  logic('Equal', ([a, b]) => a === b),
  logic('Less', ([a, b]) => a < b),
  logic('LessOrEqual', ([a, b]) => a <= b),
  logic('Greater', ([a, b]) => a > b),
  logic('GreaterOrEqual', ([a, b]) => a >= b),
  logic('And', ([a, b]) => a !== 0 && b !== 0),
  logic('Or', ([a, b]) => a !== 0 || b !== 0),
  logic('Xor', ([a, b]) => (a !== 0) !== (b !== 0)),
];
