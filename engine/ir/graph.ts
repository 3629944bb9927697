// The engine's graph IR: a mutable, topologically ordered list of nodes over named values.
// Loaded from ONNX (engine/onnx), rewritten by passes (engine/passes), lowered to a native
// plan by the op registry (engine/ops) and written back to ONNX (QDQ models, issue 3).

import type { DType, Tensor } from './tensor';

export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: unknown } // subgraphs (If/Loop/Scan): the raw GraphProto, kept to name them in errors and to save them back
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: unknown[] }
  /** Sparse tensors and type protos: the raw AttributeProto, kept only so that saving round-trips. */
  | { type: 'other'; value: unknown };

/** Static shape: every dim a non-negative integer once shape inference has run.
 *  Before inference, a dim may be a symbolic name (dim_param) or -1 (unknown). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[] | undefined;
}

/** An activation or sum fused into a Conv/ConvTranspose/Gemm/MatMul node by the fusion passes.
 *  Applied in order after the node's own computation, as oneDNN post-ops. */
export type PostOp =
  | { kind: 'eltwise'; alg: EltwiseAlg; alpha: number; beta: number }
  /** dst += value of tensor `input` (residual Add); the tensor is also appended to node.inputs. */
  | { kind: 'sum'; input: string; scale: number };

/** Element-wise algorithms the native runtime knows (see native/PLAN.md, step `eltwise`). */
export type EltwiseAlg =
  | 'relu' // alpha = negative slope (0: ReLU, else LeakyRelu)
  | 'clip' // alpha = min, beta = max
  | 'sigmoid'
  | 'tanh'
  | 'hardsigmoid' // max(0, min(1, alpha * x + beta))
  | 'hardswish' // x * max(0, min(1, x / 6 + 0.5))
  | 'gelu_erf'
  | 'gelu_tanh'
  | 'erf'
  | 'elu' // alpha
  | 'linear' // alpha * x + beta
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'square'
  | 'softplus'
  | 'swish'; // x * sigmoid(alpha * x)

export interface Node {
  name: string;
  opType: string;
  /** '' or 'ai.onnx' for standard ops; other domains are unsupported unless an op registers them. */
  domain: string;
  /** Value names; '' marks an absent optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Fusion results: post-ops applied after the op itself (Conv, ConvTranspose, Gemm, MatMul only). */
  postOps?: PostOp[];
  /** Names of the original ONNX nodes this node now stands for (itself first), for profiling and errors. */
  sources?: string[];
}

export interface Graph {
  name: string;
  /** Topologically ordered. */
  nodes: Node[];
  /** Graph inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Initializers and folded constants, by value name. */
  initializers: Map<string, Tensor>;
  /** Everything shape inference knows, by value name (inputs, outputs and intermediates). */
  values: Map<string, ValueInfo>;
}

export interface Model {
  graph: Graph;
  /** Opset version of the default ('' / 'ai.onnx') domain. */
  opset: number;
  /** Other imported opsets, by domain. */
  opsets: Record<string, number>;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** metadata_props of the ModelProto (quantize records preprocessing here, issue 3). */
  metadata: Record<string, string>;
  /** Path the model was loaded from, for error messages and external data. */
  path?: string;
}

// --- attribute accessors used by every op ---------------------------------------------------

function attrError(node: Node, name: string, want: string): Error {
  return new Error(`node '${node.name}' (${node.opType}): attribute '${name}' should be ${want}`);
}

export function attrInt(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.type !== 'int') throw attrError(node, name, 'an int');
  return a.value;
}

export function attrFloat(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.type !== 'float' && a.type !== 'int') throw attrError(node, name, 'a float');
  return a.value;
}

export function attrString(node: Node, name: string, dflt: string): string {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.type !== 'string') throw attrError(node, name, 'a string');
  return a.value;
}

export function attrInts(node: Node, name: string, dflt: number[] | undefined): number[] | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.type !== 'ints') throw attrError(node, name, 'a list of ints');
  return a.value;
}

export function attrFloats(node: Node, name: string, dflt: number[] | undefined): number[] | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.type !== 'floats') throw attrError(node, name, 'a list of floats');
  return a.value;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = node.attrs[name];
  if (!a) return undefined;
  if (a.type !== 'tensor') throw attrError(node, name, 'a tensor');
  return a.value;
}

/** "node 'conv1' (Conv)": how every error message names a node. */
export function describeNode(node: Node): string {
  return `node '${node.name}' (${node.opType})`;
}
