// The typed face of the native addon (build/Release/qwb_native.node), implemented in
// engine/runtime/native.ts. Everything that touches tensors is asynchronous: the addon runs it in
// an AsyncWorker so that the Electron main side never blocks.

export interface NativeSessionOptions {
  /** oneDNN/OpenMP threads for this session; 0 = all cores. */
  threads: number;
}

export interface NativeStepInfo {
  kind: string;
  name: string;
  /** oneDNN implementation name(s) chosen at the last compile (e.g. "jit:avx2"), '' for custom loops. */
  impl: string;
}

/** A buffer at the graph's edge, typed by the plan tensor's dtype: f32 Float32Array, s32
 *  Int32Array, u8 Uint8Array, s8 Int8Array. */
export type EdgeArray = Float32Array | Int32Array | Uint8Array | Int8Array;

export interface NativeRunResult {
  /** One buffer per plan output (typed by its plan dtype), row-major, logical dims with dims[0]
   *  scaled by the batch. */
  outputs: EdgeArray[];
  /** Milliseconds per plan step (same order as plan.steps), when the run was profiled. Reorders the
   *  runtime inserted are charged to the step that needed them. */
  stepMs?: Float64Array;
}

export interface NativeSession {
  /** Runs one batch: one buffer per plan input (row-major, logical dims, batch scaled). One
   *  JS-to-native crossing; compiles first if the batch differs from the last compiled one. */
  run(inputs: EdgeArray[], batch: number, profile?: boolean): Promise<NativeRunResult>;
  /** Compiles for `batch` now (primitive creation, weight reorders) without running. */
  prepare(batch: number): Promise<void>;
  /** Steps as compiled for the last batch. */
  steps(): NativeStepInfo[];
  /** Frees the session's native memory; later calls throw. */
  dispose(): void;
}

/** How oneDNN's u8 x s8 kernels accumulate here (native/runtime/cpu-features.h): exactly in 32 bits
 *  (VNNI's vpdpbusd, AMX tiles) or through saturating 16-bit pair sums (vpmaddubsw). */
export type Int8Accumulation = 'vnni' | 'amx' | '16bit-pairs';

export interface NativeInfo {
  onednn: string;
  /** oneDNN's effective ISA, after any ONEDNN_MAX_CPU_ISA cap (e.g. "avx2", "avx512_core_amx"). */
  isa: string;
  cores: number;
  /** Read from cpuid/xgetbv: flags the CPU has and the OS enabled. */
  cpu: { vendor: string; brand: string; features: string[] };
  int8Accumulation: Int8Accumulation;
  /** Whether our own AVX2 loops may run (the CPU has AVX2 and oneDNN is not capped below it). */
  ownAvx2Kernels: boolean;
}

export interface NativeAddon {
  createSession(plan: Uint8Array, options: NativeSessionOptions): Promise<NativeSession>;
  info(): NativeInfo;
}
