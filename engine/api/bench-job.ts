// benchModel: latency of one model in our runtime (warm-up apart, then median/p90/throughput) and,
// with perLayer, the per-step profiles of three variants (FP32 raw, FP32 fused, INT8) merged into
// rows of ONNX nodes. An FP32 model is quantized on the fly (minmax on seeded random-normal
// calibration data: speed does not depend on the data) unless an INT8 model is given.

import type { Batch, Dataset } from '../data/types';
import { seededRandom } from '../data/sample';
import type { Model } from '../ir/graph';
import { defaultInputDims } from '../passes/infer';
import { calibrate } from '../quant/calibrate';
import { adviseWeightBits, resolveQuantConfig } from '../quant/config';
import { writeQdq } from '../quant/qdq-writer';
import { planQuantization, prepareForQuantization } from '../quant/quantize-plan';
import { loadNativeAddon } from '../runtime/native';
import { measureSession, mergeProfiles, profileSteps } from '../runtime/profile';
import { ModelSession } from '../runtime/session';
import type { HostTensor, SessionOptions, StepProfile } from '../runtime/session-types';
import type { BenchRequest, BenchResult, JobOptions } from './contract';
import { QwbError, throwIfAborted } from './errors';
import type { JobContext } from './job-context';
import { int8Accumulation } from '../runtime/cpu';
import { isQdqModel } from './runners';
import { checkBytes, elementsOf } from '../limits';

/** Seeded standard-normal floats (Box-Muller). */
export function randomNormal(n: number, seed: number): Float32Array {
  const rnd = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd()));
    const t = 2 * Math.PI * rnd();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** The row count of the table an integer input indexes (Gather(table, input) reads it as indices),
 *  so random ids stay in range; undefined for other integer inputs (masks: all ones). */
function indexRange(model: Model, input: string): number | undefined {
  for (const n of model.graph.nodes) {
    if (n.opType !== 'Gather' || n.inputs[1] !== input) continue;
    const t = model.graph.initializers.get(n.inputs[0]);
    const axis = n.attrs.axis?.type === 'int' ? n.attrs.axis.value : 0;
    if (t) return t.dims[axis < 0 ? axis + t.dims.length : axis];
  }
  return undefined;
}

/** Random feeds at the model's input dims for `batch` (`inputDims` fixing others, e.g. a sequence
 *  length): float inputs standard normal; integer inputs that index a table (token ids) uniform in
 *  its range, other integer inputs (attention masks) 1; bool inputs true. */
export function randomFeeds(model: Model, batch: number, seed = 1, inputDims: Record<string, number[]> = {}): Record<string, HostTensor> {
  const dims = { ...defaultInputDims(model, batch), ...inputDims };
  const feeds: Record<string, HostTensor> = {};
  model.graph.inputs.forEach((v, i) => {
    const d = dims[v.name];
    const n = d.reduce((a, b) => a * b, 1);
    checkBytes(`input '${v.name}' [${d.join(', ')}] ${v.dtype}`, elementsOf(d) * (v.dtype === 'int64' ? 8 : v.dtype === 'bool' || v.dtype === 'uint8' ? 1 : 4), 'tensorBytes');
    if (v.dtype === 'float32') feeds[v.name] = { dims: d, data: randomNormal(n, seed + i) };
    else if (v.dtype === 'int64' || v.dtype === 'int32') {
      const range = indexRange(model, v.name);
      const rnd = seededRandom(seed + i);
      const vals = Array.from({ length: n }, () => (range ? Math.floor(rnd() * range) : 1));
      feeds[v.name] = { dims: d, data: v.dtype === 'int64' ? BigInt64Array.from(vals, (x) => BigInt(x)) : Int32Array.from(vals) };
    } else if (v.dtype === 'bool' || v.dtype === 'uint8') feeds[v.name] = { dims: d, data: new Uint8Array(n).fill(1) };
    else throw new QwbError('E_USAGE', `input '${v.name}' has dtype ${v.dtype}: no random data for it`);
  });
  return feeds;
}

