// Small helpers the passes share: consumer counts, renaming values, cloning a model so that a
// compile at some input dims never mutates the model a session was loaded from.

import type { Graph, Model, Node, ValueInfo } from './graph';

/** value name -> nodes that read it (a node reading a value twice is listed twice). */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      let list = map.get(i);
      if (!list) map.set(i, (list = []));
      list.push(n);
    }
  }
  return map;
}

/** value name -> the node producing it. */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) map.set(o, n);
  return map;
}

export function graphOutputNames(graph: Graph): Set<string> {
  return new Set(graph.outputs.map((o) => o.name));
}

/** True when `value` is read by exactly one node input and is not a graph output: the only
 *  values a fusion may swallow. */
export function hasSingleUse(graph: Graph, uses: Map<string, Node[]>, value: string): boolean {
  if (graph.outputs.some((o) => o.name === value)) return false;
  return (uses.get(value)?.length ?? 0) === 1;
}

/** Replaces every read of `from` by `to` (node inputs and sum post-ops). */
export function renameUses(graph: Graph, from: string, to: string): void {
  for (const n of graph.nodes) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    if (n.postOps) for (const p of n.postOps) if (p.kind === 'sum' && p.input === from) p.input = to;
  }
}

/** A model whose graph (node list, nodes, maps) may be rewritten freely; tensors are shared
 *  (passes replace tensors, never write into them). */
export function cloneModel(model: Model): Model {
  const g = model.graph;
  const nodes: Node[] = g.nodes.map((n) => ({
    ...n,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attrs: { ...n.attrs },
    postOps: n.postOps ? n.postOps.map((p) => ({ ...p })) : undefined,
    sources: n.sources ? [...n.sources] : undefined,
  }));
  // Keep absent optional fields absent (deepEqual in tests, JSON in reports).
  for (const n of nodes) {
    if (!n.postOps) delete n.postOps;
    if (!n.sources) delete n.sources;
  }
  return {
    ...model,
    opsets: { ...model.opsets },
    metadata: { ...model.metadata },
    graph: {
      ...g,
      nodes,
      inputs: g.inputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
      outputs: g.outputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
      initializers: new Map(g.initializers),
      values: new Map([...g.values].map(([k, v]) => [k, { ...v, shape: v.shape ? [...v.shape] : undefined }])),
    },
  };
}

/** A value name not yet used in the graph, derived from `base`. */
export function freshName(graph: Graph, base: string): string {
  const used = (name: string) =>
    graph.initializers.has(name) || graph.values.has(name) || graph.nodes.some((n) => n.outputs.includes(name) || n.inputs.includes(name));
  if (!used(base)) return base;
  for (let i = 1; ; i++) if (!used(`${base}_${i}`)) return `${base}_${i}`;
}

/** Static dims of a value once shape inference has run, or undefined. */
export function staticDims(graph: Graph, name: string): number[] | undefined {
  const s = graph.values.get(name)?.shape;
  if (!s || s.some((d) => typeof d !== 'number' || d < 0)) return undefined;
  return s as number[];
}

/** dims[0] of a graph input when the file fixes it (a static batch), else undefined: every job that
 *  batches data over a model asks this one question. */
export function staticBatchOf(input: ValueInfo): number | undefined {
  const dim0 = input.shape?.[0];
  return typeof dim0 === 'number' && dim0 > 0 ? dim0 : undefined;
}
