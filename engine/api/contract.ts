// The one service contract: everything a user can do, as typed methods. The CLI, the Electron IPC
// and the browser-mode web host are thin adapters of it. Requests and results are plain JSON-able
// data (typed arrays excepted where noted); errors cross as {name, message, code} (errors.ts);
// long jobs report ProgressEvents through the host and stop when their AbortSignal fires.
// A leaf: types and the method list only (the renderer imports it for its types), no imports.

export interface ProgressEvent {
  /** Which method reports ('evaluate', 'demo', ...). */
  job: string;
  /** Human-readable stage ('compile', 'fp32 fused', ...). */
  stage: string;
  done?: number;
  total?: number;
}

export interface JobOptions {
  signal?: AbortSignal;
}

export interface TensorInfo {
  name: string;
  dtype: string;
  /** Declared dims; symbolic ones as their names, unknown ones as -1; null when the file declares
   *  no shape. */
  shape: (number | string)[] | null;
}

export interface ModelSummary {
  path: string;
  /** Size of the model file in bytes (external data not counted). */
  fileBytes?: number;
  producer: string;
  irVersion: number;
  opset: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Input dims used for shapes/MACs (given, or the batch-1 defaults). */
  inputDims: Record<string, number[]>;
  /** Output dims at inputDims (absent when shape inference failed). */
  outputDims?: Record<string, number[]>;
  nodeCount: number;
  /** ONNX op type -> node count, as in the file. */
  opCounts: Record<string, number>;
  parameters: number;
  /** Multiply-accumulates at inputDims (Conv, ConvTranspose, Gemm, MatMul). */
  macs?: number;
  /** Nodes after constant folding, Identity removal, BN folding and fusions (native step count
   *  is about this). */
  fusedNodeCount?: number;
  /** Ops no registry entry implements, with the nodes that use them. */
  unsupportedOps: { opType: string; nodes: string[] }[];
  /** Why the model cannot run as is (shape inference or opset errors); empty when it can. */
  problems: string[];
  /** Things that do not stop the model from running (e.g. an opset below the tested range). */
  warnings: string[];
}

export interface InspectRequest {
  path: string;
  /** Input name -> dims; defaults: symbolic dim 0 = 1, other symbolic dims = 1. */
  inputDims?: Record<string, number[]>;
  /** Shorthand: dim 0 of every input with a symbolic batch dim. */
  batch?: number;
}

export interface RunModelRequest {
  modelPath: string;
  /** One .npy path (single-input models) or input name -> .npy path. float32 only. */
  input: string | Record<string, string>;
  /** One .npy path (single-output models) or output name -> .npy path. */
  output: string | Record<string, string>;
  threads?: number;
  /** BN folding and fusions (default true). */
  fused?: boolean;
  /** Items per run (default 64): a bigger input with a dynamic batch dim runs in batches of this
   *  many, its outputs joined along dim 0. */
  batch?: number;
}

export interface RunModelResult {
  outputs: { name: string; dims: number[]; path: string }[];
  ms: number;
}

/** Declared preprocessing shared by quantize, eval and compare (engine/data PreprocessSpec). Absent
 *  fields default to what a QDQ model's metadata recorded, then to engine/data's defaults. */
export interface PreprocessOptions {
  size?: [number, number];
  mean?: number[];
  std?: number[];
  color?: 'gray' | 'rgb' | 'bgr';
}

/** Which runtime runs a model: ours (oneDNN; QDQ models in INT8) or onnxruntime-node, when it is
 *  installed, as an independent reference. */
export type Backend = 'qwb' | 'ort';

export interface EvaluateRequest {
  modelPath: string;
  /** Data: an IDX file (raw or .gz), a .npy array, or an image folder (class subfolders = labels). */
  data?: string;
  /** Older spelling of `data` (IDX only). */
  images?: string;
  /** Labels of an IDX or .npy source (IDX u8 or .npy integers). */
  labels?: string;
  /** Per-channel mean and std applied to pixel/255 (shorthand for preprocess.mean/std). */
  mean?: number[];
  std?: number[];
  preprocess?: PreprocessOptions;
  backend?: Backend;
  limit?: number;
  batch?: number;
  threads?: number;
  fused?: boolean;
}