/** An in-memory Dataset of `count` random items (randomFeeds) for every model input. */
function randomDataset(model: Model, count: number, seed: number, inputDims: Record<string, number[]> = {}): Dataset {
  const first = model.graph.inputs[0].name;
  const itemDims = randomFeeds(model, 1, seed, inputDims)[first].dims.slice(1);
  const multi = model.graph.inputs.length > 1 || model.graph.inputs[0].dtype !== 'float32';
  return {
    source: `random(seed ${seed})`,
    count,
    total: count,
    itemDims,
    ...(multi ? { inputs: model.graph.inputs.map((v) => ({ name: v.name, dtype: v.dtype, itemDims: [] })) } : {}),
    hasLabels: false,
    async *batches(batchSize: number): AsyncIterable<Batch> {
      for (let start = 0; start < count; start += batchSize) {
        const n = Math.min(batchSize, count - start);
        const indices = Array.from({ length: n }, (_, i) => start + i);
        const at = Object.fromEntries(Object.entries(inputDims).map(([k, d]) => [k, [n, ...d.slice(1)]]));
        const feeds = randomFeeds(model, n, seed * 100003 + start, at);
        if (multi) yield { data: new Float32Array(0), dims: [n], indices, feeds };
        else yield { data: feeds[first].data as Float32Array, dims: feeds[first].dims, indices };
      }
    },
  };
}

/** Our quantizer (minmax, per-channel weights, u8 activations, the CPU's advised weight bits) on
 *  random-normal calibration data: the INT8 model whose speed the benchmark measures. */
export async function quantizeWithRandomData(model: Model, opts: { count?: number; seed?: number; threads?: number; inputDims?: Record<string, number[]> } = {}): Promise<Model> {
  if (isQdqModel(model)) return model;
  const count = opts.count ?? 16;
  const config = resolveQuantConfig({
    method: 'minmax',
    weights: { perChannel: true, bits: adviseWeightBits({ accumulation: int8Accumulation() }).bits },
    activations: { type: 'u8' },
    calibration: { count },
  });
  const plan = planQuantization(prepareForQuantization(model), config);
  if (plan.layers.length === 0) throw new QwbError('E_USAGE', 'no node to quantize in this model');
  const { ranges } = await calibrate(plan, { config, dataset: randomDataset(model, count, opts.seed ?? 0, opts.inputDims), threads: opts.threads, batchSize: 8 });
  return writeQdq(plan, { config, ranges }).model;
}

function opTypes(...models: Model[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const model of models) for (const n of model.graph.nodes) if (!m.has(n.name)) m.set(n.name, n.opType);
  return m;
}

async function profileVariant(model: Model, options: SessionOptions, feeds: Record<string, HostTensor>, iters: number): Promise<StepProfile[]> {
  const s = await ModelSession.load(model, options);
  try {
    await s.run(feeds);
    return await profileSteps(s, feeds, iters);
  } finally {
    s.dispose();
  }
}

