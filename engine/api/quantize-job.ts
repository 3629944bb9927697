// quantizeModel: FP32 ONNX + calibration data + options -> QDQ ONNX file, with the optional
// accuracy-aware fallback. The file is written last, after every check and the fallback loop, so a
// cancelled or failed job leaves no output behind.

import type { Dataset } from '../data';
import type { Model } from '../ir/graph';
import { portableName } from '../export/portable-paths';
import { saveModel } from '../onnx/save';
import { int8Accumulation } from '../runtime/cpu';
import { adviseWeightBits, QuantConfigError, resolveQuantConfig, type QuantConfig, type QuantConfigInput } from '../quant/config';
import { calibrate } from '../quant/calibrate';
import { METADATA_PREPROCESS, METADATA_QUANT, writeQdq, type QdqModel } from '../quant/qdq-writer';
import { planQuantization, prepareForQuantization, type QuantPlan } from '../quant/quantize-plan';
import type { TensorRange } from '../quant/params';
import type { FallbackReport, JobOptions, QuantizeRequest, QuantizeResult } from './contract';
import { openModelData, resolvePreprocess } from './data-source';
import { QwbError, throwIfAborted, toQwbError } from './errors';
import { evaluateDataset, measureLatency } from './evaluate-dataset';
import type { JobContext } from './job-context';
import { analyzeLayers } from './layer-analysis';
import { refuseOverwritingInputs } from './output-guard';
import { isQdqModel, openRunner } from './runners';
import { staticBatchOf } from '../ir/graph-utils';

/** Splits --exclude tokens into node/tensor names and op types; unknown tokens are errors. */
export function splitExclude(model: Model, tokens: readonly string[]): { names: string[]; opTypes: string[] } {
  const names: string[] = [];
  const opTypes: string[] = [];
  const nodeNames = new Set(model.graph.nodes.flatMap((n) => [n.name, ...n.outputs]));
  const ops = new Set(model.graph.nodes.map((n) => n.opType));
  for (const t of tokens) {
    if (nodeNames.has(t)) names.push(t);
    else if (ops.has(t)) opTypes.push(t);
    else throw new QwbError('E_USAGE', `--exclude ${t}: no node, tensor or op type of that name in ${model.path ?? 'the model'}`);
  }
  return { names, opTypes };
}

function configOf(req: QuantizeRequest, model: Model, warnings: string[]): QuantConfig {
  const requested = req.reduceRange === undefined ? undefined : req.reduceRange ? 7 : 8;
  const advice = adviseWeightBits({ requested, accumulation: int8Accumulation() });
  if (advice.warning) warnings.push(`${advice.warning.replace('Pass 8-bit weights explicitly', 'Pass --no-reduce-range')}`);
  const input: QuantConfigInput = {
    method: req.method,
    percentile: req.percentile,
    thresholdsFile: req.thresholdsFile,
    weights: { perChannel: !req.perTensor, bits: advice.bits },
    activations: { type: req.symmetric ? 's8' : 'u8' },
    exclude: splitExclude(model, req.exclude ?? []),
    calibration: { count: req.calibCount, seed: req.calibSeed },
  };
  try {
    return resolveQuantConfig(JSON.parse(JSON.stringify(input)) as QuantConfigInput);
  } catch (e) {
    throw e instanceof QuantConfigError ? new QwbError('E_USAGE', e.message) : e;
  }
}



