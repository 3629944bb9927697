// Gemm (transA/transB/alpha/beta, C shapes, constant and computed B) and MatMul (ranks 1-4,
// batch broadcasting) against onnxruntime.

import { opCases, weights, type OpCase } from '../helpers/op-case';
import { floatAttr, type AttrInput } from '../helpers/onnx-builder';

function gemm(label: string, a: number[], bDims: number[], c: number[] | undefined, attrs: Record<string, AttrInput>, opts: { bInput?: boolean; cInput?: boolean } = {}): OpCase {
  const inputs: Record<string, number[]> = { a };
  if (opts.bInput) inputs.b = bDims;
  if (c && opts.cInput) inputs.c = c;
  return {
    label: `Gemm ${label}`,
    inputs,
    outputs: ['y'],
    build(b) {
      if (!opts.bInput) b.initializer('b', bDims, weights(bDims, 31));
      if (c && !opts.cInput) b.initializer('c', c, weights(c, 32));
      b.node('Gemm', c ? ['a', 'b', 'c'] : ['a', 'b'], ['y'], attrs);
    },
  };
}

function matmul(label: string, a: number[], bDims: number[], constB = false): OpCase {
  return {
    label: `MatMul ${label}`,
    inputs: constB ? { a } : { a, b: bDims },
    outputs: ['y'],
    build(b) {
      if (constB) b.initializer('b', bDims, weights(bDims, 41));
      b.node('MatMul', ['a', 'b'], ['y']);
    },
  };
}

opCases([
  gemm('plain with bias (N)', [4, 6], [6, 5], [5], {}),
  gemm('transB, alpha, beta, bias (1,N)', [3, 6], [5, 6], [1, 5], { transB: 1, alpha: floatAttr(0.5), beta: floatAttr(2) }),
  gemm('transA', [6, 3], [6, 5], [5], { transA: 1 }),
  gemm('transA transB, scalar C', [6, 3], [5, 6], [1], { transA: 1, transB: 1, beta: floatAttr(0.25) }),
  gemm('constant C (M,N)', [3, 4], [4, 5], [3, 5], { beta: floatAttr(1.5) }),
  gemm('constant C (M,1)', [3, 4], [4, 5], [3, 1], {}),
  gemm('no C', [2, 4], [4, 3], undefined, { alpha: floatAttr(3) }),
  gemm('computed B with transB and alpha', [3, 4], [5, 4], [5], { transB: 1, alpha: floatAttr(2) }, { bInput: true }),
  gemm('computed C (M,N) with beta', [3, 4], [4, 5], [3, 5], { beta: floatAttr(0.5) }, { cInput: true }),
  gemm('computed C (N)', [3, 4], [4, 5], [5], { beta: floatAttr(2) }, { cInput: true }),
  matmul('2-D x 2-D constant', [5, 8], [8, 3], true),
  matmul('3-D x 2-D constant', [2, 5, 8], [8, 3], true),
  matmul('4-D x 4-D', [2, 3, 4, 5], [2, 3, 5, 6]),
  matmul('batch broadcast both ways', [2, 1, 4, 5], [3, 5, 2]),
  matmul('1-D x 2-D', [5], [5, 3]),
  matmul('3-D x 1-D', [2, 4, 5], [5]),
  matmul('1-D x 1-D', [6], [6]),
  matmul('1-D x 3-D constant', [4], [2, 4, 3], true),
]);
