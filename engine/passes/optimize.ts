// The graph pipeline from a loaded model to a graph ready for lowering at given input dims:
// Identity/Dropout removal, shape inference with constant folding, then (fused mode) GELU,
// LayerNorm and HardSwish recognition, BatchNormalization folding and post-op fusions; in the int8 mode
// (default) the QDQ pass turns QuantizeLinear/DequantizeLinear patterns into int8 nodes.

import type { Model } from '../ir/graph';
import { cloneModel } from '../ir/graph-utils';
import { inferShapes } from './infer';
import { foldBatchNorms } from './fold-batchnorm';
import { fuseGelu } from './fuse-gelu';
import { fuseHardSwish } from './fuse-hardswish';
import { fuseLayerNorm } from './fuse-layernorm';
import { fuseMatMulBias } from './fuse-matmul-bias';
import { fuseActivations, fuseSums } from './fuse-postops';
import { fuseQdq, type QdqCounts } from './qdq-fuse';
import { isQdqNode } from './qdq-params';
import { removeIdentities } from './remove-identity';

export interface PrepareOptions {
  /** BN folding and post-op fusions (default true). */
  fused?: boolean;
  /** QDQ patterns become int8 nodes (default true). false: QuantizeLinear/DequantizeLinear stay
   *  real quantize/dequantize steps and every other op runs in FP32 (the fake-quant reference). */
  int8?: boolean;
}

export interface PassCounts {
  identitiesRemoved: number;
  geluFused: number;
  /** ReduceMean/Sub/Pow/Sqrt/Div(/Mul/Add) patterns made LayerNormalization. */
  layerNormsFused: number;
  /** MatMul + Add(constant bias) made one MatMul with a bias input. */
  biasesFused: number;
  hardSwishFused: number;
  batchNormsFolded: number;
  activationsFused: number;
  sumsFused: number;
  /** Present in the int8 mode. */
  qdq?: QdqCounts;
}

/** A rewritten copy of `model`, inferred at `inputDims`; the input model is not changed. */
export function prepareModel(model: Model, inputDims: Record<string, number[]>, options: PrepareOptions = {}): { model: Model; passes: PassCounts } {
  const m = cloneModel(model);
  const g = m.graph;
  const passes: PassCounts = { identitiesRemoved: 0, geluFused: 0, layerNormsFused: 0, biasesFused: 0, hardSwishFused: 0, batchNormsFolded: 0, activationsFused: 0, sumsFused: 0 };
  passes.identitiesRemoved = removeIdentities(g);
  const int8 = options.int8 ?? true;
  const hasQdq = g.nodes.some((n) => isQdqNode(n, 'DequantizeLinear'));
  // The int8 lowering needs int8 weights with their scales, not their dequantized floats.
  inferShapes(m, inputDims, int8 && hasQdq ? { keep: (n) => isQdqNode(n, 'DequantizeLinear') } : {});
  if (options.fused ?? true) {
    passes.geluFused = fuseGelu(g);
    passes.layerNormsFused = fuseLayerNorm(g);
    passes.hardSwishFused = fuseHardSwish(g);
    passes.batchNormsFolded = foldBatchNorms(g);
    passes.biasesFused = fuseMatMulBias(g);
    passes.activationsFused = fuseActivations(g, m.opset);
    // QDQ after Conv+Relu fusion (the Relu between a Conv and its Q is a post-op), before the FP32
    // sum fusion, whose pattern never matches between DQ nodes anyway.
    if (int8 && hasQdq) passes.qdq = fuseQdq(g, m.opset);
    passes.sumsFused = fuseSums(g);
    // An activation after a residual Add (Conv+Add+Relu) joins the sum post-op.
    passes.activationsFused += fuseActivations(g, m.opset);
  } else if (int8 && hasQdq) {
    passes.qdq = fuseQdq(g, m.opset);
  }
  return { model: m, passes };
}
