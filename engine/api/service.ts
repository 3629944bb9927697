// The service: the contract's methods implemented over the engine, with all outside access going
// through the injected Host. Long jobs check their AbortSignal between batches.

import * as path from 'node:path';

import type { Model } from '../ir/graph';
import { checkOpset, defaultInputDims, inferShapes, opsetWarning } from '../passes/infer';
import { graphMacs, parameterCount } from '../ir/macs';
import { prepareModel } from '../passes/optimize';
import { loadModel } from '../onnx/load';
import { getOp } from '../ops/registry';
import { adviseWeightBits } from '../quant/config';
import { loadNativeAddon } from '../runtime/native';
import { ModelSession } from '../runtime/session';
import { formatNpy, npyAsInput, parseNpy } from '../data/npy';
import type { HostTensor } from '../runtime/session-types';
import { benchJob } from './bench-job';
import { compareJob } from './compare-job';
import { openDataset } from '../data';
import { previewData } from './data-preview';
import { loadDemoAssets } from './demo-assets';
import { demoJob } from './demo-job';
import { withDetails } from './export-details';
import { layerTable } from './layer-table';
import { exportJob } from './export-job';
import { openModelData, resolvePreprocess } from './data-source';
import { evaluateDataset } from './evaluate-dataset';
import type { JobContext } from './job-context';
import { quantizeJob } from './quantize-job';
import { openRunner } from './runners';
import type {
  BenchRequest,
  BenchResult,
  DemoReport,
  ExportRequest,
  ExportResult,
  DemoRequest,
  EvaluateRequest,
  EvaluateResult,
  InspectRequest,
  CompareRequest,
  CompareResult,
  DataPreview,
  DataPreviewRequest,
  DemoInfo,
  JobOptions,
  ModelLayers,
  ModelSummary,
  PreprocessOptions,
  QuantizeRequest,
  QuantizeResult,
  RunModelRequest,
  RunModelResult,
  RuntimeInfo,
  WorkbenchService,
} from './contract';
import { QwbError, throwIfAborted, toQwbError } from './errors';
import { refuseOverwritingInputs } from './output-guard';
import { planBatches, runInBatches } from './run-batches';
import type { Host } from './host';
import { cloneModel, staticBatchOf } from '../ir/graph-utils';


export class Service implements WorkbenchService {
  constructor(private readonly host: Host) {}

  private async read(file: string): Promise<Uint8Array> {
    try {
      return await this.host.readFile(file);
    } catch (e) {
      throw new QwbError('E_IO', (e as Error).message);
    }
  }

  private async write(file: string, data: Uint8Array): Promise<void> {
    try {
      await this.host.writeFile(file, data);
    } catch (e) {
      throw new QwbError('E_IO', (e as Error).message);
    }
  }

  private async model(file: string): Promise<Model> {
    return (await this.modelAndSize(file)).model;
  }

  private async modelAndSize(file: string): Promise<{ model: Model; bytes: number }> {
    const bytes = await this.read(file);
    try {
      const m = loadModel(bytes, { name: file, baseDir: path.dirname(path.resolve(file)) });
      m.path = file;
      return { model: m, bytes: bytes.byteLength };
    } catch (e) {
      throw toQwbError(e, 'E_MODEL');
    }
  }

