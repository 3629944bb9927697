// The model corpus check (tools/zoo-corpus.json, exported by tools/export_zoo.py into .cache/zoo):
// per model, FP32 against onnxruntime-node, then `quantize --method minmax` on a few random samples
// through the service, then the QDQ file we wrote through onnx.checker (python3-onnx) and ONNX
// Runtime's loader, and our INT8 output against ONNX Runtime running that same QDQ file.
// Each check records its numbers (.cache/zoo/results/NAME.json) for the README table
// (node dist/tools/zoo-table.js), whether it passes or not.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Service } from '../../engine/api/service';
import { NodeHost } from '../../engine/host/node-host';
import { formatNpy } from '../../engine/data/npy';
import { loadModel } from '../../engine/onnx/load';
import { ModelSession } from '../../engine/runtime/session';
import { floatData, type HostTensor } from '../../engine/runtime/session-types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ZOO = path.join(ROOT, '.cache', 'zoo');
const PYTHON = '/usr/bin/python3';

export interface ZooEntry {
  name: string;
  family: string;
  tier: 'fast' | 'heavy';
  size?: number;
  seq?: number;
  task?: 'classification' | 'segmentation' | 'text';
  opset?: number;
}

interface ZooMeta {
  inputs: { name: string; dtype: string; dims: (number | string)[] }[];
  outputs: string[];
  vocab?: number;
  seq?: number;
}

export interface ZooResult {
  name: string;
  family: string;
  tier: string;
  /** Input dims of the checked batch, e.g. 2x3x64x64. */
  input: string;
  nodes: number;
  opCounts: Record<string, number>;
  fp32MaxRelErr?: number;
  quantizedNodes?: number;
  qdqNodes?: number;
  checker?: string;
  ortLoads?: boolean;
  int8Cosine?: number;
  fp32Ms?: number;
  int8Ms?: number;
  /** The first failure, in words (absent when every check passed). */
  error?: string;
  ms: number;
}

export function corpus(): ZooEntry[] {
  const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'zoo-corpus.json'), 'utf8')) as { models: ZooEntry[] };
  return doc.models;
}

/** Exports the models not yet in .cache/zoo (one python run for all of them). */
export function ensureExported(names: string[]): void {
  const missing = names.filter((n) => !fs.existsSync(path.join(ZOO, `${n}.onnx`)) || !fs.existsSync(path.join(ZOO, `${n}.json`)));
  if (missing.length === 0) return;
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools', 'export_zoo.py'), '--out', ZOO, '--threads', '2', ...missing], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.error) throw new Error(`cannot run ${PYTHON} tools/export_zoo.py: ${r.error.message} (install Debian python3-torch python3-torchvision)`);
  if (r.status !== 0) throw new Error(`tools/export_zoo.py failed (exit ${r.status}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n')}`);
}

/** xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}

function normal(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

/** Feeds for `batch` samples: normal images, or token ids with a padded tail on odd samples. */
function feedsFor(entry: ZooEntry, meta: ZooMeta, batch: number, seed: number): Record<string, HostTensor> {
  if (entry.task === 'text') {
    const seq = meta.seq ?? entry.seq ?? 32;
    const next = rng(seed);
    const ids = new BigInt64Array(batch * seq);
    const mask = new BigInt64Array(batch * seq);
    for (let b = 0; b < batch; b++) {
      const len = b % 2 === 1 ? Math.max(2, seq - 1 - Math.floor(next() * (seq / 2))) : seq;
      for (let s = 0; s < seq; s++) {
        ids[b * seq + s] = BigInt(s < len ? Math.floor(next() * (meta.vocab ?? 1000)) : 0);
        mask[b * seq + s] = s < len ? 1n : 0n;
      }
    }
    return { input_ids: { dims: [batch, seq], data: ids }, attention_mask: { dims: [batch, seq], data: mask } };
  }
  const s = entry.size!;
  return { input: { dims: [batch, 3, s, s], data: normal(batch * 3 * s * s, seed) } };
}

