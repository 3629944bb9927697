// Broadcast arithmetic -> native `binary` (Add, Sub, Mul, Div, Pow, variadic Max/Min/Sum, Mean);
// comparisons and logic (Equal, Less, ..., And, Or, Xor, Not) -> native `compare` with a bool
// output, Where -> native `where`. Mostly they are shape arithmetic and fold; at runtime they serve
// masks and bool graph edges. Every one evaluates exactly on constants: integers stay integers.

import type { DType, Tensor } from '../ir/tensor';
import { attrInt } from '../ir/graph';
import type { InferContext, LowerContext, OpDef } from './op';
import { broadcastMap, broadcastShapes, floatData, inputName, isFloatType, rejectPostOps, requireF32, requireInput, valueOperand } from './common';

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

/** x <op> scalar constant as one eltwise `linear` (alpha x + beta): attention's scores / sqrt(d),
 *  BERT's mask * -10000, 1 - mask; a broadcast binary step costs a second operand's reads. */
function scalarLinear(ctx: LowerContext, alg: string, names: string[]): { x: string; alpha: number; beta: number } | undefined {
  if (names.length !== 2) return undefined;
  const val = (n: string) => {
    const c = ctx.constant(n);
    return c && c.data.length === 1 ? Number((c.data as ArrayLike<number>)[0]) : undefined;
  };
  const outDims = ctx.type(ctx.node.outputs[0]).dims.join();
  const [a, b] = names;
  const vb = val(b);
  const va = val(a);
  if (vb !== undefined && va === undefined && ctx.type(a).dims.join() === outDims) {
    if (alg === 'mul') return { x: a, alpha: vb, beta: 0 };
    if (alg === 'div' && vb !== 0) return { x: a, alpha: 1 / vb, beta: 0 };
    if (alg === 'add') return { x: a, alpha: 1, beta: vb };
    if (alg === 'sub') return { x: a, alpha: 1, beta: -vb };
  }
  if (va !== undefined && vb === undefined && ctx.type(b).dims.join() === outDims) {
    if (alg === 'mul') return { x: b, alpha: va, beta: 0 };
    if (alg === 'add') return { x: b, alpha: 1, beta: va };
    if (alg === 'sub') return { x: b, alpha: -1, beta: va };
  }
  return undefined;
}

