// manifest.json of an export: what a caller of the .so needs to know without reading ONNX
// (tensor names and dims with -1 for the batch, preprocessing, quantization summary, build info).
// It names files by their base names only: an artifact that is handed on carries no path of the
// machine it was made on (user names, folder layout).

import * as fs from 'node:fs';

import type { Model } from '../ir/graph';
import type { Plan, PlanTensor } from '../plan/plan';
import { METADATA_PREPROCESS, METADATA_QUANT } from '../quant/qdq-writer';
import { portableName } from './portable-paths';

export interface ManifestTensor {
  name: string;
  /** dims[0] == -1: any batch from 1 to max_batch. */
  dims: number[];
  dtype: 'float32';
}

export interface ExportManifest {
  format: 'qwb-model-so';
  abi_version: 1;
  library: string;
  header: 'qwb_model.h';
  /** The model's file name (no folder). */
  source_model: string;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
  max_batch: number;
  /** What the model expects its input to be (recorded by `qwb quantize`), or null when unknown. */
  preprocessing: unknown;
  quantization: {
    int8: boolean;
    /** Plan steps touching int8 data (conv/matmul/pool/quantize/... with u8/s8/s32 tensors). */
    int8_steps: number;
    fp32_steps: number;
    /** The quantizer's record (method, weight bits, ...), or null for an FP32 model. */
    settings: unknown;
  };
  build: { compiler: string; onednn: string; flags: string[]; date: string; plan_bytes: number };
}

function parseMeta(model: Model, key: string): unknown {
  const raw = model.metadata?.[key];
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The quantizer's record with its file fields reduced to names (models quantized before they
 *  were recorded that way carry absolute paths). */
function portableSettings(settings: unknown): unknown {
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return settings;
  const out: Record<string, unknown> = { ...(settings as Record<string, unknown>) };
  for (const k of ['source', 'thresholdsFile']) if (typeof out[k] === 'string') out[k] = portableName(out[k] as string);
  return out;
}

function tensorInfo(t: PlanTensor): ManifestTensor {
  return { name: t.name, dims: t.dims.map((d, i) => (i === 0 && t.batched ? -1 : d)), dtype: 'float32' };
}

/** int8 steps: a non-constant tensor (input or output) of the step is not f32. */
export function countSteps(plan: Plan): { int8: number; fp32: number } {
  let int8 = 0;
  for (const s of plan.steps) {
    const ids = [...s.inputs, ...s.outputs].filter((i) => i >= 0);
    if (ids.some((i) => plan.tensors[i].dtype !== 'f32' && !plan.tensors[i].data)) int8++;
  }
  return { int8, fp32: plan.steps.length - int8 };
}

/** oneDNN version from the headers the .so is compiled against (the same as the runtime loads). */
export function onednnHeaderVersion(): string {
  try {
    const h = fs.readFileSync('/usr/include/oneapi/dnnl/dnnl_version.h', 'utf8');
    const v = (k: string) => /#define\s+DNNL_VERSION_\w+\s+(\d+)/.exec(h.split('\n').find((l) => l.includes(`DNNL_VERSION_${k} `)) ?? '')?.[1];
    return [v('MAJOR'), v('MINOR'), v('PATCH')].every(Boolean) ? `${v('MAJOR')}.${v('MINOR')}.${v('PATCH')}` : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildManifest(args: {
  model: Model;
  modelPath: string;
  plan: Plan;
  library: string;
  maxBatch: number;
  compiler: string;
  flags: string[];
  planBytes: number;
}): ExportManifest {
  const { plan } = args;
  const steps = countSteps(plan);
  const settings = portableSettings(parseMeta(args.model, METADATA_QUANT));
  return {
    format: 'qwb-model-so',
    abi_version: 1,
    library: args.library,
    header: 'qwb_model.h',
    source_model: portableName(args.modelPath),
    inputs: plan.inputs.map((i) => tensorInfo(plan.tensors[i])),
    outputs: plan.outputs.map((i) => tensorInfo(plan.tensors[i])),
    max_batch: args.maxBatch,
    preprocessing: parseMeta(args.model, METADATA_PREPROCESS),
    quantization: { int8: steps.int8 > 0, int8_steps: steps.int8, fp32_steps: steps.fp32, settings },
    build: { compiler: args.compiler, onednn: onednnHeaderVersion(), flags: args.flags, date: new Date().toISOString(), plan_bytes: args.planBytes },
  };
}