function ortTensor(t: HostTensor, dtype: string): InstanceType<typeof ort.Tensor> {
  if (dtype === 'int64') return new ort.Tensor('int64', t.data as BigInt64Array, t.dims);
  return new ort.Tensor('float32', floatData(t, 'input'), t.dims);
}

/** Every output of `file` in ONNX Runtime (`optimized`: its default graph optimisations, which is
 *  how it runs QDQ files in int8; off for the FP32 oracle). */
async function runOrt(file: string, feeds: Record<string, HostTensor>, meta: ZooMeta, optimized: boolean): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(file, optimized ? {} : { graphOptimizationLevel: 'disabled' });
  try {
    const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of meta.inputs) f[i.name] = ortTensor(feeds[i.name], i.dtype);
    const r = await s.run(f);
    const out: Record<string, Float32Array> = {};
    for (const n of s.outputNames) out[n] = Float32Array.from(r[n].data as ArrayLike<number>);
    return out;
  } finally {
    await s.release();
  }
}

export function maxRelErr(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < e.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(e[i]));
    const d = Math.abs(a[i] - e[i]);
    maxErr = Number.isNaN(d) ? Infinity : Math.max(maxErr, d);
  }
  return maxErr / Math.max(maxRef, 1e-30);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** onnx.checker.check_model(full_check) in python3-onnx: '' when valid, else its message. */
