// Issue 3's accuracy table, measured: the demo model on the full 10,000-image Fashion-MNIST test set,
// calibrated on 512 seeded images of the training set, for each mode x {7-bit, 8-bit weights}:
// FP32 and INT8 top-1/top-5 through our runtime, top-1 agreement with FP32, quantize time, and for
// cross-checks onnxruntime-node's top-1 on the same QDQ file and our fake-quant reference path
// (ModelSession int8: false). One process, one job at a time, so timings are not skewed by each other.
//   npx tsc -p tsconfig.json && node dist/tools/accuracy/run-accuracy.js [--limit N] [--out DIR] [--no-ref]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEMO_CALIB_COUNT, DEMO_CALIB_SEED, fashionMnist, loadDemoAssets } from '../../engine/api/demo-assets';
import { openModelData, resolvePreprocess } from '../../engine/api/data-source';
import { evaluateDataset } from '../../engine/api/evaluate-dataset';
import type { ModelRunner } from '../../engine/api/runners';
import { Service } from '../../engine/api/service';
import type { EvaluateResult, QuantizeRequest } from '../../engine/api/contract';
import { agreement } from '../../engine/eval/metrics';
import { NodeHost } from '../../engine/host/node-host';
import { loadModel } from '../../engine/onnx/load';
import { ModelSession } from '../../engine/runtime/session';

type Mode = 'minmax' | 'percentile' | 'entropy' | 'mse';
const MODES: Mode[] = ['minmax', 'percentile', 'entropy', 'mse'];

export interface AccuracyRow {
  mode: Mode;
  weightBits: 7 | 8;
  int8: { top1: number; top5: number; ms: number };
  dropPoints: number;
  agreement: number;
  quantizeMs: number;
  ortTop1: number;
  /** Fake-quant reference (QDQ run in FP32 by our runtime); absent with --no-ref. */
  refTop1?: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function cpuName(): string {
  const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  return m ? m[1].trim() : os.cpus()[0]?.model ?? 'unknown CPU';
}

const pct = (x: number) => (x * 100).toFixed(2);

/** Our runtime on the QDQ model's fake-quant path: Q/DQ in FP32, the reference the int8 path is checked against. */
async function fakeQuantRunner(file: string): Promise<ModelRunner> {
  const s = await ModelSession.load(loadModel(fs.readFileSync(file)), { int8: false });
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    run: async (feeds) => (await s.run(feeds)).outputs,
    dispose: () => s.dispose(),
  };
}

