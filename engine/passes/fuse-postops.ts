// Fuses an activation that reads the output of a Conv/ConvTranspose/Gemm/MatMul (and nothing else
// reads it) into that node as an eltwise post-op; and a Conv followed by Add(conv, other) of the
// same shape as a `sum` post-op (the fused node moves to the Add's position, because `other` may
// be computed after the Conv).

import { attrFloat, attrString, type EltwiseAlg, type Graph, type Node, type PostOp } from '../ir/graph';
import { consumers, hasSingleUse, staticDims } from '../ir/graph-utils';

const HOSTS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const F32_MAX = 3.4028234663852886e38;

function isStd(n: Node): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

/** The eltwise post-op an activation node stands for, or undefined when it cannot be one. */
export function activationPostOp(graph: Graph, n: Node, opset: number): PostOp | undefined {
  if (!isStd(n)) return undefined;
  const e = (alg: EltwiseAlg, alpha = 0, beta = 0): PostOp => ({ kind: 'eltwise', alg, alpha, beta });
  switch (n.opType) {
    case 'Relu':
      return e('relu');
    case 'LeakyRelu':
      return e('relu', attrFloat(n, 'alpha', 0.01));
    case 'Sigmoid':
      return e('sigmoid');
    case 'Tanh':
      return e('tanh');
    case 'HardSwish':
      return e('hardswish');
    case 'HardSigmoid':
      return e('hardsigmoid', attrFloat(n, 'alpha', 0.2), attrFloat(n, 'beta', 0.5));
    case 'Elu':
      return e('elu', attrFloat(n, 'alpha', 1));
    case 'Gelu':
      return e(attrString(n, 'approximate', 'none') === 'tanh' ? 'gelu_tanh' : 'gelu_erf');
    case 'Clip': {
      let lo = -F32_MAX;
      let hi = F32_MAX;
      if (opset < 11) {
        lo = attrFloat(n, 'min', lo);
        hi = attrFloat(n, 'max', hi);
      } else {
        for (const [i, set] of [
          [1, (v: number) => (lo = v)],
          [2, (v: number) => (hi = v)],
        ] as const) {
          const name = n.inputs[i] ?? '';
          if (!name) continue;
          const t = graph.initializers.get(name);
          if (!t || t.data.length !== 1) return undefined; // computed bounds: not a post-op
          set((t.data as ArrayLike<number>)[0]);
        }
      }
      return e('clip', lo, hi);
    }
    default:
      return undefined;
  }
}

function isHost(n: Node): boolean {
  return isStd(n) && HOSTS.has(n.opType);
}

function absorb(host: Node, victim: Node, graph: Graph): void {
  host.outputs = [victim.outputs[0]];
  host.sources = [...(host.sources ?? [host.name]), ...(victim.sources ?? [victim.name])];
  graph.nodes.splice(graph.nodes.indexOf(victim), 1);
}

/** Fuses activations into their producers; returns the number fused. */
export function fuseActivations(graph: Graph, opset: number): number {
  let fused = 0;
  let uses = consumers(graph);
  for (let k = 0; k < graph.nodes.length; k++) {
    const host = graph.nodes[k];
    if (!isHost(host)) continue;
    for (;;) {
      const y = host.outputs[0];
      if (!y || host.outputs.length !== 1 || !hasSingleUse(graph, uses, y)) break;
      const act = uses.get(y)![0];
      if (act.inputs[0] !== y) break;
      const post = activationPostOp(graph, act, opset);
      if (!post || act.outputs.length !== 1) break;
      host.postOps = [...(host.postOps ?? []), post];
      absorb(host, act, graph);
      // The activation came after the host, so the host's index is unchanged.
      uses = consumers(graph);
      fused++;
    }
  }
  return fused;
}

/** Fuses Conv + Add(conv output, other of the same shape) into a `sum` post-op; returns the count.
 *  When both operands are Convs, the one without post-ops (else the later one) takes the sum. */
export function fuseSums(graph: Graph): number {
  let fused = 0;
  for (let k = 0; k < graph.nodes.length; k++) {
    const add = graph.nodes[k];
    if (!isStd(add) || add.opType !== 'Add' || add.inputs.length !== 2 || add.inputs[0] === add.inputs[1]) continue;
    const uses = consumers(graph);
    const zd = staticDims(graph, add.outputs[0]);
    if (!zd) continue;
    const candidates: { conv: Node; index: number; other: string }[] = [];
    for (const side of [0, 1]) {
      const y = add.inputs[side];
      const other = add.inputs[1 - side];
      const index = graph.nodes.findIndex((n) => n.outputs.includes(y));
      const conv = graph.nodes[index];
      if (!conv || !isStd(conv) || conv.opType !== 'Conv' || conv.outputs.length !== 1) continue;
      if (!hasSingleUse(graph, uses, y) || graph.initializers.has(other)) continue;
      const yd = staticDims(graph, y);
      const od = staticDims(graph, other);
      if (!yd || !od || yd.join(',') !== od.join(',') || zd.join(',') !== yd.join(',')) continue;
      if (graph.values.get(other)?.dtype !== 'float32') continue;
      candidates.push({ conv, index, other });
    }
    if (candidates.length === 0) continue;
    candidates.sort((a, b) => (a.conv.postOps?.length ?? 0) - (b.conv.postOps?.length ?? 0) || b.index - a.index);
    const { conv, index, other } = candidates[0];
    const y = conv.outputs[0];
    conv.postOps = [...(conv.postOps ?? []), { kind: 'sum', input: other, scale: 1 }];
    conv.inputs = [...conv.inputs, other];
    conv.outputs = [add.outputs[0]];
    conv.sources = [...(conv.sources ?? [conv.name]), ...(add.sources ?? [add.name])];
    // The fused node takes the Add's place: `other` is computed by then.
    graph.nodes[k] = conv;
    graph.nodes.splice(index, 1);
    graph.values.delete(y);
    k--;
    fused++;
  }
  return fused;
}
