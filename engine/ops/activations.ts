// Element-wise activations -> native `eltwise`. Each entry maps an ONNX op to an eltwise alg with
// its alpha/beta and carries a scalar reference (used for constant folding and as the reference
// implementation the fast path is tested against).

import { attrFloat, attrString, type Node } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { EltwiseAlg } from '../ir/graph';
import type { InferContext, LowerContext, OpDef } from './op';
import { castValue, floatData, inputName, isFloatType, newTensor, rejectPostOps, requireF32, requireInput } from './common';

const FLT_MAX = 3.4028234663852886e38;

interface Eltwise {
  alg: EltwiseAlg;
  alpha: number;
  beta: number;
}

/** Abramowitz-Stegun 7.1.26 is too coarse for 1e-4 work: use a series/continued-fraction erf. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: converges fast for |x| < 2.5 in double precision.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc, accurate for large |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return x > 0 ? 1 - erfc : erfc - 1;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Scalar reference of an eltwise alg (PLAN.md semantics). */
export function eltwiseRef(e: Eltwise, x: number): number {
  const { alpha, beta } = e;
  switch (e.alg) {
    case 'relu':
      return x > 0 ? x : alpha * x;
    case 'clip':
      return Math.min(beta, Math.max(alpha, x));
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return Math.tanh(x);
    case 'hardsigmoid':
      return Math.max(0, Math.min(1, alpha * x + beta));
    case 'hardswish':
      return x * Math.max(0, Math.min(1, x / 6 + 0.5));
    case 'gelu_erf':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_tanh':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    case 'erf':
      return erf(x);
    case 'elu':
      return x > 0 ? x : alpha * (Math.exp(x) - 1);
    case 'linear':
      return alpha * x + beta;
    case 'exp':
      return Math.exp(x);
    case 'log':
      return Math.log(x);
    case 'sqrt':
      return Math.sqrt(x);
    case 'abs':
      return Math.abs(x);
    case 'square':
      return x * x;
    case 'softplus':
      return Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
    case 'swish':
      return x * sigmoid(alpha * x);
  }
}

/** Clip bounds: attributes before opset 11, optional constant inputs after. */
function clipBounds(node: Node, opset: number, constant: (i: number) => Tensor | undefined, fail: (m: string) => never): Eltwise {
  if (opset < 11) return { alg: 'clip', alpha: attrFloat(node, 'min', -FLT_MAX), beta: attrFloat(node, 'max', FLT_MAX) };
  const bound = (i: number, dflt: number) => {
    if (!inputName(node, i)) return dflt;
    const t = constant(i);
    if (!t) fail(`input ${i} (${i === 1 ? 'min' : 'max'}) must be a constant`);
    return (t.data as ArrayLike<number>)[0];
  };
  return { alg: 'clip', alpha: bound(1, -FLT_MAX), beta: bound(2, FLT_MAX) };
}

type AlgOf = (node: Node) => Eltwise;
const simple = (alg: EltwiseAlg, alpha = 0, beta = 0): AlgOf => () => ({ alg, alpha, beta });

const TABLE: Record<string, AlgOf> = {
  Relu: simple('relu'),
  LeakyRelu: (n) => ({ alg: 'relu', alpha: attrFloat(n, 'alpha', 0.01), beta: 0 }),
  Sigmoid: simple('sigmoid'),
  HardSigmoid: (n) => ({ alg: 'hardsigmoid', alpha: attrFloat(n, 'alpha', 0.2), beta: attrFloat(n, 'beta', 0.5) }),
  HardSwish: simple('hardswish'),
  Tanh: simple('tanh'),
  Erf: simple('erf'),
  Elu: (n) => ({ alg: 'elu', alpha: attrFloat(n, 'alpha', 1), beta: 0 }),
  Exp: simple('exp'),
  Log: simple('log'),
  Sqrt: simple('sqrt'),
  Abs: simple('abs'),
  Neg: simple('linear', -1, 0),
  Softplus: simple('softplus'),
  Gelu: (n) => {
    const approx = attrString(n, 'approximate', 'none');
    return { alg: approx === 'tanh' ? 'gelu_tanh' : 'gelu_erf', alpha: 0, beta: 0 };
  },
};

function evalUnary(inputs: (Tensor | undefined)[], f: (x: number) => number): Tensor[] {
  const x = inputs[0]!;
  const out = newTensor(x.dtype, x.dims);
  const src = x.data as ArrayLike<number>;
  for (let i = 0; i < src.length; i++) out.data[i] = castValue(f(src[i]), x.dtype);
  return [out];
}

function inferSame(ctx: InferContext) {
  const x = requireInput(ctx, 0);
  return [{ dtype: x.dtype, dims: [...x.dims] }];
}

function lowerEltwise(ctx: LowerContext, e: Eltwise): void {
  rejectPostOps(ctx);
  requireF32(ctx, inputName(ctx.node, 0));
  ctx.step('eltwise', [ctx.tensor(inputName(ctx.node, 0))], [ctx.tensor(ctx.node.outputs[0])], { alg: e.alg, alpha: e.alpha, beta: e.beta });
}

