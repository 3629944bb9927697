// Removes Identity and inference-mode Dropout nodes by rewiring their readers to the input.
// A graph output produced by such a node keeps its name: the producer of the input is renamed
// instead, and where that is impossible (the input is a graph input, a constant or itself an
// output) the node stays (it lowers to a copy).

import type { Graph, Node } from '../ir/graph';
import { dropoutIsIdentity } from '../ops/identity';
import { renameUses } from '../ir/graph-utils';

function isRemovable(graph: Graph, n: Node): boolean {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return false;
  if (n.opType === 'Identity') return true;
  return n.opType === 'Dropout' && dropoutIsIdentity(n, (name) => graph.initializers.get(name));
}

/** Returns the number of nodes removed. */
export function removeIdentities(graph: Graph): number {
  let removed = 0;
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const inputs = new Set(graph.inputs.map((i) => i.name));
  for (let k = 0; k < graph.nodes.length; k++) {
    const n = graph.nodes[k];
    if (!isRemovable(graph, n)) continue;
    const x = n.inputs[0];
    const y = n.outputs[0];
    if (!x || !y) continue;
    // Dropout's mask output, when read, still needs the node.
    if (n.outputs.slice(1).some((m) => m && (outputs.has(m) || graph.nodes.some((o) => o.inputs.includes(m))))) continue;
    if (!outputs.has(y)) {
      renameUses(graph, y, x);
    } else {
      const producer = graph.nodes.find((p) => p !== n && p.outputs.includes(x));
      if (!producer || outputs.has(x) || inputs.has(x) || graph.initializers.has(x)) continue;
      producer.outputs = producer.outputs.map((o) => (o === x ? y : o));
      renameUses(graph, x, y);
      const info = graph.values.get(x);
      if (info && !graph.values.get(y)?.shape) graph.values.set(y, { ...info, name: y });
    }
    graph.nodes.splice(k, 1);
    k--;
    removed++;
  }
  return removed;
}
