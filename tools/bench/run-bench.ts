// `npm run bench`: ResNet-18, ResNet-50, MobileNetV2 and the corpus' BERT-style encoder (sequence
// length 128) at batch 1 and 8, threads = cores, six systems interleaved round-robin (ORT FP32,
// ORT running our QDQ file, ours FP32 raw, ours FP32 fused, ours INT8, PyTorch 1.13 FX INT8 for the
// CNNs), so that a noisy shared machine slows them alike and the ratios hold. Writes
// bench/results.json and bench/results.md, and probes the RSS of an INT8 ResNet-50 session.
// Usage: node dist/tools/bench/run-bench.js [--quick] [--threads N] [--models a,b] [--out DIR]

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

import { quantizeWithRandomData, randomFeeds } from '../../engine/api/bench-job';
import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { loadNativeAddon } from '../../engine/runtime/native';
import { median } from '../../engine/runtime/profile';
import { ModelSession } from '../../engine/runtime/session';

const root = path.resolve(__dirname, '..', '..', '..');
const modelDir = path.join(root, '.cache', 'models');
const zooDir = path.join(root, '.cache', 'zoo');
/** The corpus' BERT-style encoder (tools/export_zoo.py), benchmarked at this sequence length. */
const ENCODER = 'bert_encoder';
const SEQ = 128;

const modelFile = (name: string) => path.join(name === ENCODER ? zooDir : modelDir, `${name}.onnx`);
/** Fixed non-batch dims: the encoder's sequence length. */
const inputDimsOf = (name: string, batch: number): Record<string, number[]> | undefined =>
  name === ENCODER ? { input_ids: [batch, SEQ], attention_mask: [batch, SEQ] } : undefined;
const PYTHON = '/usr/bin/python3';

const SYSTEMS = ['ort_fp32', 'ort_int8', 'qwb_fp32_raw', 'qwb_fp32_fused', 'qwb_int8', 'torch_fx_int8'] as const;
type System = (typeof SYSTEMS)[number];
const LABELS: Record<System, string> = {
  ort_fp32: 'ORT FP32',
  ort_int8: 'ORT INT8 (our QDQ)',
  qwb_fp32_raw: 'ours FP32 raw',
  qwb_fp32_fused: 'ours FP32 fused',
  qwb_int8: 'ours INT8',
  torch_fx_int8: 'torch FX INT8',
};

interface Args {
  quick: boolean;
  threads: number;
  models: string[];
  out: string;
}

