// Recognises HardSwish as exported for opsets below 14, x * HardSigmoid(x; alpha = 1/6, beta = 0.5),
// and replaces it by one HardSwish node (an eltwise step, or a post-op once fused).

import { attrFloat, type Graph, type Node } from '../ir/graph';
import { consumers, hasSingleUse } from '../ir/graph-utils';

function isStd(n: Node): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

/** Returns the number of patterns replaced. */
export function fuseHardSwish(graph: Graph): number {
  let fused = 0;
  const uses = consumers(graph);
  for (let k = 0; k < graph.nodes.length; k++) {
    const hs = graph.nodes[k];
    if (!isStd(hs) || hs.opType !== 'HardSigmoid') continue;
    if (Math.abs(attrFloat(hs, 'alpha', 0.2) - 1 / 6) > 1e-6 || Math.abs(attrFloat(hs, 'beta', 0.5) - 0.5) > 1e-6) continue;
    const x = hs.inputs[0];
    const s = hs.outputs[0];
    if (!hasSingleUse(graph, uses, s)) continue;
    const mul = uses.get(s)![0];
    if (!isStd(mul) || mul.opType !== 'Mul') continue;
    const other = mul.inputs[0] === s ? mul.inputs[1] : mul.inputs[0];
    if (other !== x) continue;
    const node: Node = {
      name: mul.name,
      opType: 'HardSwish',
      domain: '',
      inputs: [x],
      outputs: [mul.outputs[0]],
      attrs: {},
      sources: [...(hs.sources ?? [hs.name]), ...(mul.sources ?? [mul.name])],
    };
    graph.nodes[graph.nodes.indexOf(mul)] = node;
    graph.nodes.splice(k, 1);
    graph.values.delete(s);
    uses.set(x, (uses.get(x) ?? []).filter((n) => n !== hs && n !== mul).concat(node));
    k--;
    fused++;
  }
  return fused;
}
