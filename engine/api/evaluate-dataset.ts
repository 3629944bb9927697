// Top-1/top-5 of a model over a Dataset, batch by batch through a ModelRunner (either backend).
// The first run at each batch shape is a warm-up and stays out of the timing (compile, weight
// reorders, thread start-up).

import { feedsOf, type Dataset } from '../data';
import { floatData, type HostTensor } from '../runtime/session-types';
import { TopKAccumulator } from '../eval/metrics';
import type { EvaluateResult } from './contract';
import { dataError } from './data-source';
import { QwbError } from './errors';
import type { ModelRunner } from './runners';
import { measureSession } from '../runtime/profile';

export interface EvaluateDatasetOptions {
  inputName: string;
  /** The model's static batch dim, if any. */
  staticBatch?: number;
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluateDataset(runner: ModelRunner, ds: Dataset, opts: EvaluateDatasetOptions): Promise<EvaluateResult> {
  if (!ds.hasLabels) throw new QwbError('E_USAGE', `${ds.source}: no labels (give --labels for IDX/.npy data, or class subfolders for a folder)`);
  const batch = opts.staticBatch ?? Math.max(1, Math.min(opts.batch ?? 50, ds.count));
  if (opts.staticBatch !== undefined && ds.count % opts.staticBatch !== 0) {
    throw new QwbError('E_USAGE', `input '${opts.inputName}' has a static batch of ${opts.staticBatch}, which does not divide ${ds.count} samples`);
  }
  const acc = new TopKAccumulator();
  const warmed = new Set<number>();
  let ms = 0;
  try {
    for await (const b of ds.batches(batch, opts.signal)) {
      const feed = feedsOf(b, opts.inputName);
      if (!warmed.has(b.dims[0])) {
        await runner.run(feed);
        warmed.add(b.dims[0]);
      }
      const t0 = performance.now();
      const out = await runner.run(feed);
      ms += performance.now() - t0;
      const logits = out[runner.outputNames[0]];
      if (!logits) throw new QwbError('E_MODEL', `the model produced no output '${runner.outputNames[0]}'`);
      const data = floatData(logits, `output '${runner.outputNames[0]}'`);
      const classes = data.length / b.dims[0];
      // A label the model cannot predict would only count as wrong (scored 0% for a whole class
      // list that does not match the model): refuse it, naming the data and the label.
      if (ds.classes && ds.classes.length > classes) {
        throw new QwbError('E_DATA', `${ds.source}: ${ds.classes.length} class folders (${ds.classes.slice(0, 4).join(', ')}${ds.classes.length > 4 ? ', ...' : ''}) for a model with ${classes} outputs`);
      }
      const bad = b.labels!.findIndex((l) => l < 0 || l >= classes);
      if (bad >= 0) throw new QwbError('E_DATA', `${ds.source}: label ${b.labels![bad]} of item ${b.indices[bad]} is outside the model's ${classes} classes (0..${classes - 1})`);
      acc.add(data, classes, b.labels!);
      opts.onProgress?.(acc.count, ds.count);
    }
  } catch (e) {
    if (e instanceof QwbError) throw e;
    dataError(e);
  }
  return { count: acc.count, top1: acc.top1, top5: acc.top5, ms, predictions: acc.predictions };
}

/** Median ms of one run at batch `n` (random input, or a tensor set's first `n` items), after a
 *  warm-up. */
export async function measureLatency(runner: ModelRunner, inputName: string, itemDims: number[], n = 8, reps = 15, ds?: Dataset): Promise<number> {
  let feed: Record<string, HostTensor>;
  if (ds?.inputs) {
    const first = await ds.batches(n)[Symbol.asyncIterator]().next();
    if (first.done) throw new QwbError('E_DATA', `${ds.source}: no items to time a run with`);
    feed = feedsOf(first.value, inputName);
  } else {
    const size = n * itemDims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = Math.sin(i * 12.9898) * 0.5;
    feed = { [inputName]: { dims: [n, ...itemDims], data } };
  }
  return (await measureSession(runner, feed, reps)).medianMs;
}
