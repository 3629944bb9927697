// `qwb export`: argument parsing and the text form of exportModel's result.

import type { ExportRequest, ExportResult, WorkbenchService } from '../../api/contract';
import { intOption, lastOption, parseArgs, UsageError } from '../args';

export const EXPORT_HELP = `  qwb export MODEL.onnx --format so|qdq|json|csv --out DIR [--max-batch N] [--report COMPARE.json] [--json]
      so: DIR/MODEL.so (C ABI, qwb_model.h), example.c, README.md, manifest.json; batch 1..N (default 64)
      qdq: the QDQ ONNX (quantized models only); json|csv: the --report from 'qwb compare --json',
      else the model summary (json) / op counts (csv)
`;

const FORMATS = ['so', 'qdq', 'json', 'csv'] as const;

export async function exportCommand(rest: string[], service: WorkbenchService): Promise<{ value: ExportResult; text: string }> {
  const p = parseArgs(rest, ['format', 'out', 'max-batch', 'report'], ['json']);
  if (p.positionals.length !== 1) throw new UsageError(`export takes one MODEL.onnx, got ${p.positionals.join(' ') || 'none'}`);
  const format = lastOption(p, 'format') ?? 'so';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be so, qdq, json or csv, got '${format}'`);
  const out = lastOption(p, 'out');
  if (!out) throw new UsageError('--out DIR is required');
  const value = await service.exportModel({
    modelPath: p.positionals[0],
    format: format as ExportRequest['format'],
    out,
    maxBatch: intOption(p, 'max-batch', 1),
    report: lastOption(p, 'report'),
  });
  const text = [...value.files.map((f) => `wrote ${f}`), ...value.notes, `${(value.ms / 1000).toFixed(1)} s`].join('\n');
  return { value, text };
}