export interface EvaluateResult {
  count: number;
  top1: number;
  top5: number;
  /** Inference time only (compile excluded), total ms. */
  ms: number;
  /** Top-1 class per sample (for agreement between FP32 variants and, later, INT8). */
  predictions: number[];
}

export interface RuntimeInfo {
  onednn: string;
  /** oneDNN's effective ISA, after any ONEDNN_MAX_CPU_ISA cap ("avx2", "avx512_core_vnni", ...). */
  isa: string;
  cores: number;
  /** Read from the CPU itself (cpuid; flags the OS also enabled). Vendor and brand are for display. */
  cpu: { vendor: string; brand: string; features: string[] };
  /** How int8 products accumulate in oneDNN's kernels here, and the weight width that follows:
   *  7-bit (reduce range) only where u8 x s8 goes through saturating 16-bit pair sums. */
  int8: { accumulation: 'vnni' | 'amx' | '16bit-pairs'; weightBits: 7 | 8; reason: string };
}

export interface DemoReport {
  summary: ModelSummary;
  classes: string[];
  runtime: RuntimeInfo;
  fused: EvaluateResult;
  unfused: EvaluateResult;
  /** Fraction of samples whose top-1 agrees between fused and unfused runs. */
  agreement: number;
  /** Top-1 measured by the training script on the same sample (PyTorch), if recorded. */
  expectedTop1?: number;
  /** Native steps of the fused and unfused plans at batch 1. */
  fusedSteps: number;
  unfusedSteps: number;
  /** Every calibration mode on the demo (absent with DemoRequest.int8 false). */
  int8?: DemoInt8;
}

export interface DemoInt8Mode {
  method: 'minmax' | 'percentile' | 'entropy' | 'mse';
  weightBits: 7 | 8;
  top1: number;
  top5: number;
  /** Fraction of samples whose top-1 agrees with FP32 (fused). */
  agreement: number;
  /** Calibration, planning and writing the QDQ model. */
  quantizeMs: number;
  /** Median ms per batch of `latencyBatch`. */
  latencyMs: number;
}

export interface DemoInt8 {
  calibration: { source: string; count: number; seed?: number; note?: string };
  latencyBatch: number;
  fp32LatencyMs: number;
  modes: DemoInt8Mode[];
  /** The mode with the best top-1 (then agreement). */
  best: string;
  /** Of the best mode, worst first. */
  worstLayers: { name: string; op: string; sqnr_db: number; cosine: number }[];
  warnings: string[];
}

export interface DemoRequest {
  threads?: number;
  limit?: number;
  batch?: number;
  /** Quantize with every mode and compare (default true). */
  int8?: boolean;
}

export interface QuantizeRequest {
  modelPath: string;
  outPath: string;
  /** Calibration data (IDX, .npy or image folder); not needed by method 'custom'. */
  calib?: string;
  calibLabels?: string;
  method?: 'minmax' | 'percentile' | 'entropy' | 'mse' | 'custom';
  percentile?: number;
  thresholdsFile?: string;
  calibCount?: number;
  calibSeed?: number;
  /** Per-tensor weight scales instead of per-channel. */
  perTensor?: boolean;
  /** s8 symmetric activations instead of u8 asymmetric. */
  symmetric?: boolean;
  /** 7-bit weights. Absent: on by itself, with a warning, on CPUs without VNNI. */
  reduceRange?: boolean;
  /** Node names, tensor names or op types kept in FP32. */
  exclude?: string[];
  preprocess?: PreprocessOptions;
  /** Accuracy-aware fallback: keep the most sensitive layers in FP32 until top-1 drops by at most
   *  this many points (percentage points) on `data`/`labels`. */
  targetDrop?: number;
  data?: string;
  labels?: string;
  limit?: number;
  threads?: number;
  backend?: Backend;
}

export interface FallbackReport {
  target: number;
  fp32Top1: number;
  /** top-1 of each attempt: first the full INT8 model, then after each layer moved to FP32. */
  steps: { kept: string[]; top1: number; drop: number }[];
  /** Layers moved back to FP32. */
  keptFp32: string[];
  met: boolean;
  /** ms per batch of 8, median. */
  latency: { fp32: number; int8Full: number; int8Final: number };
}

