// `qwb demo` (= npm start): argument parsing for the demo method and its text report.

import type { DemoReport, DemoRequest } from '../../api/contract';
import { formatEval, formatSummary } from '../format';
import type { CommandHandler } from './command';

export const demoCommand: CommandHandler<DemoRequest> = {
  request(p) {
    p.expectPositionals(0);
    return { limit: p.int('limit', 1), threads: p.int('threads', 0), batch: p.int('batch', 1), int8: !p.flag('no-int8') };
  },
  async execute(service, req, opts) {
    const r = await service.demo(req, opts);
    // Per-sample predictions are for agreement, not for reading.
    const value = { ...r, fused: { ...r.fused, predictions: undefined }, unfused: { ...r.unfused, predictions: undefined } };
    return { value, text: formatDemo(r) };
  },
};

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...rows.map(fmt)];
}

export function formatDemo(d: DemoReport): string {
  const lines = [
    'Quant Workbench demo: FP32 and INT8 through oneDNN',
    '',
    formatSummary(d.summary),
    '',
    `runtime     oneDNN ${d.runtime.onednn}, ISA ${d.runtime.isa}, ${d.runtime.cores} cores`,
    `plan        ${d.fusedSteps} steps fused (BN folded, activations as post-ops) vs ${d.unfusedSteps} unfused`,
    '',
    formatEval('FP32 fused', d.fused),
    formatEval('FP32 unfused', d.unfused),
    `agreement   ${pct(d.agreement)} of top-1 predictions identical (fused vs unfused)`,
  ];
  if (d.expectedTop1 !== undefined) lines.push(`reference   top-1 ${pct(d.expectedTop1)} measured by PyTorch on the same sample`);
  const q = d.int8;
  if (!q) return lines.join('\n');
  const c = q.calibration;
  lines.push(
    '',
    `INT8: ${c.count} calibration images (seed ${c.seed}) from ${c.source}; evaluated on the ${d.fused.count} images above`,
    ...(c.note ? [`note        ${c.note}`] : []),
    '',
    ...table(
      ['mode', 'weights', 'top-1', 'top-5', 'vs FP32', 'agreement', 'quantize', `ms/batch ${q.latencyBatch}`, 'speed-up'],
      [
        ['FP32', '-', pct(d.fused.top1), pct(d.fused.top5), '-', '-', '-', q.fp32LatencyMs.toFixed(2), '1.00x'],
        ...q.modes.map((m) => [
          m.method === q.best ? `${m.method} *` : m.method,
          `${m.weightBits}-bit`,
          pct(m.top1),
          pct(m.top5),
          `${m.top1 >= d.fused.top1 ? '+' : ''}${((m.top1 - d.fused.top1) * 100).toFixed(2)} pts`,
          pct(m.agreement),
          `${(m.quantizeMs / 1000).toFixed(1)} s`,
          m.latencyMs.toFixed(2),
          `${(q.fp32LatencyMs / m.latencyMs).toFixed(2)}x`,
        ]),
      ],
    ),
    '',
    `worst layers of the best mode (${q.best}, *), SQNR on 16 samples:`,
    ...q.worstLayers.map((l) => `  ${l.name.padEnd(32)} ${l.op.padEnd(8)} ${l.sqnr_db.toFixed(1).padStart(5)} dB   cosine ${l.cosine.toFixed(4)}`),
  );
  for (const w of q.warnings) lines.push(`note        ${w}`);
  return lines.join('\n');
}
