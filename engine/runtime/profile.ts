// Latency statistics and per-step profiles of a ModelSession, and the merge of several profiles of
// one model (FP32 raw, FP32 fused, INT8) into rows keyed by ONNX nodes. Used by `qwb bench` and
// tools/bench. Timing is wall-clock around one `run` (one native crossing per batch), so it
// includes the input/output copies a caller pays.

import type { HostTensor, InferenceSession, StepProfile } from './session-types';

export interface LatencyStats {
  /** First run: compile (shape inference, lowering, primitive creation, weight reorders) + JIT. */
  warmupMs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  /** Every timed iteration, in order. */
  samplesMs: number[];
}

/** q-th quantile (0..1) by nearest rank of an unsorted list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Anything that runs feeds: a session, or an api ModelRunner of either backend. */
export interface Runnable {
  run(feeds: Record<string, HostTensor>): Promise<unknown>;
}

/** The engine's one latency loop: times the first run apart (it compiles), then `iters`
 *  steady-state runs. */
export async function measureSession(session: Runnable, feeds: Record<string, HostTensor>, iters: number): Promise<LatencyStats> {
  let t0 = performance.now();
  await session.run(feeds);
  const warmupMs = performance.now() - t0;
  const samplesMs: number[] = [];
  for (let i = 0; i < iters; i++) {
    t0 = performance.now();
    await session.run(feeds);
    samplesMs.push(performance.now() - t0);
  }
  return { warmupMs, medianMs: median(samplesMs), p90Ms: quantile(samplesMs, 0.9), minMs: Math.min(...samplesMs), samplesMs };
}

/** Per-step median ms over `iters` profiled runs (the session must be warm: compile excluded). */
export async function profileSteps(session: InferenceSession, feeds: Record<string, HostTensor>, iters: number): Promise<StepProfile[]> {
  const runs: StepProfile[][] = [];
  for (let i = 0; i < Math.max(1, iters); i++) {
    const r = await session.run(feeds, { profile: true });
    if (!r.profile) throw new Error('the session returned no profile');
    runs.push(r.profile);
  }
  return runs[0].map((s, j) => ({ ...s, ms: median(runs.map((r) => r[j].ms)) }));
}

export interface LayerRow {
  /** The first ONNX node of the row in graph order (or the step name for steps with no node). */
  name: string;
  /** Every ONNX node the row covers, across all variants, in graph order. */
  nodes: string[];
  /** Op types of the nodes, joined with '+'. */
  op: string;
  /** ms per variant (summed over the variant's steps in this row); absent when the variant has no
   *  step here (e.g. nodes folded away at compile). */
  ms: Record<string, number | undefined>;
}

/**
 * Rows that every variant can be compared on. A step covers a set of ONNX nodes; two nodes belong to
 * one row when some step of any variant covers both (union-find), so an unfused Conv, BN and ReLU
 * land in the row of the fused Conv+BN+ReLU, and an INT8 step's Q/DQ nodes join their conv. Nodes of
 * `graphOrder` that no step covers (folded constants, removed Identity) get rows of their own with no
 * time, so the rows cover every node.
 */
export function mergeProfiles(
  variants: Record<string, StepProfile[]>,
  graphOrder: readonly string[],
  opTypeOf: (node: string) => string | undefined,
): LayerRow[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  // A step with no ONNX node (inserted by the lowering) is keyed by a per-variant pseudo node.
  const keysOf = (variant: string, s: StepProfile) => (s.nodes.length > 0 ? s.nodes : [`${variant}#${s.index}:${s.name}`]);
  for (const [v, steps] of Object.entries(variants)) {
    for (const s of steps) {
      const keys = keysOf(v, s);
      keys.forEach(add);
      for (const k of keys.slice(1)) parent.set(find(k), find(keys[0]));
    }
  }
  graphOrder.forEach(add);
  const order = new Map<string, number>();
  graphOrder.forEach((n, i) => order.set(n, i));
  // Nodes only another variant's model has (Q/DQ, lowering steps) sort just after the step before
  // them in that variant.
  for (const [v, steps] of Object.entries(variants)) {
    let last = -1;
    for (const s of steps) {
      const keys = keysOf(v, s);
      const known = keys.map((k) => order.get(k)).filter((x): x is number => x !== undefined);
      if (known.length) last = Math.max(...known);
      else for (const k of keys) order.set(k, last + 0.5);
    }
  }
  const rows = new Map<string, LayerRow>();
  for (const key of parent.keys()) {
    const root = find(key);
    let row = rows.get(root);
    if (!row) rows.set(root, (row = { name: '', nodes: [], op: '', ms: {} }));
    row.nodes.push(key);
  }
  for (const [v, steps] of Object.entries(variants)) {
    for (const s of steps) {
      const row = rows.get(find(keysOf(v, s)[0]))!;
      row.ms[v] = (row.ms[v] ?? 0) + s.ms;
    }
  }
  const pos = (n: string) => order.get(n) ?? Number.MAX_SAFE_INTEGER;
  const out = [...rows.values()];
  const rowPos = new Map<LayerRow, number>();
  const keysBefore = new Map<LayerRow, string[]>();
  for (const row of out) {
    row.nodes.sort((a, b) => pos(a) - pos(b));
    keysBefore.set(row, [...row.nodes]);
    const real = row.nodes.filter((n) => !n.includes('#'));
    row.nodes = real.length ? real : row.nodes.map((n) => n.replace(/^[^#]*#\d+:/, ''));
    row.name = row.nodes[0];
    rowPos.set(row, Math.min(...keysBefore.get(row)!.map(pos)));
    const ops: string[] = [];
    for (const n of real) {
      const op = opTypeOf(n);
      if (op && !ops.includes(op)) ops.push(op);
    }
    row.op = ops.join('+') || 'runtime';
  }
  out.sort((a, b) => rowPos.get(a)! - rowPos.get(b)!);
  return out;
}
