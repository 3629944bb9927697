// CSV forms of the reports `qwb export --format csv` writes: one table each, RFC 4180 quoting.
// Text cells come from the model (node, op and tensor names), which anyone may have written: a
// spreadsheet would run one that starts like a formula, so those get a leading apostrophe.

import type { CompareResult, ModelSummary } from '../api/contract';

/** What spreadsheets take as the start of a formula (OWASP's CSV-injection list, with the
 *  full-width forms some locales also read), possibly after leading blanks; and a leading tab or CR. */
const FORMULA_START = /^(?:[ \t\r\n]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r])/;

/** A text cell as CSV: formula-like text defused with a leading apostrophe, then quoted if needed.
 *  Numbers are written as they are (a negative SQNR stays a number). */
export function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rows(header: string[], body: unknown[][]): string {
  return [header, ...body].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
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
