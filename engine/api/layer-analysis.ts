// Runs the per-layer analysis of engine/quant/analysis.ts: both models with the layer outputs added
// as graph outputs, on the first `samples` items of a dataset, in batches small enough that the
// layer outputs of one batch stay within a fixed budget; the accumulator keeps only running sums,
// so memory does not grow with the sample count.

import type { Dataset } from '../data';
import type { Model } from '../ir/graph';
import { feedsOf } from '../data';
import { LayerErrorAccumulator, quantizedLayers, type LayerError } from '../quant/analysis';
import { batchWithinBudget } from '../quant/output-budget';
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

export async function analyzeLayers(fp32: Model, qdq: Model, ds: Dataset, opts: LayerAnalysisOptions = {}): Promise<LayerError[]> {
  const pairs = quantizedLayers(qdq, fp32);
  if (pairs.length === 0) return [];
  const fpAug = augmentWithOutputs(fp32, pairs.map((p) => p.fp32)).model;
  const qAug = augmentWithOutputs(qdq, pairs.map((p) => p.int8)).model;
  const input = fp32.graph.inputs[0].name;
  const batch = staticBatchOf(fp32.graph.inputs[0]) ?? batchWithinBudget(fp32, pairs.map((p) => p.fp32), Math.min(opts.samples ?? 16, 16), 2);
  const fpRun = await openRunner(fpAug, 'FP32 model', { backend: opts.backend, threads: opts.threads });
  const qRun = await openRunner(qAug, 'INT8 model', { backend: opts.backend, threads: opts.threads });
  const acc = new LayerErrorAccumulator(pairs);
  let seen = 0;
  try {
    for await (const b of ds.batches(batch, opts.signal)) {
      const feed = feedsOf(b, input);
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