export function markdownTable(fp32: EvaluateResult, rows: AccuracyRow[]): string {
  const ref = rows.some((r) => r.refTop1 !== undefined);
  const head = ['mode', 'weights', 'FP32 top-1', 'FP32 top-5', 'INT8 top-1', 'INT8 top-5', 'top-1 drop (pts)', 'agreement', 'ORT top-1 (same QDQ)', ...(ref ? ['fake-quant top-1'] : []), 'quantize s'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.mode === 'percentile' ? 'percentile 99.99' : r.mode,
      r.weightBits === 7 ? '7-bit (reduce range)' : '8-bit',
      pct(fp32.top1),
      pct(fp32.top5),
      pct(r.int8.top1),
      pct(r.int8.top5),
      r.dropPoints.toFixed(2),
      pct(r.agreement),
      pct(r.ortTop1),
      ...(ref ? [r.refTop1 === undefined ? '' : pct(r.refTop1)] : []),
      (r.quantizeMs / 1000).toFixed(1),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const limit = arg('limit') ? Number(arg('limit')) : undefined;
  const outDir = arg('out') ?? path.join(__dirname, '..', '..', '..', 'tools', 'accuracy');
  const withRef = !process.argv.includes('--no-ref');
  const host = new NodeHost();
  const service = new Service(host);
  const demo = await loadDemoAssets(host);
  const train = fashionMnist('train');
  const test = fashionMnist('t10k');
  if (!train || !test) throw new Error('Debian dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-accuracy-'));
  const base = { data: test.images, labels: test.labels, mean: demo.mean, std: demo.std, limit };
  const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
  const t0 = Date.now();

  log('FP32');
  const fp32 = await service.evaluate({ modelPath: demo.modelPath, ...base });
  log(`FP32 top-1 ${pct(fp32.top1)} on ${fp32.count}`);
  const rows: AccuracyRow[] = [];
  for (const mode of MODES) {
    for (const reduceRange of [true, false]) {
      const out = path.join(tmp, `${mode}-${reduceRange ? 7 : 8}.onnx`);
      const req: QuantizeRequest = {
        modelPath: demo.modelPath,
        outPath: out,
        calib: train.images,
        calibCount: DEMO_CALIB_COUNT,
        calibSeed: DEMO_CALIB_SEED,
        method: mode,
        reduceRange,
        preprocess: { mean: demo.mean, std: demo.std },
      };
      const q = await service.quantizeModel(req);
      const int8 = await service.evaluate({ modelPath: out, ...base });
      const ort = await service.evaluate({ modelPath: out, ...base, backend: 'ort' });
      let refTop1: number | undefined;
      if (withRef) {
        const model = loadModel(fs.readFileSync(out));
        const ds = await openModelData(model, test.images, test.labels, resolvePreprocess(model, { mean: demo.mean, std: demo.std }), { count: limit });
        const runner = await fakeQuantRunner(out);
        try {
          refTop1 = (await evaluateDataset(runner, ds, { inputName: model.graph.inputs[0].name })).top1;
        } finally {
          runner.dispose();
        }
      }
      const row: AccuracyRow = {
        mode,
        weightBits: q.weightBits,
        int8: { top1: int8.top1, top5: int8.top5, ms: int8.ms },
        dropPoints: (fp32.top1 - int8.top1) * 100,
        agreement: agreement(fp32.predictions, int8.predictions),
        quantizeMs: q.ms.total,
        ortTop1: ort.top1,
        refTop1,
      };
      rows.push(row);
      log(`${mode} ${q.weightBits}-bit: INT8 ${pct(int8.top1)} ORT ${pct(ort.top1)}${refTop1 === undefined ? '' : ` ref ${pct(refTop1)}`} drop ${row.dropPoints.toFixed(2)}`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  const runtime = await service.runtimeInfo();
  const best = Math.min(...rows.map((r) => r.dropPoints));
  const worst = Math.max(...rows.map((r) => r.dropPoints));
  // ORT is compared per weight width: with 8-bit weights on a CPU without VNNI its own u8 x s8
  // kernels saturate (measured ~2 points lower than ours and than the fake-quant reference).
  const gapOf = (bits: number) => Math.max(0, ...rows.filter((r) => r.weightBits === bits).map((r) => Math.abs(r.ortTop1 - r.int8.top1) * 100));
  const ortGap = gapOf(7);
  const ortGap8 = gapOf(8);
  const result = {
    date: new Date().toISOString(),
    cpu: cpuName(),
    runtime,
    count: fp32.count,
    calibration: { source: train.images, count: DEMO_CALIB_COUNT, seed: DEMO_CALIB_SEED },
    fp32: { top1: fp32.top1, top5: fp32.top5, ms: fp32.ms },
    rows,
    bar: {
      everyModeMaxDrop: 0.3,
      bestModeMaxDrop: 0.1,
      ortMaxGap: 0.3,
      worstDrop: worst,
      bestDrop: best,
      maxOrtGap7bit: ortGap,
      maxOrtGap8bit: ortGap8,
      accuracyMet: worst <= 0.3 && best <= 0.1,
      ortMet7bit: ortGap <= 0.3,
    },
    seconds: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  const md = [
    `Measured ${result.date.slice(0, 10)} on ${result.cpu} (oneDNN ${runtime.onednn}, ISA ${runtime.isa}), ${fp32.count} test images, ` +
      `${DEMO_CALIB_COUNT} calibration images (seed ${DEMO_CALIB_SEED}) from the training set.`,
    '',
    markdownTable(fp32, rows),
    '',
    `Worst drop ${worst.toFixed(2)} points, best ${best.toFixed(2)}: issue 3's bar (every mode <= 0.3, best <= 0.1) ${result.bar.accuracyMet ? 'met' : 'NOT met'}. ` +
      `Largest |ORT - ours| top-1 gap: ${ortGap.toFixed(2)} points with 7-bit weights (bar 0.3: ${result.bar.ortMet7bit ? 'met' : 'NOT met'}), ` +
      `${ortGap8.toFixed(2)} with 8-bit weights (ORT's own kernels saturate without VNNI; compare the fake-quant column).`,
  ].join('\n');
  fs.writeFileSync(path.join(outDir, 'results.md'), md + '\n');
  process.stdout.write(md + '\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`run-accuracy: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
