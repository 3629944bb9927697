// Every activation and broadcast binary op against onnxruntime.

import { opCases, type OpCase } from '../helpers/op-case';
import { floatAttr, type AttrInput } from '../helpers/onnx-builder';

function unary(op: string, attrs: Record<string, AttrInput> = {}, range: [number, number] = [-3, 3], opset = 13, label = op): OpCase {
  return { label, opset, inputs: { x: [2, 3, 4, 5] }, outputs: ['y'], range, build: (b) => void b.node(op, ['x'], ['y'], attrs) };
}

function binary(op: string, a: number[], bDims: number[], constB = false, range: [number, number] = [-2, 2]): OpCase {
  return {
    label: `${op} [${a}] with ${constB ? 'constant ' : ''}[${bDims}]`,
    inputs: constB ? { a } : { a, b: bDims },
    outputs: ['y'],
    range,
    build(b) {
      if (constB) b.initializer('b', bDims, Array.from({ length: bDims.reduce((x, y) => x * y, 1) }, (_, i) => 0.5 + (i % 5) * 0.25));
      b.node(op, ['a', 'b'], ['y']);
    },
  };
}

opCases([
  unary('Relu'),
  unary('LeakyRelu', { alpha: floatAttr(0.1) }),
  unary('Sigmoid'),
  unary('HardSigmoid', { alpha: floatAttr(0.3), beta: floatAttr(0.4) }),
  unary('HardSwish', {}, [-5, 5], 14),
  unary('Tanh'),
  unary('Erf'),
  unary('Elu', { alpha: floatAttr(0.7) }),
  unary('Selu'),
  unary('Exp', {}, [-3, 3]),
  unary('Log', {}, [0.01, 5]),
  unary('Sqrt', {}, [0, 5]),
  unary('Abs'),
  unary('Neg'),
  unary('Reciprocal', {}, [0.5, 3]),
  unary('Softplus'),
  unary('Gelu', {}, [-3, 3], 20, 'Gelu (erf)'),
  unary('Gelu', { approximate: 'tanh' }, [-3, 3], 20, 'Gelu (tanh)'),
  unary('Clip', { min: floatAttr(-0.5), max: floatAttr(0.7) }, [-3, 3], 6, 'Clip opset 6 attributes'),
  {
    label: 'Clip opset 13 min/max inputs (max absent)',
    inputs: { x: [3, 7] },
    outputs: ['y'],
    build(b) {
      b.initializer('lo', [], [0]);
      b.node('Clip', ['x', 'lo', ''], ['y']);
    },
  },
  {
    label: 'PRelu per-channel slope',
    inputs: { x: [1, 3, 4, 4] },
    outputs: ['y'],
    build(b) {
      b.initializer('s', [3, 1, 1], [0.1, 0.2, 0.3]);
      b.node('PRelu', ['x', 's'], ['y']);
    },
  },
  binary('Add', [2, 3, 4], [2, 3, 4]),
  binary('Add', [2, 3, 4], [4]),
  binary('Sub', [4], [2, 3, 4]),
  binary('Mul', [2, 1, 4], [3, 1]),
  binary('Div', [2, 3, 4], [3, 1], true),
  binary('Div', [1], [2, 3], true),
  binary('Pow', [2, 3], [3], true, [0.1, 2]),
  binary('Max', [3, 1, 5], [4, 1]),
  binary('Min', [1, 4], [3, 4], true),
  binary('Sub', [2, 3, 4], [1], true),
  {
    label: 'Sum of three with broadcasting',
    inputs: { a: [2, 3], b: [3], c: [2, 1] },
    outputs: ['y'],
    build: (b) => void b.node('Sum', ['a', 'b', 'c'], ['y']),
  },
  {
    label: 'Max of three',
    inputs: { a: [2, 3], b: [2, 3], c: [1, 3] },
    outputs: ['y'],
    build: (b) => void b.node('Max', ['a', 'b', 'c'], ['y']),
  },
]);
