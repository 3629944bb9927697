// Quantization parameters of int8 values, kept beside the graph: the QDQ pass records them for the
// values it rewires (int8 activations, s8 weights, s32 biases), and the lowering copies them onto
// the plan tensors (PlanTensor.quant, native/PLAN.md "INT8"). A side table rather than a field of
// Graph because only the int8 mode produces it and the FP32 passes never need it.

import { attrInt, describeNode, type Graph, type Node } from '../ir/graph';

export interface QuantParams {
  scales: number[];
  zeroPoints: number[];
  /** Non-negative axis the scales index when there are several (per-channel weights). */
  axis: number;
}

const tables = new WeakMap<Graph, Map<string, QuantParams>>();

/** The (mutable) table of quantized values of a graph. */
export function quantTable(graph: Graph): Map<string, QuantParams> {
  let t = tables.get(graph);
  if (!t) tables.set(graph, (t = new Map()));
  return t;
}

export function isQdqNode(n: Node, opType: 'QuantizeLinear' | 'DequantizeLinear'): boolean {
  return n.opType === opType && (n.domain === '' || n.domain === 'ai.onnx');
}

/** Scale / zero point of a QuantizeLinear or DequantizeLinear node, read from its constant inputs;
 *  undefined when they are computed (not a pattern the int8 path handles). */
export function qdqParams(graph: Graph, n: Node): QuantParams | undefined {
  const scale = graph.initializers.get(n.inputs[1] ?? '');
  if (!scale || scale.dims.length > 1) return undefined;
  const zpName = n.inputs[2] ?? '';
  const zp = zpName ? graph.initializers.get(zpName) : undefined;
  if (zpName && !zp) return undefined;
  const scales = Array.from(scale.data as ArrayLike<number>);
  const zeroPoints = zp ? Array.from(zp.data as ArrayLike<number>) : scales.map(() => 0);
  if (zeroPoints.length !== scales.length) throw new Error(`${describeNode(n)}: ${zeroPoints.length} zero points for ${scales.length} scales`);
  let axis = 0;
  if (scales.length > 1) {
    const rank = graph.values.get(n.inputs[0])?.shape?.length ?? 0;
    const a = attrInt(n, 'axis', 1);
    axis = a < 0 ? a + rank : a;
  }
  return { scales, zeroPoints, axis };
}

export function sameParams(a: QuantParams, b: QuantParams): boolean {
  return a.scales.length === b.scales.length && a.scales.every((s, i) => Math.fround(s) === Math.fround(b.scales[i]) && a.zeroPoints[i] === b.zeroPoints[i]);
}