  async inspectModel(req: InspectRequest): Promise<ModelSummary> {
    const { model, bytes } = await this.modelAndSize(req.path);
    const g = model.graph;
    const opCounts: Record<string, number> = {};
    const unsupported = new Map<string, string[]>();
    for (const n of g.nodes) {
      const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType;
      opCounts[key] = (opCounts[key] ?? 0) + 1;
      if (!getOp(n.opType, n.domain)) unsupported.set(key, [...(unsupported.get(key) ?? []), n.name]);
    }
    const inputDims = { ...defaultInputDims(model, req.batch ?? 1), ...(req.inputDims ?? {}) };
    const summary: ModelSummary = {
      path: req.path,
      fileBytes: bytes,
      producer: `${model.producerName} ${model.producerVersion}`.trim(),
      irVersion: model.irVersion,
      opset: model.opset,
      inputs: g.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape ?? null })),
      outputs: g.outputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape ?? null })),
      inputDims,
      nodeCount: g.nodes.length,
      opCounts,
      parameters: parameterCount(g),
      unsupportedOps: [...unsupported].map(([opType, nodes]) => ({ opType, nodes })),
      problems: [],
      warnings: [],
    };
    const warn = opsetWarning(model);
    if (warn) summary.warnings.push(warn);
    if (unsupported.size > 0) {
      summary.problems.push(`unsupported ops: ${[...unsupported.keys()].join(', ')}`);
      return summary;
    }
    try {
      checkOpset(model);
      const unfused = cloneModel(model);
      inferShapes(unfused, inputDims);
      summary.macs = graphMacs(unfused.graph);
      summary.outputDims = Object.fromEntries(unfused.graph.outputs.map((o) => [o.name, (o.shape ?? []) as number[]]));
      summary.fusedNodeCount = prepareModel(model, inputDims, { fused: true }).model.graph.nodes.length;
    } catch (e) {
      summary.problems.push((e as Error).message);
    }
    return summary;
  }

  async runModel(req: RunModelRequest, opts: JobOptions = {}): Promise<RunModelResult> {
    const model = await this.model(req.modelPath);
    const inNames = model.graph.inputs.map((v) => v.name);
    const outNames = model.graph.outputs.map((v) => v.name);
    const inputPaths = typeof req.input === 'string' ? this.single(req.input, inNames, 'input') : req.input;
    const outputPaths = typeof req.output === 'string' ? this.single(req.output, outNames, 'output') : req.output;
    for (const n of Object.keys(outputPaths)) {
      if (!outNames.includes(n)) throw new QwbError('E_USAGE', `'${n}' is not an output of the model (outputs: ${outNames.join(', ')})`);
    }
    refuseOverwritingInputs(
      Object.entries(outputPaths).map(([n, f]) => [`--output ${n}`, f]),
      [['model', req.modelPath], ...Object.entries(inputPaths).map(([n, f]): [string, string] => [`--input ${n}`, f])],
    );
    const inputs: Record<string, HostTensor> = {};
    const dtypes = new Map(model.graph.inputs.map((v) => [v.name, v.dtype]));
    for (const name of inNames) {
      const file = inputPaths[name];
      if (!file) throw new QwbError('E_USAGE', `no .npy given for input '${name}' (inputs: ${inNames.join(', ')})`);
      let arr;
      try {
        arr = parseNpy(await this.read(file), file);
      } catch (e) {
        throw e instanceof QwbError ? e : new QwbError('E_DATA', (e as Error).message);
      }
      try {
        inputs[name] = { dims: arr.shape, data: npyAsInput(arr, dtypes.get(name)!, file, name) };
      } catch (e) {
        throw new QwbError('E_DATA', (e as Error).message);
      }
    }
    for (const n of Object.keys(inputPaths)) {
      if (!inNames.includes(n)) throw new QwbError('E_USAGE', `'${n}' is not an input of the model (inputs: ${inNames.join(', ')})`);
    }
    throwIfAborted(opts.signal, 'run');
    const fed = inNames.map((n) => inputs[n]);
    const plan = planBatches(fed, model.graph.inputs.map((v) => staticBatchOf(v) === undefined), req.batch);
    const session = await ModelSession.load(model, { threads: req.threads, fused: req.fused });
    try {
      let results: Record<string, HostTensor>;
      const t0 = performance.now();
      try {
        results = await runInBatches(session, inNames, fed, plan, opts.signal);
      } catch (e) {
        throw toQwbError(e, 'E_MODEL');
      }
      const ms = performance.now() - t0;
      const outputs: RunModelResult['outputs'] = [];
      for (const [name, file] of Object.entries(outputPaths)) {
        const t = results[name];
        await this.write(file, formatNpy(t.dims, t.data, { bool: model.graph.outputs.find((o) => o.name === name)?.dtype === 'bool' }));
        outputs.push({ name, dims: t.dims, path: file });
      }
      return { outputs, ms };
    } finally {
      session.dispose();
    }
  }

  private single(file: string, names: string[], what: string): Record<string, string> {
    if (names.length !== 1) {
      throw new QwbError('E_USAGE', `the model has ${names.length} ${what}s (${names.join(', ')}): give name=path for each`);
    }
    return { [names[0]]: file };
  }

  async evaluate(req: EvaluateRequest, opts: JobOptions = {}): Promise<EvaluateResult> {
    const model = await this.model(req.modelPath);
    return this.evaluateModel(model, req, opts);
  }

  private async evaluateModel(model: Model, req: EvaluateRequest, opts: JobOptions, stage = 'evaluate'): Promise<EvaluateResult> {
    const data = req.data ?? req.images;
    if (!data) throw new QwbError('E_USAGE', 'evaluate needs data (--data DATA)');
    const given: PreprocessOptions = { ...(req.preprocess ?? {}) };
    if (req.mean) given.mean = req.mean;
    if (req.std) given.std = req.std;
    const ds = await openModelData(model, data, req.labels, resolvePreprocess(model, given), { count: req.limit });
    const input = model.graph.inputs[0];
    const staticBatch = staticBatchOf(input);
    throwIfAborted(opts.signal, stage);
    const runner = await openRunner(model, req.modelPath, { backend: req.backend, threads: req.threads, fused: req.fused });
    try {
      return await evaluateDataset(runner, ds, {
        inputName: input.name,
        staticBatch,
        batch: req.batch,
        signal: opts.signal,
        onProgress: (done, total) => this.host.progress({ job: 'evaluate', stage, done, total }),
      });
    } finally {
      runner.dispose();
    }
  }

  async quantizeModel(req: QuantizeRequest, opts: JobOptions = {}): Promise<QuantizeResult> {
    return quantizeJob(this.jobContext(), req, opts);
  }

  async compareModels(req: CompareRequest, opts: JobOptions = {}): Promise<CompareResult> {
    return compareJob(this.jobContext(), req, opts);
  }

  async benchModel(req: BenchRequest, opts: JobOptions = {}): Promise<BenchResult> {
    return benchJob(this.jobContext(), req, opts);
  }

  async exportModel(req: ExportRequest, opts: JobOptions = {}): Promise<ExportResult> {
    return withDetails(await exportJob({ ...this.jobContext(), inspect: (f) => this.inspectModel({ path: f }) }, req, opts));
  }

  async modelLayers(req: InspectRequest): Promise<ModelLayers> {
    const model = await this.model(req.path);
    return layerTable(model, { ...defaultInputDims(model, req.batch ?? 1), ...(req.inputDims ?? {}) });
  }

  async previewData(req: DataPreviewRequest, opts: JobOptions = {}): Promise<DataPreview> {
    return previewData(req, req.modelPath ? await this.model(req.modelPath) : undefined, opts);
  }

  async demoInfo(): Promise<DemoInfo> {
    const d = await loadDemoAssets(this.host);
    let sampleCount = 0;
    try {
      sampleCount = (await openDataset({ kind: 'idx', images: d.images, labels: d.labels })).total;
    } catch (e) {
      throw new QwbError('E_IO', `demo sample: ${(e as Error).message}`);
    }
    return { modelPath: d.modelPath, images: d.images, labels: d.labels, mean: d.mean, std: d.std, classes: d.classes, sampleCount };
  }

  private jobContext(): JobContext {
    return { host: this.host, model: (f) => this.model(f), read: (f) => this.read(f), write: (f, d) => this.write(f, d) };
  }

  async runtimeInfo(): Promise<RuntimeInfo> {
    let info;
    try {
      info = loadNativeAddon().info();
    } catch (e) {
      throw new QwbError('E_INTERNAL', (e as Error).message);
    }
    const advice = adviseWeightBits({ accumulation: info.int8Accumulation });
    return {
      onednn: info.onednn,
      isa: info.isa,
      cores: info.cores,
      cpu: info.cpu,
      int8: { accumulation: info.int8Accumulation, weightBits: advice.bits, reason: advice.reason },
    };
  }

  async demo(req: DemoRequest = {}, opts: JobOptions = {}): Promise<DemoReport> {
    return demoJob({ ...this.jobContext(), inspect: (f) => this.inspectModel({ path: f }), runtimeInfo: () => this.runtimeInfo() }, req, opts);
  }
}