export interface QuantizeResult {
  outPath: string;
  method: string;
  quantizedNodes: string[];
  excludedNodes: { node: string; op: string; reason: string }[];
  tensors: number;
  weightBits: 7 | 8;
  perChannel: boolean;
  activations: 'u8' | 's8';
  calibrationSamples: number;
  warnings: string[];
  ms: { calibrate: number; total: number };
  fallback?: FallbackReport;
}

export interface CompareRequest {
  fp32Path: string;
  int8Path: string;
  data: string;
  labels?: string;
  limit?: number;
  /** Samples for the per-layer analysis (default 16). */
  layerSamples?: number;
  preprocess?: PreprocessOptions;
  threads?: number;
  backend?: Backend;
}

export interface CompareResult {
  count: number;
  fp32: { top1: number; top5: number; ms: number };
  int8: { top1: number; top5: number; ms: number };
  /** Fraction of samples whose top-1 agrees between the two models. */
  agreement: number;
  /** Worst first. */
  layers: { name: string; op: string; tensor: string; sqnr_db: number; cosine: number }[];
}

export interface BenchRequest {
  modelPath: string;
  /** Items per run (dims[0] of a dynamic-batch input). Default 1. */
  batch?: number;
  /** 0 / absent = all cores. */
  threads?: number;
  /** Timed iterations after the warm-up. Default 20. */
  iters?: number;
  /** Profile FP32 raw, FP32 fused and INT8 step by step. */
  perLayer?: boolean;
  /** FP32 model with perLayer: its INT8 (QDQ) counterpart instead of quantizing on the fly. */
  int8Path?: string;
  /** On-the-fly quantization: random calibration samples (default 16) and seed (default 0). */
  calibCount?: number;
  seed?: number;
  /** Dims of inputs whose non-batch dims are symbolic (a sequence length), by input name. */
  inputDims?: Record<string, number[]>;
}

export interface BenchLayer {
  name: string;
  nodes: string[];
  op: string;
  /** ms per batch of the row in each variant; null where the variant has no step for it. */
  fp32_raw_ms: number | null;
  fp32_fused_ms: number | null;
  int8_ms: number | null;
  /** Fraction of each variant's total step time. */
  share: { fp32_raw: number | null; fp32_fused: number | null; int8: number | null };
}

export interface BenchResult {
  model: string;
  /** What was timed: 'fp32 fused' for an FP32 model, 'int8' for a QDQ model. */
  variant: 'fp32 fused' | 'int8';
  inputDims: Record<string, number[]>;
  batch: number;
  threads: number;
  iters: number;
  runtime: { onednn: string; isa: string; cores: number };
  /** First run: compile, primitive creation, weight reorders and JIT. */
  warmup_ms: number;
  latency_ms: { median: number; p90: number; min: number };
  /** Items per second at the median latency. */
  throughput_per_s: number;
  /** perLayer only: rows in graph order, and each variant's summed step time (median per step). */
  layers?: BenchLayer[];
  totals_ms?: { fp32_raw: number; fp32_fused: number; int8: number };
  /** perLayer: how the INT8 variant was obtained. */
  int8_source?: string;
}

export interface ExportRequest {
  modelPath: string;
  /** json/csv: the comparison itself (what compareModels returned), instead of a `report` file. */
  comparison?: CompareResult;
  /** so: DIR with MODEL.so, qwb_model.h, example.c, README.md, manifest.json (engine/export);
   *  qdq: the QDQ ONNX (QDQ models only); json/csv: the comparison report `report`, or without one
   *  the model summary (json) / op counts (csv). */
  format: 'so' | 'qdq' | 'json' | 'csv';
  /** A directory (so; the others when it does not end in .onnx/.json/.csv) or the output file. */
  out: string;
  /** Largest batch the .so accepts (default 64). */
  maxBatch?: number;
  /** `qwb compare --json` output, for json/csv. */
  report?: string;
  /** so: replace the artifact's files (MODEL.so, qwb_model.h, example.c, README.md, manifest.json)
   *  where `out` already holds some; without it such an export fails with E_EXISTS, naming them. */
  force?: boolean;
}

