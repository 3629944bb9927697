// compareModels: FP32 vs INT8 on the same data — both accuracies (when labelled), top-1 agreement,
// and the per-layer SQNR/cosine analysis ranked worst first.

import { feedsOf } from '../data';
import type { Model } from '../ir/graph';
import { floatData } from '../runtime/session-types';
import { agreement, TopKAccumulator } from '../eval/metrics';
import type { CompareRequest, CompareResult, JobOptions } from './contract';
import { dataError, openModelData, recordedPreprocess, resolvePreprocess } from './data-source';
import { QwbError, throwIfAborted } from './errors';
import { analyzeLayers } from './layer-analysis';
import type { JobContext } from './job-context';
import { isQdqModel, openRunner, type ModelRunner } from './runners';
import { staticBatchOf } from '../ir/graph-utils';

export async function compareJob(ctx: JobContext, req: CompareRequest, opts: JobOptions = {}): Promise<CompareResult> {
  const fp32 = await ctx.model(req.fp32Path);
  const int8 = await ctx.model(req.int8Path);
  if (isQdqModel(fp32)) throw new QwbError('E_USAGE', `${req.fp32Path} is a QDQ model; compare takes the FP32 model first, then the INT8 one`);
  // The INT8 model recorded the preprocessing used to calibrate it: the default for both models.
  const pre = resolvePreprocess(int8, { ...recordedPreprocess(int8), ...(req.preprocess ?? {}) });
  const ds = await openModelData(fp32, req.data, req.labels, pre, { count: req.limit });
  const input = fp32.graph.inputs[0];
  const batch = staticBatchOf(input) ?? 50;
  const runOpts = { backend: req.backend, threads: req.threads };
  const fpRun = await openRunner(fp32, req.fp32Path, runOpts);
  let qRun: ModelRunner | undefined;
  const accF = new TopKAccumulator();
  const accQ = new TopKAccumulator();
  const ms = { fp32: 0, int8: 0 };
  try {
    qRun = await openRunner(int8, req.int8Path, runOpts);
    const timed = async (r: ModelRunner, feed: Parameters<ModelRunner['run']>[0], key: 'fp32' | 'int8') => {
      const t0 = performance.now();
      const out = await r.run(feed);
      ms[key] += performance.now() - t0;
      return out[r.outputNames[0]];
    };
    for await (const b of ds.batches(batch, opts.signal)) {
      const feed = feedsOf(b, input.name);
      const lf = floatData(await timed(fpRun, feed, 'fp32'), `${req.fp32Path}: output '${fpRun.outputNames[0]}'`);
      const lq = floatData(await timed(qRun, feed, 'int8'), `${req.int8Path}: output '${qRun.outputNames[0]}'`);
      const classes = lf.length / b.dims[0];
      accF.add(lf, classes, b.labels);
      accQ.add(lq, classes, b.labels);
      ctx.host.progress({ job: 'compare', stage: 'accuracy', done: accF.count, total: ds.count });
    }
  } catch (e) {
    if (e instanceof QwbError) throw e;
    dataError(e);
  } finally {
    fpRun.dispose();
    qRun?.dispose();
  }
  throwIfAborted(opts.signal, 'compare');
  ctx.host.progress({ job: 'compare', stage: 'per-layer analysis' });
  const layers = await analyzeLayers(fp32 as Model, int8, ds, { samples: req.layerSamples ?? 16, ...runOpts, signal: opts.signal });
  const labelled = ds.hasLabels;
  return {
    count: accF.count,
    fp32: { top1: labelled ? accF.top1 : NaN, top5: labelled ? accF.top5 : NaN, ms: ms.fp32 },
    int8: { top1: labelled ? accQ.top1 : NaN, top5: labelled ? accQ.top5 : NaN, ms: ms.int8 },
    agreement: agreement(accF.predictions, accQ.predictions),
    layers,
  };
}
