// Multiply-accumulate counts of the compute-heavy nodes (Conv, ConvTranspose, Gemm, MatMul) at
// inferred shapes, and the parameter count of a model. Used by `inspect` and the bench report.

import { attrInt, type Graph, type Node } from './graph';
import { staticDims } from './graph-utils';
import { numel } from './tensor';

/** MACs of one node at the graph's inferred shapes; 0 for ops that are not counted. */
export function nodeMacs(graph: Graph, node: Node): number {
  const dims = (i: number) => staticDims(graph, node.inputs[i] ?? '');
  const out = staticDims(graph, node.outputs[0] ?? '');
  switch (node.opType) {
    case 'Conv': {
      const w = dims(1);
      if (!w || !out) return 0;
      // every output element: (C/group) * kernel MACs
      return numel(out) * numel(w.slice(1));
    }
    case 'ConvTranspose': {
      const x = dims(0);
      const w = dims(1);
      if (!x || !w) return 0;
      // every input element scatters into (M/group) * kernel outputs
      return numel(x) * numel(w.slice(1));
    }
    case 'Gemm': {
      const a = dims(0);
      if (!a || !out || a.length !== 2) return 0;
      const k = attrInt(node, 'transA', 0) ? a[0] : a[1];
      return numel(out) * k;
    }
    case 'MatMul': {
      const a = dims(0);
      if (!a || !out) return 0;
      return numel(out) * a[a.length - 1];
    }
    default:
      return 0;
  }
}

/** Total MACs of a graph (after shape inference). */
export function graphMacs(graph: Graph): number {
  let total = 0;
  for (const n of graph.nodes) total += nodeMacs(graph, n);
  return total;
}

/** Number of parameters: elements of every float initializer. */
export function parameterCount(graph: Graph): number {
  let total = 0;
  for (const t of graph.initializers.values()) if (t.dtype.startsWith('float')) total += numel(t.dims);
  return total;
}
