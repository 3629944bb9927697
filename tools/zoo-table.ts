// The model corpus table for the README: reads the records test/zoo writes
// (.cache/zoo/results/NAME.json, from `npm test` and `npm run test:zoo`; speed from
// tools/zoo-speed.ts where it was run) in corpus order and prints a markdown table.
// Usage: node dist/tools/zoo-table.js [--json]

import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const corpus = JSON.parse(fs.readFileSync(path.join(root, 'tools', 'zoo-corpus.json'), 'utf8')) as { models: { name: string; tier: string }[] };
const dir = path.join(root, '.cache', 'zoo', 'results');

interface Row {
  name: string;
  family: string;
  tier: string;
  input: string;
  nodes: number;
  opCounts: Record<string, number>;
  fp32MaxRelErr?: number;
  quantizedNodes?: number;
  checker?: string;
  ortLoads?: boolean;
  int8Cosine?: number;
  fp32Ms?: number;
  int8Ms?: number;
  error?: string;
}

const rows: Row[] = [];
for (const m of corpus.models) {
  const f = path.join(dir, `${m.name}.json`);
  if (!fs.existsSync(f)) continue;
  const row = JSON.parse(fs.readFileSync(f, 'utf8')) as Row;
  // tools/zoo-speed.ts' interleaved timing, where it was run, over the test's own best-of-5.
  const speed = path.join(dir, `${m.name}.speed.json`);
  if (fs.existsSync(speed)) Object.assign(row, JSON.parse(fs.readFileSync(speed, 'utf8')) as Pick<Row, 'fp32Ms' | 'int8Ms'>, { name: row.name });
  rows.push(row);
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  const fmt = (v: number | undefined, f: (x: number) => string) => (v === undefined ? '–' : f(v));
  const mainOps = (r: Row) => {
    const top = Object.entries(r.opCounts).filter(([op]) => !['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Concat', 'Identity'].includes(op)).sort((a, b) => b[1] - a[1]).slice(0, 3);
    return top.map(([op, n]) => `${op} ${n}`).join(', ');
  };
  console.log('| model | family | input | nodes (main ops) | quantized | FP32 max rel err | QDQ file: checker / ORT | INT8 cosine vs ORT | FP32 ms | INT8 ms | INT8/FP32 | status |');
  console.log('|---|---|---|---|---:|---:|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const qdq = r.checker === undefined ? '–' : `${r.checker === '' ? 'valid' : 'INVALID'} / ${r.ortLoads ? 'loads' : 'fails'}`;
    const ratio = r.fp32Ms && r.int8Ms ? `${(r.int8Ms / r.fp32Ms).toFixed(2)}x` : '–';
    console.log(
      `| ${r.name} | ${r.family} | ${r.input} | ${r.nodes} (${mainOps(r)}) | ${r.quantizedNodes ?? '–'} | ${fmt(r.fp32MaxRelErr, (x) => x.toExponential(1))} | ${qdq} | ${fmt(r.int8Cosine, (x) => x.toFixed(4))} | ${fmt(r.fp32Ms, (x) => x.toFixed(1))} | ${fmt(r.int8Ms, (x) => x.toFixed(1))} | ${ratio} | ${r.error ? `✗ ${r.error.replace(/\|/g, '/')}` : '✓'} |`,
    );
  }
}