export async function benchJob(ctx: JobContext, req: BenchRequest, opts: JobOptions = {}): Promise<BenchResult> {
  const batch = req.batch ?? 1;
  const threads = req.threads ?? 0;
  const iters = req.iters ?? 20;
  if (!Number.isInteger(batch) || batch < 1) throw new QwbError('E_USAGE', `--batch must be an integer >= 1, got ${batch}`);
  if (!Number.isInteger(iters) || iters < 1) throw new QwbError('E_USAGE', `--iters must be an integer >= 1, got ${iters}`);
  const model = await ctx.model(req.modelPath);
  const qdq = isQdqModel(model);
  // Given dims fix the non-batch dims; dim 0 follows the batch.
  const given = req.inputDims ? Object.fromEntries(Object.entries(req.inputDims).map(([k, d]) => [k, [batch, ...d.slice(1)]])) : undefined;
  const feeds = randomFeeds(model, batch, 1, given);
  const inputDims = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims]));
  const runtime = loadNativeAddon().info();

  ctx.host.progress({ job: 'bench', stage: 'latency' });
  const session = await ModelSession.load(model, { threads, fused: true, int8: true });
  let stats;
  try {
    stats = await measureSession(session, feeds, iters);
  } catch (e) {
    throw new QwbError('E_MODEL', (e as Error).message);
  } finally {
    session.dispose();
  }
  const result: BenchResult = {
    model: req.modelPath,
    variant: qdq ? 'int8' : 'fp32 fused',
    inputDims,
    batch,
    threads: threads || runtime.cores,
    iters,
    runtime,
    warmup_ms: stats.warmupMs,
    latency_ms: { median: stats.medianMs, p90: stats.p90Ms, min: stats.minMs },
    throughput_per_s: (batch * 1000) / stats.medianMs,
  };
  if (!req.perLayer) return result;

  throwIfAborted(opts.signal, 'bench');
  // Three variants of one graph: for a QDQ model its fake-quant FP32 reference (Q/DQ as steps)
  // raw and fused; for an FP32 model the model itself and its INT8 counterpart.
  let fp32: Model;
  let int8: Model;
  if (qdq) {
    fp32 = model;
    int8 = model;
    result.int8_source = 'the model (FP32 variants: its fake-quant reference)';
  } else if (req.int8Path) {
    fp32 = model;
    int8 = await ctx.model(req.int8Path);
    if (!isQdqModel(int8)) throw new QwbError('E_USAGE', `${req.int8Path} has no QuantizeLinear/DequantizeLinear nodes`);
    result.int8_source = req.int8Path;
  } else {
    ctx.host.progress({ job: 'bench', stage: 'quantize (minmax, random data)' });
    fp32 = model;
    try {
      int8 = await quantizeWithRandomData(model, { count: req.calibCount, seed: req.seed, threads, inputDims: req.inputDims });
    } catch (e) {
      throw e instanceof QwbError ? e : new QwbError('E_MODEL', (e as Error).message);
    }
    result.int8_source = `quantized on the fly (minmax, ${req.calibCount ?? 16} random samples)`;
  }
  const profIters = Math.max(3, Math.min(iters, 10));
  const variants: Record<string, StepProfile[]> = {};
  const plan: [string, Model, SessionOptions][] = [
    ['fp32_raw', fp32, { threads, fused: false, int8: false }],
    ['fp32_fused', fp32, { threads, fused: true, int8: false }],
    ['int8', int8, { threads, fused: true, int8: true }],
  ];
  for (const [key, m, o] of plan) {
    throwIfAborted(opts.signal, 'bench');
    ctx.host.progress({ job: 'bench', stage: `profile ${key.replace('_', ' ')}` });
    try {
      variants[key] = await profileVariant(m, o, feeds, profIters);
    } catch (e) {
      throw new QwbError('E_MODEL', `${key}: ${(e as Error).message}`);
    }
  }
  const ops = opTypes(fp32, int8);
  const rows = mergeProfiles(variants, model.graph.nodes.map((n) => n.name), (n) => ops.get(n));
  const total = (k: string) => variants[k].reduce((a, s) => a + s.ms, 0);
  const totals = { fp32_raw: total('fp32_raw'), fp32_fused: total('fp32_fused'), int8: total('int8') };
  const share = (ms: number | undefined, t: number) => (ms === undefined ? null : t > 0 ? ms / t : 0);
  result.totals_ms = totals;
  // Nodes that no variant runs (Constant, folded shape arithmetic) have no time to show.
  const timed = rows.filter((r) => r.ms.fp32_raw !== undefined || r.ms.fp32_fused !== undefined || r.ms.int8 !== undefined);
  result.layers = timed.map((r) => ({
    name: r.name,
    nodes: r.nodes,
    op: r.op,
    fp32_raw_ms: r.ms.fp32_raw ?? null,
    fp32_fused_ms: r.ms.fp32_fused ?? null,
    int8_ms: r.ms.int8 ?? null,
    share: { fp32_raw: share(r.ms.fp32_raw, totals.fp32_raw), fp32_fused: share(r.ms.fp32_fused, totals.fp32_fused), int8: share(r.ms.int8, totals.int8) },
  }));
  return result;
}
