// The params of every SERVICE_METHODS entry as a schema (schema.ts), checked by protocol.ts on both
// ends of the engine protocol: in the shell's router (the web host's socket and Electron's IPC go
// through the same one) and in the engine process. Wrong types, missing fields and fields the
// contract does not have are refused with one sentence naming the method and the field, before any
// engine code sees the request. Ranges and meaning (a count >= 1, a file that exists) stay the
// jobs' checks.
//
// The table is typed against the contract: `SchemasMatchContract` below fails to compile when a
// schema and its request type differ in a field, an optional mark or a type, or when a method of
// SERVICE_METHODS has no schema — so a new method or field in contract.ts needs its schema here.

import type { CompareResult, MethodParams, PreprocessOptions, ServiceMethod } from '../api/contract';
import { anyOf, arrayOf, bool, int, none, num, obj, oneOf, opt, orAbsent, recordOf, resultNum, str, tuple, type Infer, type Same, type Schema } from './schema';

const backend = () => oneOf('qwb', 'ort');

const preprocess = obj({
  size: opt(tuple(int(), int())),
  mean: opt(arrayOf(num(), 4)),
  std: opt(arrayOf(num(), 4)),
  color: opt(oneOf('gray', 'rgb', 'bgr')),
});

const inspect = obj({
  path: str(),
  inputDims: opt(recordOf(arrayOf(int(), 16))),
  batch: opt(int()),
});

const runModel = obj({
  modelPath: str(),
  input: anyOf(str(), recordOf(str())),
  output: anyOf(str(), recordOf(str())),
  threads: opt(int()),
  fused: opt(bool()),
  batch: opt(int()),
});

const evaluate = obj({
  modelPath: str(),
  data: opt(str()),
  images: opt(str()),
  labels: opt(str()),
  mean: opt(arrayOf(num(), 4)),
  std: opt(arrayOf(num(), 4)),
  preprocess: opt(preprocess),
  backend: opt(backend()),
  limit: opt(int()),
  batch: opt(int()),
  threads: opt(int()),
  fused: opt(bool()),
});

const demo = orAbsent(
  obj({
    threads: opt(int()),
    limit: opt(int()),
    batch: opt(int()),
    int8: opt(bool()),
  }),
);

const quantize = obj({
  modelPath: str(),
  outPath: str(),
  calib: opt(str()),
  calibLabels: opt(str()),
  method: opt(oneOf('minmax', 'percentile', 'entropy', 'mse', 'custom')),
  percentile: opt(num()),
  thresholdsFile: opt(str()),
  calibCount: opt(int()),
  calibSeed: opt(int()),
  perTensor: opt(bool()),
  symmetric: opt(bool()),
  reduceRange: opt(bool()),
  exclude: opt(arrayOf(str(), 100_000)),
  preprocess: opt(preprocess),
  targetDrop: opt(num()),
  data: opt(str()),
  labels: opt(str()),
  limit: opt(int()),
  threads: opt(int()),
  backend: opt(backend()),
});

const compare = obj({
  fp32Path: str(),
  int8Path: str(),
  data: str(),
  labels: opt(str()),
  limit: opt(int()),
  layerSamples: opt(int()),
  preprocess: opt(preprocess),
  threads: opt(int()),
  backend: opt(backend()),
});

const bench = obj({
  modelPath: str(),
  batch: opt(int()),
  threads: opt(int()),
  iters: opt(int()),
  perLayer: opt(bool()),
  int8Path: opt(str()),
  calibCount: opt(int()),
  seed: opt(int()),
  inputDims: opt(recordOf(arrayOf(int(), 16))),
});

/** A comparison the window got from compareModels and hands back to be exported: its numbers may
 *  be NaN (no labels) or infinite (an exact layer), which JSON carries as null. */
const accuracy = () => obj({ top1: resultNum(), top5: resultNum(), ms: resultNum() });
const comparison = obj({
  count: int(),
  fp32: accuracy(),
  int8: accuracy(),
  agreement: resultNum(),
  layers: arrayOf(obj({ name: str(), op: str(), tensor: str(), sqnr_db: resultNum(), cosine: resultNum() }), 1_000_000),
});

const exportModel = obj({
  modelPath: str(),
  comparison: opt(comparison),
  format: oneOf('so', 'qdq', 'json', 'csv'),
  out: str(),
  maxBatch: opt(int()),
  report: opt(str()),
  force: opt(bool()),
});

const previewData = obj({
  data: str(),
  labels: opt(str()),
  modelPath: opt(str()),
  preprocess: opt(preprocess),
  samples: opt(int()),
  statsSamples: opt(int()),
  classNames: opt(arrayOf(str(), 100_000)),
});

export const METHOD_SCHEMAS = {
  inspectModel: inspect,
  runModel,
  evaluate,
  demo,
  runtimeInfo: none(),
  quantizeModel: quantize,
  compareModels: compare,
  benchModel: bench,
  exportModel,
  modelLayers: inspect,
  previewData,
  demoInfo: none(),
} satisfies Record<ServiceMethod, Schema<unknown>>;

// Compile-time proof that every schema is exactly its method's request type (see the header).
type SchemasMatchContract = { [M in ServiceMethod]: Same<Infer<(typeof METHOD_SCHEMAS)[M]>, MethodParams<M>> };
const schemasMatchContract: SchemasMatchContract = {
  inspectModel: true,
  runModel: true,
  evaluate: true,
  demo: true,
  runtimeInfo: true,
  quantizeModel: true,
  compareModels: true,
  benchModel: true,
  exportModel: true,
  modelLayers: true,
  previewData: true,
  demoInfo: true,
};
void schemasMatchContract;
// The nested types too, so a field added to one of them is caught where it is defined.
const nestedMatch: [Same<Infer<typeof preprocess>, PreprocessOptions>, Same<Infer<typeof comparison>, CompareResult>] = [true, true];
void nestedMatch;

/** The first problem of `params` for `method`, as a sentence, or undefined when they fit. */
export function checkParams(method: ServiceMethod, params: unknown): string | undefined {
  const schema: Schema<unknown> = METHOD_SCHEMAS[method];
  return schema.check(params, 'params');
}