export interface ExportResult {
  format: ExportRequest['format'];
  files: string[];
  notes: string[];
  ms: number;
  /** Each file with its size in bytes (same order as files). */
  entries?: { path: string; bytes: number }[];
  /** format 'so': the usage part of the generated example.c (create, run, destroy). */
  usage?: string;
  /** Browser mode only, added by the web host: where the files download as one .tar.gz. */
  download?: { url: string; name: string };
}


// ---- What the window needs beyond the CLI ------------------------------------------------------

/** One row of the model screen's layer table. */
export interface LayerRow {
  name: string;
  op: string;
  /** Output shape at the summary's inputDims (absent when shape inference failed). */
  outputShape?: number[];
  /** Whether the quantizer would run this node in INT8 (with its default options). */
  quantizable: boolean;
  /** Why not (unsupported op, an op the quantizer keeps in FP32, ...), or what it is fused into. */
  note?: string;
  /** No registry entry implements the op: the model cannot run. */
  unsupported?: boolean;
}

export interface ModelLayers {
  layers: LayerRow[];
}

export interface DataPreviewRequest {
  /** Data: IDX file, .npy array or image folder (as EvaluateRequest.data). */
  data: string;
  labels?: string;
  /** The model the data will feed: its input is checked against the data (problem below). */
  modelPath?: string;
  preprocess?: PreprocessOptions;
  /** Thumbnails (default 8, at most 32). */
  samples?: number;
  /** Items the statistics and label counts cover (default 256). */
  statsSamples?: number;
  /** Names of the classes, index = label (e.g. the demo's), when the data does not name them. */
  classNames?: string[];
}

export interface DataPreview {
  source: string;
  kind: 'idx' | 'npy' | 'folder';
  /** Items in the source. */
  total: number;
  /** [C, H, W] of one item after preprocessing. */
  itemDims: [number, number, number];
  hasLabels: boolean;
  /** The first items, as what the model sees before mean/std: PNG data URLs. */
  samples: { index: number; label?: number; labelName?: string; thumbnail: string }[];
  /** Labels found among the first statsSamples items, by label. */
  labels: { label: number; name?: string; count: number }[];
  /** The preprocessed tensor (mean/std applied) over the first statsSamples items. */
  stats: { count: number; min: number; max: number; mean: number; std: number };
  /** Why this data does not fit the model's input (absent when it does, or without modelPath). */
  problem?: string;
}

/** The bundled demo: model, its labelled sample and preprocessing, for "Try the demo model". */
export interface DemoInfo {
  modelPath: string;
  images: string;
  labels: string;
  mean: number[];
  std: number[];
  classes: string[];
  sampleCount: number;
}

export interface WorkbenchService {
  quantizeModel(req: QuantizeRequest, opts?: JobOptions): Promise<QuantizeResult>;
  compareModels(req: CompareRequest, opts?: JobOptions): Promise<CompareResult>;
  inspectModel(req: InspectRequest): Promise<ModelSummary>;
  runModel(req: RunModelRequest, opts?: JobOptions): Promise<RunModelResult>;
  evaluate(req: EvaluateRequest, opts?: JobOptions): Promise<EvaluateResult>;
  demo(req?: DemoRequest, opts?: JobOptions): Promise<DemoReport>;
  runtimeInfo(): Promise<RuntimeInfo>;
  /** `qwb export`: a compiled .so (C ABI), the QDQ ONNX, or a report as JSON/CSV. */
  exportModel(req: ExportRequest, opts?: JobOptions): Promise<ExportResult>;
  /** `qwb bench`: latency, and per-layer profiles of FP32 raw / FP32 fused / INT8. */
  benchModel(req: BenchRequest, opts?: JobOptions): Promise<BenchResult>;
  /** The layer table: every node with its output shape and whether it quantizes. */
  modelLayers(req: InspectRequest): Promise<ModelLayers>;
  /** A look at calibration data: thumbnails, labels, the preprocessed tensor's range. */
  previewData(req: DataPreviewRequest, opts?: JobOptions): Promise<DataPreview>;
  demoInfo(): Promise<DemoInfo>;
}

