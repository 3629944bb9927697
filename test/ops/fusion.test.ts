// Fusion-friendly chains, so the fused path (BN folding, eltwise and sum post-ops) is exercised
// against onnxruntime next to the unfused one.

import { opCases, weights } from '../helpers/op-case';
import { floatAttr } from '../helpers/onnx-builder';

function bn(b: import('../helpers/onnx-builder').ModelBuilder, prefix: string, c: number): string[] {
  b.initializer(`${prefix}_s`, [c], weights([c], 51, 1).map((v) => 1 + v));
  b.initializer(`${prefix}_b`, [c], weights([c], 52));
  b.initializer(`${prefix}_m`, [c], weights([c], 53));
  b.initializer(`${prefix}_v`, [c], weights([c], 54, 1).map((v) => 1.2 + v));
  return ['s', 'b', 'm', 'v'].map((k) => `${prefix}_${k}`);
}

opCases([
  {
    label: 'Conv + BatchNormalization + Relu',
    inputs: { x: [1, 3, 8, 8] },
    outputs: ['y'],
    build(b) {
      b.initializer('w', [6, 3, 3, 3], weights([6, 3, 3, 3], 1));
      b.node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] });
      b.node('BatchNormalization', ['c', ...bn(b, 'bn', 6)], ['n'], { epsilon: floatAttr(1e-3) });
      b.node('Relu', ['n'], ['y']);
    },
  },
  {
    label: 'BatchNormalization alone (not foldable)',
    inputs: { x: [2, 4, 3, 3] },
    outputs: ['y'],
    build(b) {
      b.node('BatchNormalization', ['x', ...bn(b, 'bn', 4)], ['y']);
    },
  },
  {
    label: 'residual: Conv + Add(skip) + Relu',
    inputs: { x: [1, 4, 6, 6] },
    outputs: ['y'],
    build(b) {
      b.initializer('w1', [4, 4, 3, 3], weights([4, 4, 3, 3], 2));
      b.initializer('b1', [4], weights([4], 3));
      b.initializer('w2', [4, 4, 3, 3], weights([4, 4, 3, 3], 4));
      b.node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1] });
      b.node('Relu', ['c1'], ['r1']);
      b.node('Conv', ['r1', 'w2'], ['c2'], { pads: [1, 1, 1, 1] });
      b.node('Add', ['c2', 'x'], ['s']);
      b.node('Relu', ['s'], ['y']);
    },
  },
  {
    label: 'residual with the skip on the left: Add(skip, Conv) + Clip (Relu6)',
    inputs: { x: [1, 4, 5, 5] },
    outputs: ['y'],
    build(b) {
      b.initializer('w', [4, 4, 1, 1], weights([4, 4, 1, 1], 5));
      b.initializer('lo', [], [0]);
      b.initializer('hi', [], [6]);
      b.node('Conv', ['x', 'w'], ['c']);
      b.node('Add', ['x', 'c'], ['s']);
      b.node('Clip', ['s', 'lo', 'hi'], ['y']);
    },
  },
  {
    label: 'Gemm + Relu, Gemm + Sigmoid',
    inputs: { x: [3, 8] },
    outputs: ['y'],
    build(b) {
      b.initializer('w1', [16, 8], weights([16, 8], 6));
      b.initializer('b1', [16], weights([16], 7));
      b.initializer('w2', [16, 4], weights([16, 4], 8));
      b.node('Gemm', ['x', 'w1', 'b1'], ['g1'], { transB: 1 });
      b.node('Relu', ['g1'], ['r']);
      b.node('Gemm', ['r', 'w2'], ['g2']);
      b.node('Sigmoid', ['g2'], ['y']);
    },
  },
  {
    label: 'MatMul + Add(bias) + Gelu-like Tanh, with a second output mid-chain',
    inputs: { x: [2, 5, 8] },
    outputs: ['m', 'y'],
    build(b) {
      b.initializer('w', [8, 6], weights([8, 6], 9));
      b.initializer('bias', [6], weights([6], 10));
      b.node('MatMul', ['x', 'w'], ['m']);
      b.node('Add', ['m', 'bias'], ['a']);
      b.node('Tanh', ['a'], ['y']);
    },
  },
  {
    label: 'Conv + LeakyRelu + MaxPool + Flatten + Gemm + Softmax (small CNN)',
    inputs: { x: [2, 1, 8, 8] },
    outputs: ['y'],
    build(b) {
      b.initializer('w', [4, 1, 3, 3], weights([4, 1, 3, 3], 11));
      b.initializer('b', [4], weights([4], 12));
      b.initializer('fc', [10, 64], weights([10, 64], 13));
      b.initializer('fb', [10], weights([10], 14));
      b.node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] });
      b.node('LeakyRelu', ['c'], ['l'], { alpha: floatAttr(0.1) });
      b.node('MaxPool', ['l'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] });
      b.node('Flatten', ['p'], ['f']);
      b.node('Gemm', ['f', 'fc', 'fb'], ['g'], { transB: 1 });
      b.node('Softmax', ['g'], ['y']);
    },
  },
  {
    // The erf GELU pattern fused as a gelu_erf post-op (engine/passes/fuse-gelu.ts), numerically.
    label: 'MatMul + erf GELU (Div, Erf, Add, Mul, Mul) + MatMul',
    inputs: { x: [3, 8] },
    outputs: ['y'],
    build(b) {
      b.initializer('w', [8, 8], weights([8, 8], 15, 1));
      b.initializer('w2', [8, 5], weights([8, 5], 16));
      b.initializer('sqrt2', [], [Math.SQRT2]);
      b.initializer('one', [], [1]);
      b.initializer('half', [], [0.5]);
      b.node('MatMul', ['x', 'w'], ['m']);
      b.node('Div', ['m', 'sqrt2'], ['d']);
      b.node('Erf', ['d'], ['e']);
      b.node('Add', ['e', 'one'], ['a']);
      b.node('Mul', ['m', 'a'], ['p']);
      b.node('Mul', ['p', 'half'], ['g']);
      b.node('MatMul', ['g', 'w2'], ['y']);
    },
  },
  {
    // x * HardSigmoid(x, 1/6, 0.5) fused as a hardswish post-op (fuse-hardswish.ts), numerically.
    label: 'Conv + HardSigmoid(1/6, 0.5) * x (HardSwish)',
    inputs: { x: [1, 3, 6, 6] },
    outputs: ['y'],
    range: [-4, 4],
    build(b) {
      b.initializer('w', [4, 3, 3, 3], weights([4, 3, 3, 3], 17, 1));
      b.node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] });
      b.node('HardSigmoid', ['c'], ['h'], { alpha: floatAttr(1 / 6), beta: floatAttr(0.5) });
      b.node('Mul', ['c', 'h'], ['y']);
    },
  },
]);
