// Data for the charts and tables, shaped from the store: one function per view, pure, so charts only
// draw what they are given and the shaping is tested without a browser.

import type { BenchResult, CompareResult, LayerRow, ModelSummary } from '../../../engine/api/contract';

export interface OpCount {
  op: string;
  count: number;
  unsupported: boolean;
}

export function selectOpHistogram(summary: ModelSummary | undefined): OpCount[] {
  if (!summary) return [];
  const bad = new Set(summary.unsupportedOps.map((u) => u.opType));
  return Object.entries(summary.opCounts)
    .map(([op, count]) => ({ op, count, unsupported: bad.has(op) }))
    .sort((a, b) => Number(b.unsupported) - Number(a.unsupported) || b.count - a.count || a.op.localeCompare(b.op));
}

/** Unsupported nodes first, then graph order; filtered by a case-insensitive name/op search. */
export function selectLayerRows(layers: LayerRow[] | undefined, query: string): LayerRow[] {
  if (!layers) return [];
  const q = query.trim().toLowerCase();
  const rows = q ? layers.filter((l) => l.name.toLowerCase().includes(q) || l.op.toLowerCase().includes(q)) : layers;
  return [...rows.filter((l) => l.unsupported), ...rows.filter((l) => !l.unsupported)];
}

export interface TimingRow {
  name: string;
  op: string;
  fp32Raw: number | null;
  fp32Fused: number | null;
  int8: number | null;
}

/** The `limit` layers that take longest in FP32 (raw, else fused), in graph order. */
export function selectLayerTiming(bench: BenchResult | undefined, limit = 12): TimingRow[] {
  const layers = bench?.layers ?? [];
  const cost = (l: (typeof layers)[number]) => Math.max(l.fp32_raw_ms ?? 0, l.fp32_fused_ms ?? 0, l.int8_ms ?? 0);
  const top = new Set([...layers].sort((a, b) => cost(b) - cost(a)).slice(0, limit).map((l) => l.name));
  return layers.filter((l) => top.has(l.name)).map((l) => ({ name: l.name, op: l.op, fp32Raw: l.fp32_raw_ms, fp32Fused: l.fp32_fused_ms, int8: l.int8_ms }));
}

export interface SqnrRow {
  name: string;
  op: string;
  sqnr: number;
  cosine: number;
  worst: boolean;
}

/** Every analysed layer in graph-ish order (the engine ranks worst first; the chart shows them
 *  all, the `worst` lowest SQNR marked). Infinite SQNR (exact layers) is capped for drawing. */
export function selectLayerSqnr(result: CompareResult | undefined, worst = 3, limit = 24): SqnrRow[] {
  if (!result) return [];
  const ranked = result.layers.slice(0, limit);
  const worstNames = new Set(ranked.slice(0, worst).map((l) => l.name));
  return ranked
    .map((l) => ({ name: l.name, op: l.op, sqnr: Number.isFinite(l.sqnr_db) ? l.sqnr_db : 99, cosine: l.cosine, worst: worstNames.has(l.name) }))
    .sort((a, b) => a.sqnr - b.sqnr);
}

export interface Headline {
  fp32: { top1: number | null; top5: number | null; latencyMs: number; throughput: number; bytes: number };
  int8: { top1: number | null; top5: number | null; latencyMs: number; throughput: number; bytes: number };
  agreement: number;
  speedup: number;
  count: number;
  batch: number;
}

export function selectHeadline(result?: CompareResult, fp32?: BenchResult, int8?: BenchResult, sizes?: { fp32: number; int8: number }): Headline | undefined {
  if (!result || !fp32 || !int8 || !sizes) return undefined;
  const acc = (x: number | null) => (x === null || Number.isNaN(x) ? null : x);
  return {
    fp32: { top1: acc(result.fp32.top1), top5: acc(result.fp32.top5), latencyMs: fp32.latency_ms.median, throughput: fp32.throughput_per_s, bytes: sizes.fp32 },
    int8: { top1: acc(result.int8.top1), top5: acc(result.int8.top5), latencyMs: int8.latency_ms.median, throughput: int8.throughput_per_s, bytes: sizes.int8 },
    agreement: result.agreement,
    speedup: fp32.latency_ms.median / int8.latency_ms.median,
    count: result.count,
    batch: fp32.batch,
  };
}

export const formatBytes = (n: number): string => (n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
export const formatPct = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);
export const formatCount = (n: number): string => n.toLocaleString('en-US');
export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '—';
  if (s < 1) return '< 1 s';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
