// CSV forms of the reports `qwb export --format csv` writes: one table each, RFC 4180 quoting.

import type { CompareResult, ModelSummary } from '../api/contract';

function cell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rows(header: string[], body: unknown[][]): string {
  return [header, ...body].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** One table: `summary` rows (metric, fp32, int8) then one `layer` row per analysed layer, worst first. */
export function compareCsv(r: CompareResult): string {
  const header = ['section', 'name', 'op', 'tensor', 'sqnr_db', 'cosine', 'fp32', 'int8'];
  const body: unknown[][] = [
    ['summary', 'count', '', '', '', '', r.count, r.count],
    ['summary', 'top1', '', '', '', '', r.fp32.top1, r.int8.top1],
    ['summary', 'top5', '', '', '', '', r.fp32.top5, r.int8.top5],
    ['summary', 'ms', '', '', '', '', r.fp32.ms, r.int8.ms],
    ['summary', 'agreement', '', '', '', '', '', r.agreement],
    ...r.layers.map((l) => ['layer', l.name, l.op, l.tensor, l.sqnr_db, l.cosine, '', '']),
  ];
  return rows(header, body);
}

/** op_type,count of the model as in the file. */
export function opCountsCsv(s: ModelSummary): string {
  return rows(['op_type', 'count'], Object.entries(s.opCounts).sort((a, b) => b[1] - a[1]));
}
