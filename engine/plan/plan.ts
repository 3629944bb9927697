// The native plan: what the TypeScript engine hands to the C++ runtime (native/runtime).
// A flat list of tensors and steps, serialised to bytes by plan-writer.ts and parsed by
// native/runtime/plan.cc. The same bytes are embedded in exported .so artifacts (issue 5).
// The step catalogue, attribute names and the byte format are specified in native/PLAN.md.

export type PlanDType = 'f32' | 'u8' | 's8' | 's32';

export interface PlanTensor {
  /** The ONNX value name where there is one (for errors and profiles), else a made-up one. */
  name: string;
  dtype: PlanDType;
  /** Logical dims (ONNX order, row-major), at batch 1 when `batched`. */
  dims: number[];
  /** dims[0] scales with the batch the session is compiled for. */
  batched: boolean;
  /** Constant data: raw little-endian bytes of `dtype`, row-major over `dims`. */
  data?: Uint8Array;
  /** Quantization (u8/s8, or s32 biases; never f32): real = scales[c] * (q - zeroPoints[c]), c
   *  indexing `axis` when there is more than one scale (per-channel weights: axis 0 of a conv
   *  weight, axis 1 of a matmul weight (K, N)); activations have one scale. */
  quant?: { scales: number[]; zeroPoints: number[]; axis: number };
}

/** Attribute values: every number travels as float64 (exact for ints below 2^53); a scalar is a
 *  one-element list on the wire, and the runtime's accessors read either form. */
export type PlanAttr = number | number[] | string | string[];

export interface PlanStep {
  /** Step kind from the catalogue in native/PLAN.md. */
  kind: string;
  /** Display name (the first ONNX node it covers). */
  name: string;
  /** Every ONNX node this step covers (a fused Conv+BN+ReLU lists all three). */
  nodes: string[];
  /** Tensor ids; -1 marks an absent optional input. */
  inputs: number[];
  outputs: number[];
  attrs: Record<string, PlanAttr>;
}

export interface Plan {
  tensors: PlanTensor[];
  steps: PlanStep[];
  /** Tensor ids of the model inputs and outputs, in the model's order. */
  inputs: number[];
  outputs: number[];
}
