// Which f32 max-pool path runs on this machine, and how fast each path is on ResNet's stem pool
// (3x3, stride 2, pad 1 over 64x112x112 after a conv): the default choice, oneDNN alone on the same
// layout (QWB_OWN_KERNELS=0), and, on a CPU above AVX2, the AVX2 path (ONEDNN_MAX_CPU_ISA=AVX2:
// oneDNN picks nChw8c and our loop runs). Each variant runs in its own process (both switches are
// read once per process); the pool step's median time comes from per-step profiles.
// Usage: node dist/tools/bench/maxpool-paths.js [--iters N] [--json]

import { spawnSync } from 'node:child_process';

import { createNativeSession, loadNativeAddon } from '../../engine/runtime/native';
import type { Plan } from '../../engine/plan/plan';
import { median } from '../../engine/runtime/profile';

export interface PoolPathResult {
  variant: string;
  env: Record<string, string>;
  isa: string;
  /** The pool step's implementation: qwb:... for our loop, oneDNN's name otherwise. */
  impl: string;
  /** The conv's implementation (it decides the layout the pool reads). */
  convImpl: string;
  poolMs: number;
}

const C = 64, H = 112;

function stemPlan(): Plan {
  const w = new Float32Array(C * C).map((_, i) => Math.sin(i) * 0.1);
  return {
    tensors: [
      { name: 'x', dtype: 'f32', dims: [1, C, H, H], batched: true },
      { name: 'w', dtype: 'f32', dims: [C, C, 1, 1], batched: false, data: new Uint8Array(w.buffer) },
      { name: 'c', dtype: 'f32', dims: [1, C, H, H], batched: true },
      { name: 'y', dtype: 'f32', dims: [1, C, H / 2, H / 2], batched: true },
    ],
    steps: [
      { kind: 'conv', name: 'conv', nodes: ['conv'], inputs: [0, 1], outputs: [2], attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 } },
      { kind: 'pool', name: 'pool', nodes: ['pool'], inputs: [2], outputs: [3], attrs: { alg: 'max', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], dilations: [1, 1] } },
    ],
    inputs: [0],
    outputs: [3],
  };
}

/** Measures this process's path (run by each child). */
async function measureHere(iters: number): Promise<Omit<PoolPathResult, 'variant' | 'env'>> {
  const session = await createNativeSession(stemPlan(), { threads: 0 });
  try {
    const x = new Float32Array(C * H * H).map((_, i) => Math.cos(i));
    await session.run([x], 1);
    const times: number[] = [];
    for (let i = 0; i < iters; i++) times.push((await session.run([x], 1, true)).stepMs![1]);
    const [conv, pool] = session.steps();
    return { isa: loadNativeAddon().info().isa, impl: pool.impl, convImpl: conv.impl, poolMs: median(times) };
  } finally {
    session.dispose();
  }
}

/** The variants that make sense on this machine, each measured in a fresh process. */
export function measurePoolPaths(iters = 50): PoolPathResult[] {
  const info = loadNativeAddon().info();
  const variants: { variant: string; env: Record<string, string> }[] = [
    { variant: 'default', env: {} },
    { variant: 'oneDNN only (QWB_OWN_KERNELS=0)', env: { QWB_OWN_KERNELS: '0' } },
  ];
  if (info.cpu.features.includes('avx2') && info.isa !== 'avx2') variants.push({ variant: 'AVX2 path (ONEDNN_MAX_CPU_ISA=AVX2)', env: { ONEDNN_MAX_CPU_ISA: 'AVX2' } });
  return variants.map(({ variant, env }) => {
    const r = spawnSync(process.execPath, [__filename, '--child', '--iters', String(iters)], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${variant}: ${r.stderr}`);
    return { variant, env, ...(JSON.parse(r.stdout) as Omit<PoolPathResult, 'variant' | 'env'>) };
  });
}

export function formatPoolPaths(rows: PoolPathResult[]): string {
  const lines = ['| variant | oneDNN ISA | conv kernel (sets the layout) | pool kernel | pool ms (median) |', '|---|---|---|---|---:|'];
  for (const r of rows) lines.push(`| ${r.variant} | ${r.isa} | ${r.convImpl} | ${r.impl} | ${r.poolMs.toFixed(3)} |`);
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const iters = Number(args[args.indexOf('--iters') + 1]) || 50;
  if (args.includes('--child')) {
    measureHere(iters).then((r) => process.stdout.write(JSON.stringify(r)), (e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    });
  } else {
    const rows = measurePoolPaths(iters);
    process.stdout.write(args.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : `${formatPoolPaths(rows)}\n`);
  }
}
