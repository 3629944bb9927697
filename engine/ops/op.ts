// The contract every operator file implements. One file per ONNX op (or family) exports OpDefs;
// engine/ops/registry.ts lists them in one table. Shape inference, constant folding and lowering
// to native steps all go through this interface, so adding an op touches one file and the table.

import type { Node } from '../ir/graph';
import type { DType, Tensor } from '../ir/tensor';
import type { PlanAttr, PlanDType } from '../plan/plan';

/** What shape inference knows of one value: static dims (batch included, already concrete). */
export interface ValueType {
  dtype: DType;
  dims: number[];
}

export interface InferContext {
  readonly node: Node;
  /** Opset of the default domain. */
  readonly opset: number;
  /** Type of input i; undefined for an absent optional input ('' or past the end). */
  input(i: number): ValueType | undefined;
  /** Constant value of input i (initializer or folded), if known. */
  constant(i: number): Tensor | undefined;
  /** Throws an Error whose message names the node: use for every invalid model/attribute. */
  fail(message: string): never;
}

export interface LowerContext {
  readonly node: Node;
  readonly opset: number;
  /** Static type of an input/output of the node, by value name. */
  type(name: string): ValueType;
  /** Constant value of a value name (initializer or folded constant), if any. */
  constant(name: string): Tensor | undefined;
  /** Plan tensor id for a graph value (created on first use; constants become plan constants). */
  tensor(name: string): number;
  /** A new plan constant with the given data (float32 unless `dtype` says otherwise). */
  constTensor(label: string, dims: number[], data: Float32Array | Int8Array | Uint8Array | Int32Array, dtype?: PlanDType): number;
  /** A new intermediate plan tensor (for multi-step lowerings). */
  tempTensor(label: string, dims: number[], dtype?: PlanDType): number;
  /** Emits a native step; `nodes` defaults to node.sources ?? [node.name]. */
  step(kind: string, inputs: number[], outputs: number[], attrs?: Record<string, PlanAttr>, name?: string): void;
  fail(message: string): never;
}

export interface OpDef {
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** Output types, one per node output, from the inputs' types (and constant inputs where the
   *  shape depends on values, e.g. Reshape). */
  infer(ctx: InferContext): ValueType[];
  /** Computes the outputs when every input is constant (constant folding). Optional: ops without it
   *  are never folded. Must be exact (same results the native runtime would give, within float
   *  rounding). */
  evaluate?(node: Node, inputs: (Tensor | undefined)[], opset: number): Tensor[];
  /** Emits native steps. Absent: the op is supported only when constant folding removes it
   *  (Shape, ConstantOfShape, ...), and the error for a non-constant one says so. */
  lower?(ctx: LowerContext): void;
}
