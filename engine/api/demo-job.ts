// demo: the bundled Fashion-MNIST classifier end to end. FP32 through oneDNN (fused vs unfused),
// then INT8 with every calibration mode: quantized in memory (nothing written to disk) on 512 seeded
// training images (Debian's dataset-fashion-mnist; the bundled sample when that is missing), each
// evaluated on the bundled 1,000-image sample against FP32, with latency at batch 8 and the worst
// layers (SQNR) of the best mode. What `npm start` shows, so it must stay well under a minute.

import * as path from 'node:path';

import type { Dataset } from '../data';
import type { Model } from '../ir/graph';
import { agreement } from '../eval/metrics';
import { loadModel } from '../onnx/load';
import { compilePlan } from '../runtime/lower';
import type { DemoInt8, DemoInt8Mode, DemoReport, DemoRequest, EvaluateResult, JobOptions, ModelSummary, RuntimeInfo } from './contract';
import { openModelData, resolvePreprocess } from './data-source';
import { DEMO_CALIB_COUNT, DEMO_CALIB_SEED, fashionMnist, loadDemoAssets, type DemoAssets } from './demo-assets';
import { QwbError, throwIfAborted } from './errors';
import { evaluateDataset, measureLatency } from './evaluate-dataset';
import { analyzeLayers } from './layer-analysis';
import type { JobContext } from './job-context';
import { quantizeJob } from './quantize-job';
import { openRunner } from './runners';

export interface DemoJobContext extends JobContext {
  inspect(file: string): Promise<ModelSummary>;
  runtimeInfo(): Promise<RuntimeInfo>;
}

const MODES = ['minmax', 'percentile', 'entropy', 'mse'] as const;
/** Batch of the latency figures (median of 15 runs after a warm-up). */
const LATENCY_BATCH = 8;

interface Measured {
  result: EvaluateResult;
  latencyMs?: number;
}

async function measure(model: Model, label: string, ds: Dataset, req: DemoRequest, opts: JobOptions, ctx: JobContext, fused = true, latency = false): Promise<Measured> {
  throwIfAborted(opts.signal, 'demo');
  const input = model.graph.inputs[0];
  const runner = await openRunner(model, label, { threads: req.threads, fused });
  try {
    const result = await evaluateDataset(runner, ds, {
      inputName: input.name,
      batch: req.batch,
      signal: opts.signal,
      onProgress: (done, total) => ctx.host.progress({ job: 'demo', stage: label, done, total }),
    });
    const latencyMs = latency ? await measureLatency(runner, input.name, ds.itemDims, LATENCY_BATCH) : undefined;
    return { result, latencyMs };
  } finally {
    runner.dispose();
  }
}

export async function demoJob(ctx: DemoJobContext, req: DemoRequest = {}, opts: JobOptions = {}): Promise<DemoReport> {
  const demo = await loadDemoAssets(ctx.host);
  ctx.host.progress({ job: 'demo', stage: 'inspect' });
  const summary = await ctx.inspect(demo.modelPath);
  const model = await ctx.model(demo.modelPath);
  const runtime = await ctx.runtimeInfo();
  const preprocess = resolvePreprocess(model, { mean: demo.mean, std: demo.std });
  const ds = await openModelData(model, demo.images, demo.labels, preprocess, { count: req.limit });
  const fused = await measure(model, 'fp32 fused', ds, req, opts, ctx, true, req.int8 !== false);
  const unfused = await measure(model, 'fp32 unfused', ds, req, opts, ctx, false);
  const steps = (f: boolean) => compilePlan(model, summary.inputDims, f).plan.steps.length;
  const report: DemoReport = {
    summary,
    classes: demo.classes,
    runtime,
    fused: fused.result,
    unfused: unfused.result,
    agreement: agreement(fused.result.predictions, unfused.result.predictions),
    expectedTop1: req.limit === undefined || req.limit >= fused.result.count ? demo.fp32Top1Sample : undefined,
    fusedSteps: steps(true),
    unfusedSteps: steps(false),
  };
  if (req.int8 !== false) report.int8 = await int8Part(ctx, demo, model, ds, fused, req, opts);
  return report;
}

async function int8Part(ctx: DemoJobContext, demo: DemoAssets, model: Model, ds: Dataset, fp32: Measured, req: DemoRequest, opts: JobOptions): Promise<DemoInt8> {
  const train = fashionMnist('train');
  const calibration: DemoInt8['calibration'] = train
    ? { source: train.images, count: DEMO_CALIB_COUNT, seed: DEMO_CALIB_SEED }
    : {
        source: demo.images,
        count: DEMO_CALIB_COUNT,
        seed: DEMO_CALIB_SEED,
        note: 'Debian dataset-fashion-mnist is not installed: calibrating on the bundled test sample, the same images the accuracy is measured on (optimistic)',
      };
  // Quantized models stay in memory: quantizeJob writes through this context, the demo reads back.
  const written = new Map<string, Uint8Array>();
  const memCtx: JobContext = { ...ctx, write: async (f, d) => void written.set(f, d) };
  const warnings = new Set<string>();
  const modes: DemoInt8Mode[] = [];
  const models = new Map<string, Model>();
  for (const method of MODES) {
    throwIfAborted(opts.signal, 'demo');
    const outPath = `demo.${method}.int8.onnx`;
    const q = await quantizeJob(
      memCtx,
      {
        modelPath: demo.modelPath,
        outPath,
        calib: calibration.source,
        calibCount: calibration.count,
        calibSeed: calibration.seed,
        method,
        preprocess: { mean: demo.mean, std: demo.std },
        threads: req.threads,
      },
      opts,
    );
    for (const w of q.warnings) warnings.add(w);
    const bytes = written.get(outPath);
    if (!bytes) throw new QwbError('E_INTERNAL', `quantize (${method}) wrote no model`);
    const qdq = loadModel(bytes, { name: outPath, baseDir: path.dirname(demo.modelPath) });
    models.set(method, qdq);
    const m = await measure(qdq, `int8 ${method}`, ds, req, opts, ctx, true, true);
    modes.push({
      method,
      weightBits: q.weightBits,
      top1: m.result.top1,
      top5: m.result.top5,
      agreement: agreement(fp32.result.predictions, m.result.predictions),
      quantizeMs: q.ms.total,
      latencyMs: m.latencyMs!,
    });
  }
  // Best: highest top-1, then highest agreement with FP32 (the order of MODES breaks exact ties).
  const best = [...modes].sort((a, b) => b.top1 - a.top1 || b.agreement - a.agreement)[0];
  ctx.host.progress({ job: 'demo', stage: `per-layer analysis (${best.method})` });
  const layers = await analyzeLayers(model, models.get(best.method)!, ds, { samples: 16, threads: req.threads, signal: opts.signal });
  return {
    calibration,
    latencyBatch: LATENCY_BATCH,
    fp32LatencyMs: fp32.latencyMs!,
    modes,
    best: best.method,
    worstLayers: layers.slice(0, 3).map((l) => ({ name: l.name, op: l.op, sqnr_db: l.sqnr_db, cosine: l.cosine })),
    warnings: [...warnings],
  };
}
