// The one table of supported operators. Shape inference, constant folding and lowering look ops
// up here; an op missing from the table is an error naming the op and the node.

import type { OpDef } from './op';
import { ACTIVATIONS, Clip, PRelu, Reciprocal, ROUNDING, Selu } from './activations';
import { ArgMax, ArgMin } from './arg-reduce';
import { BatchNormalization } from './batch-norm';
import { BINARY_OPS } from './binary';
import { Cast } from './cast';
import { Concat } from './concat';
import { Constant, ConstantOfShape } from './constant';
import { Conv } from './conv';
import { ConvTranspose } from './conv-transpose';
import { Einsum } from './einsum';
import { Expand } from './expand';
import { Flatten } from './flatten';
import { Gather } from './gather';
import { Gemm } from './gemm';
import { Dropout, Identity } from './identity';
import { LayerNormalization } from './layer-norm';
import { MatMul } from './matmul';
import { Pad } from './pad';
import { DequantizeLinear, QuantizeLinear } from './quantize-linear';
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from './pool';
import { Range } from './range';
import { REDUCE_OPS } from './reduce';
import { Reshape } from './reshape';
import { Resize, Upsample } from './resize';
import { ScatterND } from './scatter-nd';
import { Shape, Size } from './shape';
import { Slice } from './slice';
import { LogSoftmax, Softmax } from './softmax';
import { Split } from './split';
import { Squeeze } from './squeeze';
import { Transpose } from './transpose';
import { Unsqueeze } from './unsqueeze';

const ALL_OPS: OpDef[] = [
  Conv,
  ConvTranspose,
  Gemm,
  MatMul,
  Einsum,
  BatchNormalization,
  LayerNormalization,
  ...ACTIVATIONS,
  Clip,
  Selu,
  PRelu,
  Reciprocal,
  ...ROUNDING,
  ...BINARY_OPS,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  GlobalMaxPool,
  Concat,
  Flatten,
  Reshape,
  Squeeze,
  Unsqueeze,
  Transpose,
  Softmax,
  LogSoftmax,
  Pad,
  Resize,
  Upsample,
  ...REDUCE_OPS,
  ArgMax,
  ArgMin,
  ScatterND,
  Split,
  Slice,
  Shape,
  Size,
  Gather,
  Constant,
  ConstantOfShape,
  Cast,
  Range,
  Expand,
  Identity,
  Dropout,
  QuantizeLinear,
  DequantizeLinear,
];

const table = new Map<string, OpDef>();
for (const op of ALL_OPS) {
  const key = `${op.domain}:${op.opType}`;
  if (table.has(key)) throw new Error(`op ${op.opType} registered twice`);
  table.set(key, op);
}

function normDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** The OpDef for an ONNX op type in a domain ('' and 'ai.onnx' are the default domain). */
export function getOp(opType: string, domain = ''): OpDef | undefined {
  return table.get(`${normDomain(domain)}:${opType}`);
}

/** Supported op types, sorted (for error messages); other domains are prefixed "domain:". */
export function supportedOps(): string[] {
  return ALL_OPS.map((op) => (op.domain ? `${op.domain}:${op.opType}` : op.opType)).sort();
}