function makeActivation(opType: string, algOf: AlgOf): OpDef {
  return {
    opType,
    domain: '',
    infer: inferSame,
    evaluate(node, inputs) {
      const e = algOf(node);
      // Neg and Abs also apply to integer tensors (shape arithmetic); exact there.
      if (!isFloatType(inputs[0]!.dtype) && e.alg !== 'linear' && e.alg !== 'abs' && e.alg !== 'relu') {
        throw new Error(`${opType} of ${inputs[0]!.dtype} is not folded`);
      }
      return evalUnary(inputs, (x) => eltwiseRef(e, x));
    },
    lower(ctx) {
      lowerEltwise(ctx, algOf(ctx.node));
    },
  };
}

export const ACTIVATIONS: OpDef[] = Object.entries(TABLE).map(([op, f]) => makeActivation(op, f));

export const Clip: OpDef = {
  opType: 'Clip',
  domain: '',
  infer: inferSame,
  evaluate(node, inputs, opset) {
    const e = clipBounds(node, opset, (i) => inputs[i], (m) => {
      throw new Error(m);
    });
    return evalUnary(inputs, (x) => eltwiseRef(e, x));
  },
  lower(ctx) {
    const e = clipBounds(ctx.node, ctx.opset, (i) => ctx.constant(inputName(ctx.node, i)), ctx.fail);
    lowerEltwise(ctx, e);
  },
};

/** Selu = gamma * elu_alpha(x): an elu step then a linear step. */
export const Selu: OpDef = {
  opType: 'Selu',
  domain: '',
  infer: inferSame,
  lower(ctx) {
    rejectPostOps(ctx);
    const xName = inputName(ctx.node, 0);
    requireF32(ctx, xName);
    const alpha = attrFloat(ctx.node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(ctx.node, 'gamma', 1.05070102214813232421875);
    const t = ctx.tempTensor(`${ctx.node.name}_elu`, ctx.type(xName).dims);
    ctx.step('eltwise', [ctx.tensor(xName)], [t], { alg: 'elu', alpha, beta: 0 });
    ctx.step('eltwise', [t], [ctx.tensor(ctx.node.outputs[0])], { alg: 'linear', alpha: gamma, beta: 0 });
  },
};

/** Reciprocal = 1 / x as a broadcast binary division. */
export const Reciprocal: OpDef = {
  opType: 'Reciprocal',
  domain: '',
  infer: inferSame,
  evaluate: (_node, inputs) => evalUnary(inputs, (x) => 1 / x),
  lower(ctx) {
    rejectPostOps(ctx);
    const xName = inputName(ctx.node, 0);
    requireF32(ctx, xName);
    const one = ctx.constTensor(`${ctx.node.name}_one`, [1], new Float32Array([1]));
    ctx.step('binary', [one, ctx.tensor(xName)], [ctx.tensor(ctx.node.outputs[0])], { alg: 'div' });
  },
};

/** PRelu: a constant scalar slope is a leaky relu; otherwise relu(x) + slope * min(x, 0). */
export const PRelu: OpDef = {
  opType: 'PRelu',
  domain: '',
  infer: inferSame,
  lower(ctx) {
    rejectPostOps(ctx);
    const node = ctx.node;
    const xName = inputName(node, 0);
    const sName = inputName(node, 1);
    requireF32(ctx, xName);
    const dims = ctx.type(xName).dims;
    const out = ctx.tensor(node.outputs[0]);
    const slope = ctx.constant(sName);
    if (slope && slope.data.length === 1) {
      ctx.step('eltwise', [ctx.tensor(xName)], [out], { alg: 'relu', alpha: (slope.data as ArrayLike<number>)[0], beta: 0 });
      return;
    }
    requireF32(ctx, sName);
    const s = slope ? ctx.constTensor(`${node.name}_slope`, slope.dims, floatData(slope)) : ctx.tensor(sName);
    const x = ctx.tensor(xName);
    const pos = ctx.tempTensor(`${node.name}_pos`, dims);
    const neg = ctx.tempTensor(`${node.name}_neg`, dims);
    const scaled = ctx.tempTensor(`${node.name}_negscaled`, dims);
    const zero = ctx.constTensor(`${node.name}_zero`, [1], new Float32Array([0]));
    ctx.step('eltwise', [x], [pos], { alg: 'relu', alpha: 0, beta: 0 });
    ctx.step('binary', [x, zero], [neg], { alg: 'min' });
    ctx.step('binary', [neg, s], [scaled], { alg: 'mul' });
    ctx.step('binary', [pos, scaled], [out], { alg: 'add' });
  },
};

/** Rounding ops appear in shape arithmetic only: constant folding, no runtime lowering. */
function rounding(opType: string, f: (x: number) => number): OpDef {
  return { opType, domain: '', infer: inferSame, evaluate: (_n, inputs) => evalUnary(inputs, f) };
}

/** Round half to even, as ONNX Round. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const ROUNDING: OpDef[] = [rounding('Floor', Math.floor), rounding('Ceil', Math.ceil), rounding('Round', roundEven)];
