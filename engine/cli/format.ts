// Human-readable text for the CLI's results (the --json mode prints the results as they are).

import type { CompareResult, EvaluateResult, ModelSummary, QuantizeResult, RuntimeInfo } from '../api/contract';

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const dims = (d: readonly (number | string)[] | null) => (d ? `[${d.join(', ')}]` : '(shape not declared)');

export function formatSummary(s: ModelSummary): string {
  const lines = [
    `model       ${s.path}`,
    `producer    ${s.producer || '(unknown)'}   IR ${s.irVersion}   opset ${s.opset}`,
    ...s.inputs.map((v) => `input       ${v.name}: ${v.dtype} ${dims(v.shape)}   (using ${dims(s.inputDims[v.name] ?? [])})`),
    ...s.outputs.map((v) => `output      ${v.name}: ${v.dtype} ${dims(v.shape)}${s.outputDims?.[v.name] ? `   -> ${dims(s.outputDims[v.name])}` : ''}`),
    `nodes       ${s.nodeCount}${s.fusedNodeCount !== undefined ? ` (${s.fusedNodeCount} after folding and fusion)` : ''}`,
    `parameters  ${formatCount(s.parameters)}`,
  ];
  if (s.macs !== undefined) lines.push(`MACs        ${formatCount(s.macs)} at the input dims above`);
  const ops = Object.entries(s.opCounts).sort((a, b) => b[1] - a[1]);
  lines.push(`ops         ${ops.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const u of s.unsupportedOps) lines.push(`UNSUPPORTED ${u.opType} (${u.nodes.length} node${u.nodes.length > 1 ? 's' : ''}: ${u.nodes.slice(0, 3).join(', ')}${u.nodes.length > 3 ? ', ...' : ''})`);
  for (const p of s.problems) lines.push(`problem     ${p}`);
  for (const w of s.warnings) lines.push(`warning     ${w}`);
  return lines.join('\n');
}

/** The machine: what the CPU reports, what oneDNN dispatches to, and the int8 weight advice. */
export function formatRuntime(r: RuntimeInfo): string {
  return [
    `cpu         ${[r.cpu.vendor, r.cpu.brand].filter(Boolean).join(' ')}, ${r.cores} logical cores`,
    `features    ${r.cpu.features.join(' ') || '(none of the tracked ones)'}`,
    `oneDNN      ${r.onednn}, effective ISA ${r.isa}${process.env.ONEDNN_MAX_CPU_ISA ? ` (capped by ONEDNN_MAX_CPU_ISA=${process.env.ONEDNN_MAX_CPU_ISA})` : ''}`,
    `int8        ${r.int8.accumulation} accumulation; ${r.int8.reason}`,
  ].join('\n');
}

export function formatEval(label: string, r: EvaluateResult): string {
  return `${label.padEnd(14)} top-1 ${pct(r.top1)}  top-5 ${pct(r.top5)}  on ${r.count} images, ${r.ms.toFixed(1)} ms (${((r.ms / r.count) * 1000).toFixed(0)} us/image)`;
}

export function formatQuantize(r: QuantizeResult): string {
  const lines = [
    `wrote       ${r.outPath}`,
    `method      ${r.method}${r.calibrationSamples ? ` on ${r.calibrationSamples} calibration samples` : ''}`,
    `quantized   ${r.quantizedNodes.length} nodes, ${r.tensors} activation tensors (${r.activations === 'u8' ? 'u8 asymmetric' : 's8 symmetric'})`,
    `weights     s8 ${r.perChannel ? 'per-channel' : 'per-tensor'}, ${r.weightBits} bits${r.weightBits === 7 ? ' (reduce range)' : ''}`,
    `FP32        ${r.excludedNodes.length ? r.excludedNodes.map((e) => `${e.node} (${e.reason})`).join(', ') : 'none kept'}`,
    `time        ${(r.ms.total / 1000).toFixed(2)} s (calibration ${(r.ms.calibrate / 1000).toFixed(2)} s)`,
  ];
  const f = r.fallback;
  if (f) {
    lines.push(`fallback    target drop ${f.target} points, FP32 top-1 ${pct(f.fp32Top1)}`);
    for (const s of f.steps) lines.push(`  ${s.kept.length ? `FP32: ${s.kept.join(', ')}` : 'all INT8'} -> top-1 ${pct(s.top1)} (drop ${s.drop.toFixed(2)})`);
    lines.push(`  ${f.met ? 'target met' : 'target NOT met'}; kept in FP32: ${f.keptFp32.join(', ') || 'none'}`);
    lines.push(`  latency at batch 8: FP32 ${f.latency.fp32.toFixed(2)} ms, INT8 ${f.latency.int8Full.toFixed(2)} ms, final ${f.latency.int8Final.toFixed(2)} ms`);
  }
  return lines.join('\n');
}

export function formatCompare(r: CompareResult): string {
  const acc = (a: { top1: number; top5: number; ms: number }) => (Number.isNaN(a.top1) ? '(no labels)' : `top-1 ${pct(a.top1)}  top-5 ${pct(a.top5)}`) + `  ${a.ms.toFixed(1)} ms`;
  const lines = [`on ${r.count} samples`, `FP32        ${acc(r.fp32)}`, `INT8        ${acc(r.int8)}`, `agreement   ${pct(r.agreement)} of top-1 predictions`, '', 'layer                                    op                  SQNR dB   cosine'];
  for (const l of r.layers) lines.push(`${l.name.padEnd(40)} ${l.op.padEnd(18)} ${Number.isFinite(l.sqnr_db) ? l.sqnr_db.toFixed(2).padStart(8) : '     inf'}  ${l.cosine.toFixed(5)}`);
  return lines.join('\n');
}
