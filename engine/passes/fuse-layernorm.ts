// Recognises layer normalisation as exported before opset 17 (PyTorch's nn.LayerNorm at opset 14,
// ConvNeXt, Swin, ViT, BERT-style encoders):
//   m = ReduceMean(x, trailing axes); d = x - m; v = ReduceMean(d ^ 2, same axes);
//   y = d / Sqrt(v + eps)  [* gamma] [+ beta]
// and replaces it by one LayerNormalization node (axis = the first reduced axis), which runs as one
// oneDNN layer normalisation instead of nine steps (two reductions, four broadcast binaries).
// Runs after shape inference (constants folded, dims known).

import type { Graph, Node } from '../ir/graph';
import { attrInts } from '../ir/graph';
import { consumers, hasSingleUse, staticDims } from '../ir/graph-utils';
import { makeTensor, numel } from '../ir/tensor';

function isStd(n: Node | undefined, op: string): n is Node {
  return !!n && n.opType === op && (n.domain === '' || n.domain === 'ai.onnx');
}

/** Sorted non-negative reduce axes of a ReduceMean (attribute, or input 1 from opset 18). */
function reduceAxes(graph: Graph, n: Node, rank: number): number[] | undefined {
  let axes = attrInts(n, 'axes', undefined);
  if (!axes && n.inputs[1]) {
    const t = graph.initializers.get(n.inputs[1]);
    if (!t) return undefined;
    axes = Array.from(t.data as ArrayLike<number>);
  }
  if (!axes || axes.length === 0) return undefined;
  const keep = n.attrs.keepdims?.type === 'int' ? n.attrs.keepdims.value : 1;
  if (keep !== 1) return undefined;
  return axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

function scalar(graph: Graph, name: string): number | undefined {
  const t = graph.initializers.get(name);
  return t && t.data.length === 1 ? Number((t.data as ArrayLike<number>)[0]) : undefined;
}

/** A constant operand of a binary node whose values broadcast over the normalised dims only. */
function affine(graph: Graph, n: Node, value: string, inner: number[]): { tensor: string; other: string } | undefined {
  for (const i of [0, 1]) {
    if (n.inputs[1 - i] !== value) continue;
    const t = graph.initializers.get(n.inputs[i]);
    if (!t || t.dtype !== 'float32') return undefined;
    const d = t.dims.slice(t.dims.length - inner.length);
    const lead = t.dims.slice(0, t.dims.length - inner.length);
    if (lead.some((x) => x !== 1) || t.dims.length > inner.length + lead.length) return undefined;
    const ok = (d.length === inner.length && d.every((x, k) => x === inner[k])) || numel(t.dims) === 1;
    return ok ? { tensor: n.inputs[i], other: n.inputs[1 - i] } : undefined;
  }
  return undefined;
}

/** Returns the number of LayerNorm patterns replaced. */
export function fuseLayerNorm(graph: Graph): number {
  let fused = 0;
  for (let k = 0; k < graph.nodes.length; k++) {
    const mean = graph.nodes[k];
    if (!isStd(mean, 'ReduceMean')) continue;
    const x = mean.inputs[0];
    const dims = staticDims(graph, x);
    if (!dims) continue;
    const axes = reduceAxes(graph, mean, dims.length);
    // Trailing, contiguous axes: what LayerNormalization's `axis` expresses.
    if (!axes || axes[axes.length - 1] !== dims.length - 1 || axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) continue;
    const uses = consumers(graph);
    const only = (v: string): Node | undefined => (hasSingleUse(graph, uses, v) ? uses.get(v)![0] : undefined);
    const sub = only(mean.outputs[0]);
    if (!isStd(sub, 'Sub') || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) continue;
    const d = sub.outputs[0];
    const dUses = uses.get(d) ?? [];
    if (dUses.length !== 2 || graph.outputs.some((o) => o.name === d)) continue;
    const pow = dUses.find((n) => isStd(n, 'Pow') && n.inputs[0] === d) ?? dUses.find((n) => isStd(n, 'Mul') && n.inputs[0] === d && n.inputs[1] === d);
    const div = dUses.find((n) => isStd(n, 'Div') && n.inputs[0] === d);
    if (!pow || !div || (pow.opType === 'Pow' && scalar(graph, pow.inputs[1]) !== 2)) continue;
    const var_ = only(pow.outputs[0]);
    if (!isStd(var_, 'ReduceMean') || (reduceAxes(graph, var_, dims.length) ?? []).join() !== axes.join()) continue;
    const addEps = only(var_.outputs[0]);
    if (!isStd(addEps, 'Add')) continue;
    const eps = scalar(graph, addEps.inputs[1] === var_.outputs[0] ? addEps.inputs[0] : addEps.inputs[1]);
    if (eps === undefined || !(eps >= 0)) continue;
    const sqrt = only(addEps.outputs[0]);
    if (!isStd(sqrt, 'Sqrt') || only(sqrt.outputs[0]) !== div || div.inputs[1] !== sqrt.outputs[0]) continue;
    const inner = dims.slice(axes[0]);
    const removed: Node[] = [mean, sub, pow, var_, addEps, sqrt, div];
    let y = div.outputs[0];
    let gamma: string | undefined;
    let beta: string | undefined;
    const mul = only(y);
    const g = isStd(mul, 'Mul') ? affine(graph, mul, y, inner) : undefined;
    if (mul && g) {
      gamma = g.tensor;
      removed.push(mul);
      y = mul.outputs[0];
      const add = only(y);
      const b = isStd(add, 'Add') ? affine(graph, add, y, inner) : undefined;
      if (add && b) {
        beta = b.tensor;
        removed.push(add);
        y = add.outputs[0];
      }
    }
    if (!gamma) {
      gamma = `${mean.name}_ln_scale`;
      graph.initializers.set(gamma, makeTensor('float32', inner, new Float32Array(numel(inner)).fill(1)));
    }
    const ln: Node = {
      name: mean.name,
      opType: 'LayerNormalization',
      domain: '',
      inputs: beta ? [x, gamma, beta] : [x, gamma],
      outputs: [y],
      attrs: { axis: { type: 'int', value: axes[0] }, epsilon: { type: 'float', value: eps } },
      sources: removed.flatMap((n) => n.sources ?? [n.name]),
    };
    // The fused node takes the place of the last node it replaces (every input is computed by then).
    const last = removed[removed.length - 1];
    graph.nodes[graph.nodes.indexOf(last)] = ln;
    for (const n of removed.slice(0, -1)) graph.nodes.splice(graph.nodes.indexOf(n), 1);
    for (const n of removed) for (const o of n.outputs) if (o !== y) graph.values.delete(o);
    k = graph.nodes.indexOf(ln);
    fused++;
  }
  return fused;
}
