// The calibration driver (ONNX Runtime's calibrate.py in three phases): augment a copy of the
// prepared FP32 model so that every tensor to quantize is a graph output (fusion passes never fuse
// through graph outputs, so each stays observable while the rest of the graph still fuses), collect
// batch by batch from the Dataset into the calibrator (one streaming pass; histogram methods share
// one HistogramSet), then compute one range per tensor.

import type { Model } from '../ir/graph';
import { cloneModel, staticBatchOf } from '../ir/graph-utils';
import { feedsOf, type Dataset } from '../data';
import { ModelSession } from '../runtime/session';
import type { QuantConfig } from './config';
import { createCalibrator, HistogramSet, CalibrationError, type Calibrator } from './calibrators';
import type { TensorRange } from './params';
import { batchWithinBudget } from './output-budget';
import type { QuantPlan } from './quantize-plan';

export interface CalibrateOptions {
  config: QuantConfig;
  /** Not needed by method 'custom'. */
  dataset?: Dataset;
  /** Most samples per run (ignored when the model input has a static batch); fewer when the
   *  collected tensors of a batch would exceed the output budget (output-budget.ts). Default 32. */
  batchSize?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Custom method: the thresholds file's contents (read through the host). */
  thresholdsText?: string;
}

export interface CalibrationResult {
  ranges: Map<string, TensorRange>;
  samples: number;
  ms: number;
  /** Histogram methods: the collected histograms, so other methods can compute without a new pass. */
  histograms?: HistogramSet;
}

/** The prepared model with `tensors` added as graph outputs (graph inputs are read from the feed). */
export function augmentWithOutputs(model: Model, tensors: readonly string[]): { model: Model; added: string[] } {
  const m = cloneModel(model);
  const g = m.graph;
  const have = new Set([...g.outputs.map((o) => o.name), ...g.inputs.map((i) => i.name)]);
  const added: string[] = [];
  for (const t of tensors) {
    if (have.has(t)) continue;
    have.add(t);
    g.outputs.push({ name: t, dtype: 'float32', shape: undefined });
    added.push(t);
  }
  return { model: m, added };
}

function abortError(what: string): Error {
  const e = new Error(`${what}: cancelled`);
  e.name = 'AbortError';
  return e;
}

export async function calibrate(plan: QuantPlan, opts: CalibrateOptions): Promise<CalibrationResult> {
  const { config } = opts;
  const t0 = performance.now();
  const tensors = plan.tensors;
  if (tensors.length === 0) throw new CalibrationError('nothing to calibrate: the model has no quantizable nodes left (all excluded or unsupported)');
  const histograms = config.method === 'minmax' || config.method === 'custom' ? undefined : new HistogramSet({ bins: config.histogramBins });
  const calibrator: Calibrator = createCalibrator(config, { tensors, histograms, thresholdsText: opts.thresholdsText });
  if (config.method === 'custom') {
    return { ranges: calibrator.compute(), samples: 0, ms: performance.now() - t0 };
  }
  const ds = opts.dataset;
  if (!ds) throw new CalibrationError(`method "${config.method}" needs calibration data`);
  const g = plan.model.graph;
  const input = g.inputs[0];
  const staticBatch = staticBatchOf(input);
  const batchSize = staticBatch ?? batchWithinBudget(plan.model, tensors, Math.max(1, Math.min(opts.batchSize ?? 32, ds.count)));
  if (g.inputs.length > 1 && !ds.inputs) throw new CalibrationError(`${ds.source}: the model has ${g.inputs.length} inputs; calibration data must give one array per input (.npz or NAME=FILE,...)`);

  const { model: augmented } = augmentWithOutputs(plan.model, tensors);
  const session = await ModelSession.load(augmented, { threads: opts.threads ?? 0, fused: true });
  let done = 0;
  try {
    for await (const batch of ds.batches(batchSize, opts.signal)) {
      if (opts.signal?.aborted) throw abortError('calibrate');
      // A static batch dim cannot take a short last batch: it is left out (at most batch-1 samples).
      if (staticBatch !== undefined && batch.dims[0] !== staticBatch) break;
      const feeds = feedsOf(batch, input.name);
      const res = await session.run(feeds);
      const values = new Map<string, ArrayLike<number>>();
      for (const t of tensors) {
        const v = feeds[t] ?? res.outputs[t];
        if (!v) throw new CalibrationError(`tensor "${t}": the FP32 session did not produce it`);
        // The plan only quantizes float activations (value-kinds.ts); anything else is a bug there.
        if (!(v.data instanceof Float32Array)) throw new CalibrationError(`tensor "${t}" is not float32 (${v.data.constructor.name}): it cannot be calibrated`);
        values.set(t, v.data);
      }
      calibrator.collect(values);
      done += batch.dims[0];
      opts.onProgress?.(done, ds.count);
    }
  } finally {
    session.dispose();
  }
  if (opts.signal?.aborted) throw abortError('calibrate');
  if (done === 0) throw new CalibrationError(`${ds.source}: no calibration batch was run (${ds.count} samples, static batch ${staticBatch})`);
  return { ranges: calibrator.compute(), samples: done, ms: performance.now() - t0, histograms };
}
