// Runs the per-layer analysis of engine/quant/analysis.ts: both models with the layer outputs added
// as graph outputs, on the first `samples` items of a dataset, in batches small enough that the
// layer outputs of one batch stay within a fixed budget; the accumulator keeps only running sums,
// so memory does not grow with the sample count.

import type { Dataset } from '../data';
import type { Model } from '../ir/graph';
import { cloneModel } from '../ir/graph-utils';
import { defaultInputDims, inferShapes } from '../passes/infer';
import { numel } from '../ir/tensor';
import { LayerErrorAccumulator, quantizedLayers, type LayerError, type LayerPair } from '../quant/analysis';
import { augmentWithOutputs } from '../quant/calibrate';
import type { Backend } from './contract';
import { dataError } from './data-source';
import { QwbError } from './errors';
import { openRunner } from './runners';
import { staticBatchOf } from '../ir/graph-utils';

export interface LayerAnalysisOptions {
  samples?: number;
  backend?: Backend;
  threads?: number;
  signal?: AbortSignal;
}

/** Bytes of layer outputs one batch may return from both models together. Every layer output is a
 *  graph output of the augmented models, so a batch's outputs are all in memory at once (ResNet-50:
 *  ~40 MB per sample and model). */
const OUTPUT_BUDGET_BYTES = 128 * 1024 * 1024;

/** The largest batch (at most `samples`, at most 16) whose layer outputs fit the budget. */
function batchWithin(fp32: Model, pairs: readonly LayerPair[], samples: number): number {
  const m = cloneModel(fp32);
  try {
    inferShapes(m, defaultInputDims(m, 1));
  } catch {
    return 1;
  }
  let perSample = 0;
  for (const p of pairs) perSample += 2 * 4 * numel((m.graph.values.get(p.fp32)?.shape ?? []) as number[]);
  return Math.max(1, Math.min(samples, 16, Math.floor(OUTPUT_BUDGET_BYTES / Math.max(perSample, 1))));
}

export async function analyzeLayers(fp32: Model, qdq: Model, ds: Dataset, opts: LayerAnalysisOptions = {}): Promise<LayerError[]> {
  const pairs = quantizedLayers(qdq, fp32);
  if (pairs.length === 0) return [];
  const fpAug = augmentWithOutputs(fp32, pairs.map((p) => p.fp32)).model;
  const qAug = augmentWithOutputs(qdq, pairs.map((p) => p.int8)).model;
  const input = fp32.graph.inputs[0].name;
  const batch = staticBatchOf(fp32.graph.inputs[0]) ?? batchWithin(fp32, pairs, opts.samples ?? 16);
  const fpRun = await openRunner(fpAug, 'FP32 model', { backend: opts.backend, threads: opts.threads });
  const qRun = await openRunner(qAug, 'INT8 model', { backend: opts.backend, threads: opts.threads });
  const acc = new LayerErrorAccumulator(pairs);
  let seen = 0;
  try {
    for await (const b of ds.batches(batch, opts.signal)) {
      const feed = { [input]: { dims: b.dims, data: b.data } };
      acc.add(await fpRun.run(feed), await qRun.run(feed));
      seen += b.dims[0];
      if (seen >= (opts.samples ?? 16)) break;
    }
  } catch (e) {
    if (e instanceof QwbError) throw e;
    dataError(e);
  } finally {
    fpRun.dispose();
    qRun.dispose();
  }
  return acc.ranked();
}
