// The public shape of an inference session (implemented in engine/runtime/session.ts).
// Tests, the CLI, calibration and export all run models through this.

export interface SessionOptions {
  /** oneDNN threads; 0 or absent = all cores. */
  threads?: number;
  /** true (default): BN folding and post-op fusions. false: the "raw FP32" mode, each ONNX node its
   *  own step (constant folding and Identity/Dropout removal still apply). */
  fused?: boolean;
  /** QDQ models (QuantizeLinear/DequantizeLinear): true (default) runs the quantized patterns as
   *  int8 oneDNN primitives; false is the fake-quant reference: Q and DQ run as quantize/dequantize
   *  steps and every other op in FP32. No effect on models without QDQ nodes. */
  int8?: boolean;
}

/** Data of a tensor crossing the session boundary, by ONNX dtype: float32 Float32Array; int64
 *  BigInt64Array (Int32Array also accepted on input); int32 Int32Array; bool and uint8 Uint8Array;
 *  int8 Int8Array. Inside a session int64 values are held as int32 (token ids, positions, masks,
 *  indices): an input value outside the int32 range is an error, never wrapped. */
export type HostData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

/** A tensor crossing the session boundary: row-major, logical ONNX dims. `D` narrows the data
 *  where only float32 can appear (image models, calibration of float activations). */
export interface HostTensor<D extends HostData = HostData> {
  dims: number[];
  data: D;
}

/** The Float32Array of a float32 tensor; throws naming `what` for any other dtype. */
export function floatData(t: HostTensor, what: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`${what}: expected float32 data, got ${t.data.constructor.name}`);
  return t.data;
}

export interface StepProfile {
  /** Plan step index, kind and display name. */
  index: number;
  kind: string;
  name: string;
  /** ONNX nodes the step covers (a fused Conv+BN+ReLU lists all three). */
  nodes: string[];
  ms: number;
}

export interface RunOptions {
  /** Time every step (no cost when off). */
  profile?: boolean;
}

export interface RunResult {
  outputs: Record<string, HostTensor>;
  /** Present when RunOptions.profile was set. */
  profile?: StepProfile[];
}

export interface InferenceSession {
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Compiles (shape inference at these input dims, lowering, native primitive creation) and runs.
   *  A later call with the same input dims reuses the compiled plan. */
  run(inputs: Record<string, HostTensor>, options?: RunOptions): Promise<RunResult>;
  dispose(): void;
}
