// Recognises the exact-erf GELU as exported by PyTorch and others,
//   y = x * 0.5 * (1 + Erf(x / sqrt(2)))   (Div by sqrt(2) or Mul by 1/sqrt(2); the two Muls in
//   any of the usual orders)
// and replaces it by one Gelu node (an eltwise step, or a post-op once fused into a Conv/MatMul).

import type { Graph, Node } from '../ir/graph';
import { consumers, hasSingleUse } from '../ir/graph-utils';

function near(v: number, want: number): boolean {
  return Math.abs(v - want) <= 1e-4 * Math.abs(want);
}

function isStd(n: Node | undefined, op: string): n is Node {
  return !!n && n.opType === op && (n.domain === '' || n.domain === 'ai.onnx');
}

/** The scalar constant among a binary node's inputs and the other input, if exactly one is scalar. */
function scalarOperand(graph: Graph, n: Node): { value: number; other: string } | undefined {
  for (const i of [0, 1]) {
    const t = graph.initializers.get(n.inputs[i]);
    if (t && t.data.length === 1 && !graph.initializers.has(n.inputs[1 - i])) {
      return { value: (t.data as ArrayLike<number>)[0], other: n.inputs[1 - i] };
    }
  }
  return undefined;
}

/** Returns the number of GELU patterns replaced. */
export function fuseGelu(graph: Graph): number {
  let fused = 0;
  for (let k = 0; k < graph.nodes.length; k++) {
    const erf = graph.nodes[k];
    if (!isStd(erf, 'Erf')) continue;
    const uses = consumers(graph);
    const prod = (v: string) => graph.nodes.find((n) => n.outputs.includes(v));
    const only = (v: string): Node | undefined => (hasSingleUse(graph, uses, v) ? uses.get(v)![0] : undefined);
    // x / sqrt(2)
    const div = prod(erf.inputs[0]);
    if (!div || !hasSingleUse(graph, uses, div.outputs[0])) continue;
    let x: string | undefined;
    if (isStd(div, 'Div')) {
      const c = graph.initializers.get(div.inputs[1]);
      if (c && c.data.length === 1 && near((c.data as ArrayLike<number>)[0], Math.SQRT2)) x = div.inputs[0];
    } else if (isStd(div, 'Mul')) {
      const s = scalarOperand(graph, div);
      if (s && near(s.value, Math.SQRT1_2)) x = s.other;
    }
    if (!x) continue;
    // 1 + erf
    const add = only(erf.outputs[0]);
    if (!isStd(add, 'Add')) continue;
    const one = scalarOperand(graph, add);
    if (!one || !near(one.value, 1)) continue;
    const m1 = only(add.outputs[0]);
    if (!isStd(m1, 'Mul')) continue;
    const other = m1.inputs[0] === add.outputs[0] ? m1.inputs[1] : m1.inputs[0];
    const removed: Node[] = [div, erf, add, m1];
    let last: Node | undefined;
    const half = scalarOperand(graph, m1);
    if (other === x) {
      // (x * (1 + erf)) * 0.5
      const m2 = only(m1.outputs[0]);
      const h = m2 && isStd(m2, 'Mul') ? scalarOperand(graph, m2) : undefined;
      if (m2 && h && near(h.value, 0.5)) {
        removed.push(m2);
        last = m2;
      }
    } else if (half && near(half.value, 0.5)) {
      // ((1 + erf) * 0.5) * x
      const m2 = only(m1.outputs[0]);
      if (isStd(m2, 'Mul') && (m2.inputs[0] === x || m2.inputs[1] === x) && m2.inputs[0] !== m2.inputs[1]) {
        removed.push(m2);
        last = m2;
      }
    } else {
      // (x * 0.5) * (1 + erf)
      const hx = prod(other);
      const h = hx && isStd(hx, 'Mul') ? scalarOperand(graph, hx) : undefined;
      if (hx && h && h.other === x && near(h.value, 0.5) && hasSingleUse(graph, uses, other)) {
        removed.push(hx);
        last = m1;
      }
    }
    if (!last) continue;
    const gelu: Node = {
      name: last.name,
      opType: 'Gelu',
      domain: '',
      inputs: [x],
      outputs: [last.outputs[0]],
      attrs: {},
      sources: removed.flatMap((n) => n.sources ?? [n.name]),
    };
    const at = graph.nodes.indexOf(last);
    graph.nodes[at] = gelu;
    graph.nodes = graph.nodes.filter((n) => n === gelu || !removed.includes(n));
    for (const n of removed) for (const o of n.outputs) if (o !== gelu.outputs[0]) graph.values.delete(o);
    fused++;
    k = -1; // indices moved: rescan (patterns are few)
  }
  return fused;
}