function parse(argv: string[]): Args {
  const a: Args = { quick: false, threads: os.cpus().length, models: ['resnet18', 'resnet50', 'mobilenet_v2', ENCODER], out: path.join(root, 'bench') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--quick') a.quick = true;
    else if (v === '--threads') a.threads = Number(argv[++i]);
    else if (v === '--models') a.models = argv[++i].split(',');
    else if (v === '--out') a.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${v}`);
  }
  return a;
}

/** Rounds x timed iterations per system and round (each block starts with one untimed run, so
 *  the threads another system left spinning do not bill this one). */
function schedule(quick: boolean, model: string, batch: number): { rounds: number; iters: number } {
  if (quick) return { rounds: 2, iters: batch === 1 ? 3 : 1 };
  // Eight rounds: with five, the ratios of two runs on this shared machine differed by up to 0.05.
  if (batch === 1) return { rounds: 8, iters: model === 'resnet50' ? 6 : 10 };
  return { rounds: 8, iters: model === 'resnet50' ? 1 : 2 };
}

/** The PyTorch FX INT8 peer as a long-lived child answering one request per line. */
class TorchPeer {
  private lines: AsyncIterator<string>;
  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }

  static async start(threads: number): Promise<{ peer?: TorchPeer; note?: string }> {
    const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
    if (probe.status !== 0) return { note: `PyTorch not available (${PYTHON} -c 'import torch, torchvision' failed): column skipped` };
    const proc = spawn(PYTHON, [path.join(root, 'tools', 'bench', 'torch_fx_int8.py'), '--serve', '--threads', String(threads)], { stdio: 'pipe' });
    proc.stderr.on('data', () => undefined); // torch's deprecation warnings
    const peer = new TorchPeer(proc);
    const first = await peer.next();
    return first.ready ? { peer, note: `torch ${first.torch}` } : { note: `PyTorch peer failed to start: ${JSON.stringify(first)}` };
  }

  private async next(): Promise<Record<string, unknown> & { ms?: number[]; error?: string; ready?: boolean; torch?: string }> {
    const r = await this.lines.next();
    if (r.done) throw new Error('the PyTorch peer exited');
    return JSON.parse(r.value);
  }

  async times(model: string, batch: number, iters: number): Promise<number[]> {
    this.proc.stdin.write(`${JSON.stringify({ model, batch, iters })}\n`);
    const r = await this.next();
    if (r.error || !r.ms) throw new Error(r.error ?? 'no times');
    return r.ms;
  }

  stop(): void {
    this.proc.stdin.end();
  }
}

function ensureModels(models: string[]): void {
  const missing = models.filter((m) => !fs.existsSync(modelFile(m)));
  if (missing.length === 0) return;
  const vision = missing.filter((m) => m !== ENCODER);
  if (vision.length) {
    console.log(`exporting ${vision.join(', ')} (tools/export_torchvision.py)`);
    const r = spawnSync(PYTHON, [path.join(root, 'tools', 'export_torchvision.py'), '--out', modelDir, ...vision], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('model export failed');
  }
  if (missing.includes(ENCODER)) {
    console.log(`exporting ${ENCODER} (tools/export_zoo.py)`);
    const r = spawnSync(PYTHON, [path.join(root, 'tools', 'export_zoo.py'), '--out', zooDir, ENCODER], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('model export failed');
  }
}

/** Our quantizer, once per model, cached in .cache/bench-int8 (not beside the FP32 models: set-up
 *  links .cache/models to a shared copy, which a bench run must not write into). */
async function int8Model(name: string, threads: number): Promise<string> {
  const dir = path.join(root, '.cache', 'bench-int8');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.int8.onnx`);
  if (fs.existsSync(file)) return file;
  console.log(`${name}: quantizing (minmax, 16 random calibration samples)`);
  const q = await quantizeWithRandomData(loadModel(modelFile(name)), { count: 16, seed: 0, threads, inputDims: inputDimsOf(name, 1) });
  fs.writeFileSync(`${file}.tmp`, saveModel(q));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

type Runner = (iters: number) => Promise<number[]>;

async function timed(iters: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // untimed: see schedule()
  const out: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

interface Cell {
  model: string;
  batch: number;
  rounds: number;
  iters: number;
  median_ms: Partial<Record<System, number>>;
  samples: Partial<Record<System, number>>;
  ratios: { fused_vs_ort?: number; int8_vs_ort?: number; int8_vs_ort_int8?: number; int8_vs_torch?: number };
}

/** An ONNX Runtime tensor for a feed of the dtype it declares. */
function ortTensor(ort: typeof import('onnxruntime-node'), t: { dims: number[]; data: unknown }): InstanceType<typeof ort.Tensor> {
  if (t.data instanceof BigInt64Array) return new ort.Tensor('int64', t.data, t.dims);
  return new ort.Tensor('float32', t.data as Float32Array, t.dims);
}

async function benchCell(name: string, batch: number, a: Args, torch: TorchPeer | undefined, notes: string[]): Promise<Cell> {
  const fp32Path = modelFile(name);
  const int8Path = await int8Model(name, a.threads);
  const fp32 = loadModel(fp32Path);
  const feeds = randomFeeds(fp32, batch, 1, inputDimsOf(name, batch));
  const ort = (await import('onnxruntime-node')) as typeof import('onnxruntime-node');
  const ortOpts = { intraOpNumThreads: a.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  const ortSession = await ort.InferenceSession.create(fp32Path, ortOpts);
  // The direct peer of our INT8 runtime: ONNX Runtime running the same QDQ file (its QDQ fusions).
  const ortInt8 = await ort.InferenceSession.create(int8Path, ortOpts);
  const ortFeed = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, ortTensor(ort, t)]));
  const ours = async (file: string | typeof fp32, fused: boolean) => ModelSession.load(file, { threads: a.threads, fused, int8: true });
  const raw = await ours(fp32, false);
  const fused = await ours(fp32, true);
  const int8 = await ours(int8Path, true);
  const runners: Partial<Record<System, Runner>> = {
    ort_fp32: (n) => timed(n, () => ortSession.run(ortFeed)),
    ort_int8: (n) => timed(n, () => ortInt8.run(ortFeed)),
    qwb_fp32_raw: (n) => timed(n, () => raw.run(feeds)),
    qwb_fp32_fused: (n) => timed(n, () => fused.run(feeds)),
    qwb_int8: (n) => timed(n, () => int8.run(feeds)),
  };
  if (torch && name !== ENCODER) runners.torch_fx_int8 = (n) => torch.times(name, batch, n);
  const { rounds, iters } = schedule(a.quick, name, batch);
  const samples: Partial<Record<System, number[]>> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const s of SYSTEMS) {
        const run = runners[s];
        if (!run) continue;
        try {
          (samples[s] ??= []).push(...(await run(iters)));
        } catch (e) {
          notes.push(`${name} batch ${batch} ${LABELS[s]}: ${(e as Error).message}`);
          delete runners[s];
        }
      }
      process.stdout.write('.');
    }
  } finally {
    raw.dispose();
    fused.dispose();
    int8.dispose();
    await ortSession.release();
    await ortInt8.release();
  }
  const med: Partial<Record<System, number>> = {};
  const count: Partial<Record<System, number>> = {};
  for (const s of SYSTEMS) {
    const v = samples[s];
    if (v && v.length) {
      med[s] = median(v);
      count[s] = v.length;
    }
  }
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : undefined);
  return {
    model: name,
    batch,
    rounds,
    iters,
    median_ms: med,
    samples: count,
    ratios: {
      fused_vs_ort: ratio(med.qwb_fp32_fused, med.ort_fp32),
      int8_vs_ort: ratio(med.qwb_int8, med.ort_fp32),
      int8_vs_ort_int8: ratio(med.qwb_int8, med.ort_int8),
      int8_vs_torch: ratio(med.qwb_int8, med.torch_fx_int8),
    },
  };
}

