// Child process of run-bench: RSS of one INT8 session in a process of its own (so other sessions of
// the benchmark do not count). Prints one JSON line:
//   {baseline_mb, peak_mb (after compile + first run), after_runs_mb, growth_mb, runs}
// Usage: node dist/tools/bench/memory-probe.js MODEL.int8.onnx RUNS [THREADS]

import { randomFeeds } from '../../engine/api/bench-job';
import { loadModel } from '../../engine/onnx/load';
import { ModelSession } from '../../engine/runtime/session';

const mb = (b: number) => b / (1024 * 1024);

async function main(): Promise<void> {
  const [file, runsArg, threadsArg] = process.argv.slice(2);
  const runs = Number(runsArg ?? 1000);
  const model = loadModel(file);
  const feeds = randomFeeds(model, 1);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const session = await ModelSession.load(model, { threads: Number(threadsArg ?? 0) });
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  // Steady state is reached after a few runs (allocator pools, V8 output buffers): growth is
  // measured from there, so only a leak per run shows.
  for (let i = 0; i < 10; i++) {
    await session.run(feeds);
    sample();
  }
  global.gc?.();
  const settled = process.memoryUsage().rss;
  for (let i = 0; i < runs; i++) {
    await session.run(feeds);
    if (i % 50 === 0) sample();
  }
  global.gc?.();
  const after = process.memoryUsage().rss;
  sample();
  session.dispose();
  process.stdout.write(
    `${JSON.stringify({ baseline_mb: mb(baseline), peak_mb: mb(peak), settled_mb: mb(settled), after_runs_mb: mb(after), growth_mb: mb(after - settled), runs })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`memory-probe: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
