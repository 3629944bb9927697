// Latency of an exported .so (its example.c timing loop) against the in-app ModelSession on the same
// model, input, batch and thread count, both as the median of the same number of timed runs after
// the same warm-up. Not a test (timings are noisy on shared machines); run for reports:
//   node dist/test/export/measure-latency.js MODEL.onnx EXPORT_DIR [--batch 1] [--threads 1] [--iters 50] [--rounds 3]

import * as fs from 'node:fs';
import * as path from 'node:path';

import { ModelSession } from '../../engine/runtime/session';
import { buildExample, run, writeRaw } from './helpers';
import { median } from '../../engine/runtime/profile';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const [modelPath, dir] = process.argv.slice(2);
  if (!modelPath || !dir) throw new Error('usage: measure-latency MODEL.onnx EXPORT_DIR [--batch N] [--threads N] [--iters N]');
  const batch = arg('batch', 1);
  const threads = arg('threads', 1);
  const iters = arg('iters', 50);
  const warmup = 5;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const sample: number[] = manifest.inputs[0].dims.slice(1);
  const x = new Float32Array(batch * sample.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37));
  const inFile = path.join(dir, `latency-in${batch}.bin`);
  writeRaw(inFile, x);
  const exe = await buildExample(dir, manifest.library);

  // Alternating rounds, each the median of `iters` runs; the best round of each side is reported
  // (on a shared machine the slowest rounds measure the neighbours, not the code).
  const rounds = arg('rounds', 3);
  const s = await ModelSession.load(modelPath, { threads });
  const feeds = { [manifest.inputs[0].name]: { dims: [batch, ...sample], data: x } };
  for (let i = 0; i < warmup + 1; i++) await s.run(feeds);
  const appRounds: number[] = [];
  const soRounds: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const ms: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t0 = performance.now();
      await s.run(feeds);
      ms.push(performance.now() - t0);
    }
    appRounds.push(median(ms));
    const r = await run(exe, ['--batch', String(batch), '--threads', String(threads), '--input', inFile, '--iters', String(iters), '--warmup', String(warmup)], dir);
    if (r.code !== 0) throw new Error(r.stderr);
    soRounds.push(Number(/median_ms ([\d.]+)/.exec(r.stdout)?.[1]));
  }
  s.dispose();
  const app = Math.min(...appRounds);
  const so = Math.min(...soRounds);
  const r2 = (v: number) => +v.toFixed(3);
  console.log(JSON.stringify({ model: modelPath, batch, threads, iters, rounds, in_app_median_ms: r2(app), so_median_ms: r2(so), in_app_rounds: appRounds.map(r2), so_rounds: soRounds.map(r2), so_vs_app: +(so / app - 1).toFixed(4) }));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
