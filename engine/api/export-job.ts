// exportModel: one model -> an artifact. 'so' compiles the model's plan into a shared library with
// the C ABI (engine/export); 'qdq' writes the QDQ ONNX (a QDQ model only: an FP32 model has nothing
// quantized to export, so it is refused with the quantize command to run); 'json'/'csv' write the
// comparison report given as `report` (the output of `qwb compare --json`), or, without one, the
// model summary (json) / op counts (csv).

import * as fs from 'node:fs';
import * as path from 'node:path';

import { ArtifactExistsError, exportSo } from '../export/export-so';
import { CompilerMissingError } from '../export/compiler';
import { portableName, portableText } from '../export/portable-paths';
import { compareCsv, opCountsCsv } from '../export/report-csv';
import type { CompareResult, ExportRequest, ExportResult, JobOptions, ModelSummary } from './contract';
import { QwbError, throwIfAborted } from './errors';
import type { JobContext } from './job-context';
import { isQdqModel } from './runners';
import { makeDirs } from '../safe-fs';
import { refuseOverwritingInputs } from './output-guard';

const EXT = { qdq: '.onnx', json: '.json', csv: '.csv' } as const;

/** The output file of a single-file format: `out` itself when it ends with the format's
 *  extension, else `out/<model><suffix>`. */
export function singleFileOut(out: string, modelPath: string, format: 'qdq' | 'json' | 'csv', suffix: string): string {
  const file = out.toLowerCase().endsWith(EXT[format]) ? out : path.join(out, `${path.basename(modelPath).replace(/\.onnx$/i, '')}${suffix}${EXT[format]}`);
  // Exports write to the local file system (the .so needs a compiler there anyway): create the folder.
  makeDirs(path.dirname(file));
  return file;
}

function parseCompare(bytes: Uint8Array, file: string): CompareResult {
  let r: unknown;
  try {
    r = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new QwbError('E_DATA', `${file}: not JSON (${(e as Error).message}); give the output of 'qwb compare --json'`);
  }
  const c = r as Partial<CompareResult>;
  if (!c || typeof c !== 'object' || !c.fp32 || !c.int8 || !Array.isArray(c.layers)) {
    throw new QwbError('E_DATA', `${file}: not a comparison report (expected fp32, int8 and layers from 'qwb compare --json')`);
  }
  return c as CompareResult;
}

export async function exportJob(
  ctx: JobContext & { inspect(file: string): Promise<ModelSummary> },
  req: ExportRequest,
  opts: JobOptions = {},
): Promise<ExportResult> {
  const t0 = performance.now();
  if (!req.out) throw new QwbError('E_USAGE', 'export needs an output (--out DIR)');
  const fmt = req.format;
  if (!['so', 'qdq', 'json', 'csv'].includes(fmt)) throw new QwbError('E_USAGE', `export format must be so, qdq, json or csv, got '${fmt}'`);
  // The .so holds the max batch as an int64 and compiles a plan for it: keep it an int, and sane.
  if (req.maxBatch !== undefined && (!Number.isInteger(req.maxBatch) || req.maxBatch < 1 || req.maxBatch > 2 ** 31 - 1)) {
    throw new QwbError('E_USAGE', `maxBatch must be an integer from 1 to 2147483647, got ${req.maxBatch}`);
  }
  throwIfAborted(opts.signal, 'export');

  if (fmt === 'so') {
    const model = await ctx.model(req.modelPath);
    try {
      const r = await exportSo(model, req.modelPath, req.out, {
        maxBatch: req.maxBatch,
        force: req.force,
        onStage: (stage, done, total) => ctx.host.progress({ job: 'export', stage, done, total }),
      });
      const q = r.manifest.quantization;
      return {
        format: fmt,
        files: r.files,
        notes: [
          `${q.int8 ? `INT8 plan (${q.int8_steps} int8 steps, ${q.fp32_steps} fp32 steps)` : `FP32 plan (${q.fp32_steps} steps)`}, batch 1..${r.manifest.max_batch}`,
          r.runtimeCompiled ? `runtime compiled in ${(r.ms.runtime / 1000).toFixed(1)} s (cached for later exports)` : 'runtime from cache',
        ],
        ms: performance.now() - t0,
      };
    } catch (e) {
      if (e instanceof QwbError) throw e;
      if (e instanceof ArtifactExistsError) throw new QwbError('E_EXISTS', e.message);
      // A missing compiler is the machine's set-up, anything else about the model or the build.
      throw new QwbError(e instanceof CompilerMissingError ? 'E_IO' : 'E_MODEL', (e as Error).message);
    }
  }

  if (fmt === 'qdq') {
    const model = await ctx.model(req.modelPath);
    if (!isQdqModel(model)) {
      throw new QwbError('E_USAGE', `${req.modelPath} is an FP32 model (no QuantizeLinear/DequantizeLinear): quantize it first (qwb quantize ${req.modelPath} --calib DATA --out MODEL.int8.onnx), then export that`);
    }
    const file = singleFileOut(req.out, req.modelPath, 'qdq', '');
    refuseOverwritingInputs([['--out', file]], [['model', req.modelPath]]);
    // The QDQ file is already the portable artifact: copied byte for byte (metadata included).
    await ctx.write(file, await ctx.read(req.modelPath));
    return { format: fmt, files: [file], notes: ['QDQ ONNX copied unchanged'], ms: performance.now() - t0 };
  }

  // json / csv
  if (req.report || req.comparison) {
    const report = req.comparison ?? parseCompare(await ctx.read(req.report!), req.report!);
    const file = singleFileOut(req.out, req.modelPath, fmt, '.compare');
    refuseOverwritingInputs([['--out', file]], [['model', req.modelPath], ['report', req.report]]);
    const text = fmt === 'json' ? `${JSON.stringify(report, null, 2)}\n` : compareCsv(report);
    await ctx.write(file, new Uint8Array(Buffer.from(text, 'utf8')));
    return { format: fmt, files: [file], notes: [`comparison report from ${req.report ?? 'the window'}`], ms: performance.now() - t0 };
  }
  const summary = await ctx.inspect(req.modelPath);
  const file = singleFileOut(req.out, req.modelPath, fmt, '.summary');
  refuseOverwritingInputs([['--out', file]], [['model', req.modelPath]]);
  // The report names the model by its file name, not where it sits on this machine.
  const portable = { ...summary, path: portableName(summary.path), problems: summary.problems.map((t) => portableText(t, req.modelPath)), warnings: summary.warnings.map((t) => portableText(t, req.modelPath)) };
  const text = fmt === 'json' ? `${JSON.stringify(portable, null, 2)}\n` : opCountsCsv(summary);
  await ctx.write(file, new Uint8Array(Buffer.from(text, 'utf8')));
  return { format: fmt, files: [file], notes: ['no --report given: model summary written'], ms: performance.now() - t0 };
}