/** Chains a binary alg over the present inputs (pairwise, broadcast dims in between). */
function lowerChain(ctx: LowerContext, alg: string, scale?: number): void {
  rejectPostOps(ctx);
  const names = ctx.node.inputs.filter((n) => n !== '');
  const out = ctx.tensor(ctx.node.outputs[0]);
  const outDims = ctx.type(ctx.node.outputs[0]).dims;
  const lin = scale === undefined ? scalarLinear(ctx, alg, names) : undefined;
  if (lin && ctx.type(lin.x).dtype === 'float32') {
    ctx.step('eltwise', [ctx.tensor(lin.x)], [out], { alg: 'linear', alpha: lin.alpha, beta: lin.beta });
    return;
  }
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

/** Pow by a constant scalar exponent that an eltwise computes exactly and fast (x^2 in every
 *  LayerNorm pattern: a general pow loop cost ~7 ms per 300K values). */
const POW_ELTWISE: Record<number, { alg: string; alpha?: number }> = { 1: { alg: 'linear', alpha: 1 }, 2: { alg: 'square' }, 0.5: { alg: 'sqrt' } };

function lowerPow(ctx: LowerContext): void {
  const [a, b] = [inputName(ctx.node, 0), inputName(ctx.node, 1)];
  const e = ctx.constant(b);
  const k = e && e.data.length === 1 ? Number((e.data as ArrayLike<number>)[0]) : undefined;
  const el = k === undefined ? undefined : POW_ELTWISE[k];
  const outDims = ctx.type(ctx.node.outputs[0]).dims;
  if (!el || ctx.type(a).dims.join() !== outDims.join() || (ctx.node.postOps ?? []).length) return lowerChain(ctx, 'pow');
  requireF32(ctx, a);
  ctx.step('eltwise', [ctx.tensor(a)], [ctx.tensor(ctx.node.outputs[0])], { alg: el.alg, alpha: el.alpha ?? 0, beta: 0 });
}

function arith(opType: string, alg: string, fn: Fn): OpDef {
  return {
    opType,
    domain: '',
    infer: (ctx) => inferBroadcast(ctx),
    evaluate: (node, inputs) => fold(node, inputs, undefined, (v, t) => fn(v[0], v[1], t)),
    lower: (ctx) => (opType === 'Pow' ? lowerPow(ctx) : lowerChain(ctx, alg)),
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

/** The dtype two operands of a runtime comparison share: a computed operand's, else the first's. */
function commonDtype(ctx: LowerContext, a: string, b: string): DType {
  return ctx.constant(a) && !ctx.constant(b) ? ctx.type(b).dtype : ctx.type(a).dtype;
}

function logic(opType: string, alg: string, fn: (v: number[]) => boolean): OpDef {
  return {
    opType,
    domain: '',
    infer: (ctx) => inferBroadcast(ctx, 'bool'),
    evaluate: (node, inputs) => fold(node, inputs, 'bool', (v) => (fn(v) ? 1 : 0)),
    lower(ctx) {
      rejectPostOps(ctx);
      const [a, b] = [inputName(ctx.node, 0), inputName(ctx.node, 1)];
      const t = commonDtype(ctx, a, b);
      ctx.step('compare', [valueOperand(ctx, a, t), valueOperand(ctx, b, t)], [ctx.tensor(ctx.node.outputs[0])], { alg });
    },
  };
}

export const Not: OpDef = {
  opType: 'Not',
  domain: '',
  infer: (ctx) => [{ dtype: 'bool', dims: [...requireInput(ctx, 0).dims] }],
  evaluate: (node, inputs) => fold(node, inputs, 'bool', ([a]) => (a ? 0 : 1)),
  lower(ctx) {
    rejectPostOps(ctx);
    const x = inputName(ctx.node, 0);
    const zero = ctx.constTensor(`${ctx.node.name}_false`, [], new Uint8Array(1), 'u8');
    ctx.step('compare', [valueOperand(ctx, x, 'bool'), zero], [ctx.tensor(ctx.node.outputs[0])], { alg: 'eq' });
  },
};

/** Where(cond, x, y): broadcast select. */
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
  lower(ctx) {
    rejectPostOps(ctx);
    const [c, x, y] = [0, 1, 2].map((i) => inputName(ctx.node, i));
    const t = commonDtype(ctx, x, y);
    ctx.step('where', [valueOperand(ctx, c, 'bool'), valueOperand(ctx, x, t), valueOperand(ctx, y, t)], [ctx.tensor(ctx.node.outputs[0])]);
  },
};

export const BINARY_OPS: OpDef[] = [
  ...Object.entries(ARITH).map(([op, d]) => arith(op, d.alg, d.fn)),
  ...Object.entries(VARIADIC).map(([op, d]) => variadic(op, d.alg, d.fn)),
  Mean,
  Mod,
  Not,
  Where,
  logic('Equal', 'eq', ([a, b]) => a === b),
  logic('Less', 'lt', ([a, b]) => a < b),
  logic('LessOrEqual', 'le', ([a, b]) => a <= b),
  logic('Greater', 'gt', ([a, b]) => a > b),
  logic('GreaterOrEqual', 'ge', ([a, b]) => a >= b),
  logic('And', 'and', ([a, b]) => a !== 0 && b !== 0),
  logic('Or', 'or', ([a, b]) => a !== 0 || b !== 0),
  logic('Xor', 'xor', ([a, b]) => (a !== 0) !== (b !== 0)),
];
