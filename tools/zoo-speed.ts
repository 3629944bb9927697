// INT8/FP32 speed of the corpus models, measured apart from the correctness tests: per model, our
// FP32 (fused) and INT8 sessions at batch 1, alternating in rounds, keeping each one's fastest run
// (on a shared machine another job only ever adds time). Reads the QDQ files test/zoo wrote into
// .cache/zoo/results/ and writes NAME.speed.json there, which tools/zoo-table.ts prefers.
// Usage: node dist/tools/zoo-speed.js [--rounds N] [NAME...]

import * as fs from 'node:fs';
import * as path from 'node:path';

import { randomFeeds } from '../engine/api/bench-job';
import { loadModel } from '../engine/onnx/load';
import { ModelSession } from '../engine/runtime/session';

const root = path.resolve(__dirname, '..', '..');
const zoo = path.join(root, '.cache', 'zoo');
const dir = path.join(zoo, 'results');
const corpus = JSON.parse(fs.readFileSync(path.join(root, 'tools', 'zoo-corpus.json'), 'utf8')) as { models: { name: string; seq?: number }[] };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args.splice(ri, 2)[1]) : 7;
  const names = args.length ? args : corpus.models.map((m) => m.name);
  for (const name of names) {
    const entry = corpus.models.find((m) => m.name === name);
    const qdqFile = path.join(dir, `${name}.int8.onnx`);
    if (!entry || !fs.existsSync(qdqFile)) {
      console.log(`${name}: no QDQ file (run the corpus tests first)`);
      continue;
    }
    const fp32 = loadModel(fs.readFileSync(path.join(zoo, `${name}.onnx`)));
    const seqDims = entry.seq ? Object.fromEntries(fp32.graph.inputs.map((v) => [v.name, [1, entry.seq!]])) : undefined;
    const feeds = randomFeeds(fp32, 1, 7, seqDims);
    const sessions = { fp32: await ModelSession.load(fp32, { fused: true }), int8: await ModelSession.load(loadModel(fs.readFileSync(qdqFile)), { fused: true }) };
    const best = { fp32: Infinity, int8: Infinity };
    try {
      for (const s of Object.values(sessions)) await s.run(feeds);
      for (let r = 0; r < rounds; r++) {
        for (const k of ['fp32', 'int8'] as const) {
          for (let i = 0; i < 3; i++) {
            const t0 = performance.now();
            await sessions[k].run(feeds);
            best[k] = Math.min(best[k], performance.now() - t0);
          }
        }
      }
    } finally {
      sessions.fp32.dispose();
      sessions.int8.dispose();
    }
    const rec = { name, fp32Ms: best.fp32, int8Ms: best.int8, rounds, date: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, `${name}.speed.json`), JSON.stringify(rec, null, 1));
    console.log(`${name}: FP32 ${best.fp32.toFixed(2)} ms, INT8 ${best.int8.toFixed(2)} ms, INT8/FP32 ${(best.int8 / best.fp32).toFixed(2)}x`);
  }
}

main().catch((e) => {
  console.error(`zoo-speed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