export async function quantizeJob(ctx: JobContext, req: QuantizeRequest, opts: JobOptions = {}): Promise<QuantizeResult> {
  const t0 = performance.now();
  const warnings: string[] = [];
  refuseOverwritingInputs([['--out', req.outPath]], [
    ['model', req.modelPath], ['calibration data', req.calib], ['calibration labels', req.calibLabels],
    ['thresholds file', req.thresholdsFile], ['evaluation data', req.data], ['labels', req.labels],
  ]);
  const model = await ctx.model(req.modelPath);
  if (isQdqModel(model)) throw new QwbError('E_USAGE', `${req.modelPath} is already quantized (it has QuantizeLinear/DequantizeLinear nodes)`);
  const config = configOf(req, model, warnings);
  const prepared = prepareForQuantization(model);
  const plan = planQuantization(prepared, config);
  if (plan.layers.length === 0) throw new QwbError('E_USAGE', `${req.modelPath}: no node to quantize (all excluded or unsupported)`);
  const preprocess = resolvePreprocess(model, req.preprocess);

  let calibData: Dataset | undefined;
  if (config.method !== 'custom') {
    if (!req.calib) throw new QwbError('E_USAGE', `method '${config.method}' needs calibration data (--calib DATA)`);
    calibData = await openModelData(model, req.calib, req.calibLabels, preprocess, config.calibration);
  }
  const thresholdsText = config.thresholdsFile ? Buffer.from(await ctx.read(config.thresholdsFile)).toString('utf8') : undefined;
  let ranges: Map<string, TensorRange>;
  let samples = 0;
  let calibrateMs = 0;
  try {
    const r = await calibrate(plan, {
      config,
      dataset: calibData,
      threads: req.threads,
      signal: opts.signal,
      thresholdsText,
      onProgress: (done, total) => ctx.host.progress({ job: 'quantize', stage: `calibrate (${config.method})`, done, total }),
    });
    ranges = r.ranges;
    samples = r.samples;
    calibrateMs = r.ms;
  } catch (e) {
    throw toQwbError(e, 'E_MODEL');
  }
  throwIfAborted(opts.signal, 'quantize');

  const metadata = {
    [METADATA_PREPROCESS]: JSON.stringify(preprocess),
    // File names only: the QDQ model is an artifact people hand on (no path of this machine).
    [METADATA_QUANT]: JSON.stringify({ ...config, ...(config.thresholdsFile ? { thresholdsFile: portableName(config.thresholdsFile) } : {}), source: portableName(req.modelPath) }),
  };
  const write = (p: QuantPlan): QdqModel => {
    try {
      return writeQdq(p, { config, ranges, metadata });
    } catch (e) {
      throw new QwbError('E_MODEL', (e as Error).message);
    }
  };
  let finalPlan = plan;
  let qdq = write(plan);

  let fallback: FallbackReport | undefined;
  if (req.targetDrop !== undefined) {
    const r = await fallbackLoop(ctx, req, model, prepared, config, plan, write, preprocess, opts);
    fallback = r.report;
    finalPlan = r.plan;
    qdq = r.qdq;
  }

  const bytes = saveModel(qdq.model);
  throwIfAborted(opts.signal, 'quantize');
  await ctx.write(req.outPath, bytes);
  return {
    outPath: req.outPath,
    method: config.method,
    quantizedNodes: finalPlan.layers.map((l) => l.node),
    excludedNodes: finalPlan.excluded,
    tensors: finalPlan.tensors.length,
    weightBits: config.weights.bits,
    perChannel: config.weights.perChannel,
    activations: config.activations.type,
    calibrationSamples: samples,
    warnings,
    ms: { calibrate: calibrateMs, total: performance.now() - t0 },
    fallback,
  };
}

async function fallbackLoop(
  ctx: JobContext,
  req: QuantizeRequest,
  model: Model,
  prepared: Model,
  config: QuantConfig,
  firstPlan: QuantPlan,
  write: (p: QuantPlan) => QdqModel,
  preprocess: ReturnType<typeof resolvePreprocess>,
  opts: JobOptions,
): Promise<{ report: FallbackReport; plan: QuantPlan; qdq: QdqModel }> {
  const target = req.targetDrop!;
  if (!(target >= 0)) throw new QwbError('E_USAGE', `--target-drop must be a number of points >= 0, got ${target}`);
  if (!req.data) throw new QwbError('E_USAGE', '--target-drop needs --data DATA (and --labels for IDX/.npy data)');
  const ds = await openModelData(model, req.data, req.labels, preprocess, { count: req.limit });
  if (!ds.hasLabels) throw new QwbError('E_USAGE', `${req.data}: --target-drop needs labelled data (--labels)`);
  const input = model.graph.inputs[0];
  const staticBatch = staticBatchOf(input);
  const runOpts = { backend: req.backend, threads: req.threads };
  const evalOf = async (m: Model, label: string) => {
    const runner = await openRunner(m, label, runOpts);
    try {
      const r = await evaluateDataset(runner, ds, {
        inputName: input.name,
        staticBatch,
        signal: opts.signal,
        onProgress: (done, total) => ctx.host.progress({ job: 'quantize', stage: `evaluate ${label}`, done, total }),
      });
      const latency = await measureLatency(runner, input.name, ds.itemDims, staticBatch ?? 8, 15, ds);
      return { top1: r.top1, latency };
    } finally {
      runner.dispose();
    }
  };
  const fp = await evalOf(model, 'FP32');
  let plan = firstPlan;
  let qdq = write(plan);
  const first = await evalOf(qdq.model, 'INT8');
  let current = first;
  const kept: string[] = [];
  const steps: FallbackReport['steps'] = [{ kept: [], top1: first.top1, drop: (fp.top1 - first.top1) * 100 }];
  // Drops are differences of fractions times 100: 0.9305 - 0.9295 is 0.10000000000000009 points,
  // which must count as meeting a 0.1 target (it once moved a layer to FP32 for nothing).
  const misses = (top1: number) => (fp.top1 - top1) * 100 > target + 1e-9;
  while (misses(current.top1) && plan.layers.length > 0) {
    throwIfAborted(opts.signal, 'quantize');
    const layers = await analyzeLayers(model, qdq.model, ds, { samples: 16, ...runOpts, signal: opts.signal });
    const worst = layers.find((l) => !kept.includes(l.name) && plan.layers.some((p) => p.node === l.name));
    if (!worst) break;
    kept.push(worst.name);
    plan = planQuantization(prepared, config, kept);
    if (plan.layers.length === 0) break;
    qdq = write(plan);
    current = await evalOf(qdq.model, `INT8 (${kept.length} in FP32)`);
    steps.push({ kept: [...kept], top1: current.top1, drop: (fp.top1 - current.top1) * 100 });
  }
  const met = !misses(current.top1);
  return {
    report: { target, fp32Top1: fp.top1, steps, keptFp32: kept, met, latency: { fp32: fp.latency, int8Full: first.latency, int8Final: current.latency } },
    plan,
    qdq,
  };
}