/** Method names, for adapters' channel allow-lists. */
export const SERVICE_METHODS = [
  'inspectModel',
  'runModel',
  'evaluate',
  'demo',
  'runtimeInfo',
  'quantizeModel',
  'compareModels',
  'benchModel',
  'exportModel',
  'modelLayers',
  'previewData',
  'demoInfo',
] as const satisfies readonly (keyof WorkbenchService)[];

export type ServiceMethod = (typeof SERVICE_METHODS)[number];
export type MethodParams<M extends ServiceMethod> = Parameters<WorkbenchService[M]>[0];
export type MethodResult<M extends ServiceMethod> = Awaited<ReturnType<WorkbenchService[M]>>;

// ---- The engine process's message protocol (Electron utilityProcess, browser-mode child) --------
// {id, method, params} -> {id, result} | {id, error}; {id, progress} while it runs; {id, cancel}
// from the caller stops it (the reply is then an error with code E_CANCELLED).

/** Error codes on the wire: the service's (engine/api/errors.ts) plus the shells' own. */
export type WireErrorCode =
  | 'E_USAGE'
  | 'E_IO'
  | 'E_MODEL'
  | 'E_DATA'
  | 'E_CANCELLED'
  | 'E_INTERNAL'
  /** The engine process stopped (crashed, killed, out of memory) before answering. */
  | 'E_ENGINE'
  /** A malformed message or a method not in SERVICE_METHODS. */
  | 'E_PROTOCOL';

export interface WireError {
  code: WireErrorCode;
  message: string;
  name?: string;
  [field: string]: unknown;
}

export interface RequestMessage {
  id: number;
  method: string;
  params?: unknown;
}
export interface CancelMessage {
  id: number;
  cancel: true;
}
export type ToEngineMessage = RequestMessage | CancelMessage;
/** From the window to the shell that relays to the engine (never forwarded to the engine): kill
 *  the engine process, whatever it is doing, and start a new one. */
export interface ShellControlMessage {
  control: 'restart-engine';
}
/** What a window sends over its channel: engine messages, or a control of the shell. */
export type ToShellMessage = ToEngineMessage | ShellControlMessage;

export interface ResultMessage {
  id: number;
  result: unknown;
}
export interface ErrorMessage {
  id: number;
  error: WireError;
}
export interface ProgressMessage {
  id: number;
  progress: ProgressEvent;
}
/** Not tied to a request: the shell tells the window about the engine process itself.
 *  'engine-exit': it stopped (the requests it was running failed with E_ENGINE); `restarting` says
 *  whether the shell is starting a new one by itself. 'engine-restarted': a new engine process is
 *  up and answering (after a crash, or after a ShellControlMessage). */
export interface EngineEventMessage {
  event: 'engine-exit' | 'engine-restarted';
  message: string;
  restarting?: boolean;
  /** engine-exit: this window's requests that were running (they fail with E_ENGINE next). */
  lost?: ServiceMethod[];
}
export type FromEngineMessage = ResultMessage | ErrorMessage | ProgressMessage | EngineEventMessage;

/** What the shell (Electron main or the web host) tells the window about this launch. */
export interface ShellSession {
  mode: 'electron' | 'browser';
  /** Per-launch folder for uploads and INT8 models made in this window. */
  workspace: string;
  /** Suggested folder for exports. */
  exportDir: string;
  /** Browser mode: largest upload accepted, in bytes. */
  maxUploadBytes?: number;
  version: string;
}

/** Commands of the Electron menu, forwarded to the window. */
export type MenuCommand = 'open-model' | 'open-demo' | 'go-home';

/** The one object Electron's preload exposes to the window (window.quant). Channels are checked
 *  against SERVICE_METHODS there and again in main. */
export interface QuantBridge {
  send(msg: ToShellMessage): void;
  onMessage(fn: (msg: FromEngineMessage) => void): () => void;
  session(): Promise<ShellSession>;
  /** The path of a dropped File (webUtils.getPathForFile; '' for files not on disk). */
  pathForFile(file: unknown): string;
  openModelDialog(): Promise<string | null>;
  chooseFolder(title: string, defaultPath?: string): Promise<string | null>;
  chooseFile(title: string): Promise<string | null>;
  showInFolder(path: string): void;
  onMenu(fn: (command: MenuCommand) => void): () => void;
}