function memoryProbe(name: string, runs: number, threads: number): Record<string, number> | { error: string } {
  const probe = path.join(__dirname, 'memory-probe.js');
  const r = spawnSync(process.execPath, ['--expose-gc', probe, path.join(root, '.cache', 'bench-int8', `${name}.int8.onnx`), String(runs), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

const TARGETS = { fused_vs_ort: 1.0, int8_vs_ort: 0.5, int8_vs_ort_int8: 0.7, int8_vs_torch: 0.6 } as const;

function markdown(cells: Cell[], meta: Record<string, unknown>, memory: unknown, notes: string[]): string {
  const f = (v?: number) => (v === undefined ? 'n/a' : v.toFixed(2));
  const r = (v: number | undefined, target: number) => (v === undefined ? 'n/a' : `${v.toFixed(2)}x ${v <= target ? '✓' : '✗'}`);
  const lines = [
    `# Benchmark: ms per batch (median), ${meta.date}`,
    '',
    `CPU: ${meta.cpu} (oneDNN ${meta.onednn}, ISA ${meta.isa}), ${meta.threads} threads, ${meta.mode} run. ` +
      `Random weights, CNNs 224x224, ${ENCODER} sequence length ${SEQ}; systems interleaved round-robin in one process run, so compare ratios, not absolute times (shared machine). ` +
      'ORT INT8 is onnxruntime-node running our QDQ file (the same quantized model).',
    '',
    `| model | batch | ${SYSTEMS.map((s) => LABELS[s]).join(' | ')} | fused/ORT (<= 1.0) | INT8/ORT FP32 (<= 0.5) | INT8/ORT INT8 (<= 0.7) | INT8/torch (<= 0.6) |`,
    `|---|---:|${SYSTEMS.map(() => '---:').join('|')}|---:|---:|---:|---:|`,
    ...cells.map(
      (c) =>
        `| ${c.model} | ${c.batch} | ${SYSTEMS.map((s) => f(c.median_ms[s])).join(' | ')} | ${r(c.ratios.fused_vs_ort, TARGETS.fused_vs_ort)} | ${r(c.ratios.int8_vs_ort, TARGETS.int8_vs_ort)} | ${r(c.ratios.int8_vs_ort_int8, TARGETS.int8_vs_ort_int8)} | ${r(c.ratios.int8_vs_torch, TARGETS.int8_vs_torch)} |`,
    ),
    '',
    `Memory (INT8 ResNet-50 session, batch 1, own process): ${JSON.stringify(memory)}`,
  ];
  if (notes.length) lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const t0 = performance.now();
  ensureModels(a.models);
  const info = loadNativeAddon().info();
  const notes: string[] = [];
  const { peer: torch, note } = await TorchPeer.start(a.threads);
  if (note) notes.push(note);
  const cells: Cell[] = [];
  try {
    for (const m of a.models) {
      for (const b of [1, 8]) {
        process.stdout.write(`${m} batch ${b} `);
        const c = await benchCell(m, b, a, torch, notes);
        cells.push(c);
        console.log(` ${SYSTEMS.map((s) => `${LABELS[s]} ${c.median_ms[s]?.toFixed(2) ?? 'n/a'}`).join(', ')}`);
      }
    }
  } finally {
    torch?.stop();
  }
  let memory: unknown = 'skipped (resnet50 not in --models)';
  if (a.models.includes('resnet50')) {
    const runs = a.quick ? 100 : 1000;
    console.log(`memory: INT8 ResNet-50, ${runs} runs at batch 1`);
    memory = memoryProbe('resnet50', runs, a.threads);
  }
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpuModel(),
    threads: a.threads,
    onednn: info.onednn,
    isa: info.isa,
    mode: a.quick ? 'quick' : 'full',
    seconds: Math.round((performance.now() - t0) / 1000),
  };
  for (const c of cells) {
    for (const [k, target] of Object.entries(TARGETS) as [keyof typeof TARGETS, number][]) {
      const v = c.ratios[k];
      if (v !== undefined && v > target) notes.push(`${c.model} batch ${c.batch}: ${k} = ${v.toFixed(2)}x misses the ${target}x target by ${((v / target - 1) * 100).toFixed(0)}%`);
    }
  }
  fs.mkdirSync(a.out, { recursive: true });
  fs.writeFileSync(path.join(a.out, 'results.json'), `${JSON.stringify({ meta, cells, memory, notes }, null, 2)}\n`);
  const md = markdown(cells, meta, memory, notes);
  fs.writeFileSync(path.join(a.out, 'results.md'), md);
  console.log(`\n${md}\nwrote ${path.relative(root, path.join(a.out, 'results.json'))} and results.md in ${meta.seconds} s`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