export function onnxChecker(file: string): string {
  const code = 'import onnx, sys\nonnx.checker.check_model(sys.argv[1], full_check=True)';
  const r = spawnSync(PYTHON, ['-c', code, file], { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.error) return `cannot run ${PYTHON}: ${r.error.message}`;
  if (r.status === 0) return '';
  return (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
}

/** Best of `iters` timed runs after one warm-up: on a shared 2-core machine a run that another
 *  process interrupts can take many times longer (OpenMP threads wait at every step), so the
 *  minimum is the stable figure. */
async function bestMs(session: ModelSession, feeds: Record<string, HostTensor>, iters: number): Promise<number> {
  await session.run(feeds);
  let best = Infinity;
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const svc = new Service(new NodeHost());

/** Runs every check on one model; never throws (the record says what failed). */
export async function checkModel(entry: ZooEntry, opts: { batch?: number; calibSamples?: number; timeIters?: number } = {}): Promise<ZooResult> {
  const t0 = performance.now();
  const batch = opts.batch ?? 2;
  const file = path.join(ZOO, `${entry.name}.onnx`);
  const meta = JSON.parse(fs.readFileSync(path.join(ZOO, `${entry.name}.json`), 'utf8')) as ZooMeta;
  const model = loadModel(fs.readFileSync(file));
  const opCounts: Record<string, number> = {};
  for (const n of model.graph.nodes) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
  const feeds = feedsFor(entry, meta, batch, 42);
  const res: ZooResult = {
    name: entry.name,
    family: entry.family,
    tier: entry.tier,
    input: Object.values(feeds).map((t) => t.dims.join('x')).join(', '),
    nodes: model.graph.nodes.length,
    opCounts,
    ms: 0,
  };
  const outName = meta.outputs[0];
  const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  const dir = path.join(ZOO, 'results');
  fs.mkdirSync(dir, { recursive: true });
  try {
    // FP32 against ONNX Runtime.
    const ref = (await step('ONNX Runtime FP32', () => runOrt(file, feeds, meta, false)))[outName];
    const fp32 = await step('FP32', () => ModelSession.load(model, { fused: true }));
    try {
      const out = (await step('FP32 run', () => fp32.run(feeds))).outputs[outName];
      res.fp32MaxRelErr = maxRelErr(floatData(out, `FP32 ${outName}`), ref);
      if (opts.timeIters) res.fp32Ms = await bestMs(fp32, feedsFor(entry, meta, 1, 7), opts.timeIters);
    } finally {
      fp32.dispose();
    }

    // Quantize on random samples (seed 1: not the checked batch).
    const calibSamples = opts.calibSamples ?? 8;
    const calib = feedsFor(entry, meta, calibSamples, 1);
    // One .npy per input: a single file for an image model, NAME=FILE pairs for the encoder.
    const calibFiles = Object.entries(calib).map(([name, t]) => {
      const f = path.join(dir, `${entry.name}.calib.${name}.npy`);
      fs.writeFileSync(f, formatNpy(t.dims, t.data as Float32Array | BigInt64Array));
      return [name, f] as const;
    });
    const calibArg = calibFiles.length === 1 ? calibFiles[0][1] : calibFiles.map(([n, f]) => `${n}=${f}`).join(',');
    const qdqFile = path.join(dir, `${entry.name}.int8.onnx`);
    const q = await step('quantize', () => svc.quantizeModel({ modelPath: file, outPath: qdqFile, calib: calibArg, method: 'minmax', threads: 0 }));
    res.quantizedNodes = q.quantizedNodes.length;
    const qdq = loadModel(fs.readFileSync(qdqFile));
    res.qdqNodes = qdq.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear').length;

    // The file we wrote: onnx.checker and ONNX Runtime's loader.
    res.checker = onnxChecker(qdqFile);
    const ortInt8 = (await step('ONNX Runtime cannot load or run our QDQ file', () => runOrt(qdqFile, feeds, meta, true)))[outName];
    res.ortLoads = true;
    if (res.checker) throw new Error(`onnx.checker rejects our QDQ file: ${res.checker}`);

    // Our INT8 against ONNX Runtime on the same file.
    const int8 = await step('INT8', () => ModelSession.load(qdq, { fused: true }));
    try {
      const out = (await step('INT8 run', () => int8.run(feeds))).outputs[outName];
      res.int8Cosine = cosine(floatData(out, `INT8 ${outName}`), ortInt8);
      if (opts.timeIters) res.int8Ms = await bestMs(int8, feedsFor(entry, meta, 1, 7), opts.timeIters);
    } finally {
      int8.dispose();
    }
    if (res.fp32MaxRelErr > 1e-4) res.error = `FP32 max relative error ${res.fp32MaxRelErr.toExponential(2)} > 1e-4`;
    else if (!(res.int8Cosine >= 0.99)) res.error = `INT8 cosine ${res.int8Cosine.toFixed(4)} with ONNX Runtime on the same QDQ file < 0.99`;
    for (const [, f] of calibFiles) fs.rmSync(f, { force: true });
  } catch (e) {
    res.error = (e as Error).message;
  }
  res.ms = performance.now() - t0;
  fs.writeFileSync(path.join(dir, `${entry.name}.json`), JSON.stringify(res, null, 1));
  return res;
}

/** Registers one node:test per corpus model of `tier`: every check must pass. The export (all models
 *  of the tier at once, cached) runs before the first. */
export function registerZooTests(tier: 'fast' | 'heavy', testFn: typeof import('node:test').test, opts: { skip?: (e: ZooEntry) => string | undefined } = {}): void {
  const entries = corpus().filter((e) => e.tier === tier);
  let exported: Error | null | undefined;
  for (const e of entries) {
    const skip = opts.skip?.(e);
    testFn(`${e.name} (${e.family}): FP32 vs ONNX Runtime, QDQ file valid, INT8 vs ONNX Runtime on it`, { timeout: 30 * 60_000, skip }, async () => {
      if (exported === undefined) {
        try {
          ensureExported(entries.map((x) => x.name));
          exported = null;
        } catch (err) {
          exported = err as Error;
        }
      }
      if (exported) throw exported;
      const r = await checkModel(e, { timeIters: 5 });
      const num = (v: number | undefined, f: (x: number) => string) => (v === undefined ? '-' : f(v));
      console.log(
        `${e.name}: input ${r.input}, ${r.nodes} nodes, FP32 max rel err ${num(r.fp32MaxRelErr, (x) => x.toExponential(2))}, ` +
          `${r.quantizedNodes ?? '-'} quantized, INT8 cosine ${num(r.int8Cosine, (x) => x.toFixed(5))}, ` +
          `FP32 ${num(r.fp32Ms, (x) => x.toFixed(1))} ms, INT8 ${num(r.int8Ms, (x) => x.toFixed(1))} ms (batch 1), ${(r.ms / 1000).toFixed(1)} s`,
      );
      if (r.error) throw new Error(`${e.name}: ${r.error}`);
    });
  }
}
