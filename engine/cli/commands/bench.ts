// `qwb bench`: arguments -> benchModel, and its text formatter.

import type { BenchRequest, BenchResult } from '../../api/contract';
import { parseDims, splitPair, UsageError } from '../args';
import type { CommandHandler } from './command';

export const benchCommand: CommandHandler<BenchRequest> = {
  request(p) {
    const int8Path = p.string('int8');
    if (int8Path && !p.flag('per-layer')) throw new UsageError('--int8 only applies with --per-layer');
    return {
      modelPath: p.expectPositionals(1)[0],
      batch: p.int('batch', 1),
      threads: p.int('threads', 0),
      iters: p.int('iters', 1),
      perLayer: p.flag('per-layer'),
      int8Path,
      calibCount: p.int('calib-count', 1),
      inputDims: shapes(p.all('shape')),
    };
  },
  async execute(service, req, opts) {
    const r = await service.benchModel(req, opts);
    return { value: r, text: formatBench(r) };
  },
};

/** --shape NAME=DIMS (as `qwb info` takes it): an input's dims, e.g. input_ids=1x128 for a
 *  model whose sequence length is symbolic; dim 0 follows --batch. */
function shapes(values: readonly string[]): Record<string, number[]> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const s of values) {
    const [name, d] = splitPair(s);
    if (!name) throw new UsageError(`--shape needs NAME=DIMS, got '${s}'`);
    out[name] = parseDims(d, `--shape ${name}`);
  }
  return out;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);

export function formatBench(r: BenchResult): string {
  const dims = Object.entries(r.inputDims)
    .map(([k, d]) => `${k} [${d.join('x')}]`)
    .join(', ');
  const lines = [
    `model       ${r.model} (${r.variant}), ${dims}`,
    `runtime     oneDNN ${r.runtime.onednn} (${r.runtime.isa}), ${r.threads} threads`,
    `warm-up     ${r.warmup_ms.toFixed(1)} ms (first run: compile, weight reorders, JIT)`,
    `latency     median ${r.latency_ms.median.toFixed(2)} ms, p90 ${r.latency_ms.p90.toFixed(2)} ms, min ${r.latency_ms.min.toFixed(2)} ms (${r.iters} runs)`,
    `throughput  ${r.throughput_per_s.toFixed(1)} items/s (batch ${r.batch})`,
  ];
  if (r.layers && r.totals_ms) {
    lines.push('', `per layer (median ms per step; INT8: ${r.int8_source})`);
    const head = ['layer', 'op', 'fp32 raw', '%', 'fp32 fused', '%', 'int8', '%'];
    const body = r.layers.map((l) => [
      l.name.length > 48 ? `…${l.name.slice(-47)}` : l.name,
      l.op.length > 28 ? `${l.op.slice(0, 27)}…` : l.op,
      ms(l.fp32_raw_ms),
      pct(l.share.fp32_raw),
      ms(l.fp32_fused_ms),
      pct(l.share.fp32_fused),
      ms(l.int8_ms),
      pct(l.share.int8),
    ]);
    body.push(['total', '', ms(r.totals_ms.fp32_raw), '', ms(r.totals_ms.fp32_fused), '', ms(r.totals_ms.int8), '']);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
    const fmt = (row: string[]) => row.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    lines.push(fmt(head), ...body.map(fmt));
  }
  return lines.join('\n');
}
