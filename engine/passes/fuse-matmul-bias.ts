// MatMul followed by an Add of a constant bias over the last axis (how PyTorch exports nn.Linear on
// rank-3 inputs: MatMul + Add, not Gemm) becomes one MatMul with a third, bias input (an engine
// extension, never saved as ONNX), which the native matmul applies in the same primitive: in INT8
// the bias is added in the accumulator before requantization, and an activation after it (GELU in
// a transformer's feed-forward) can then fuse as a post-op. Runs before the activation and QDQ
// fusions, after shape inference.

import type { Graph, Node } from '../ir/graph';
import { consumers, hasSingleUse, staticDims } from '../ir/graph-utils';
import { numel } from '../ir/tensor';

function isStd(n: Node | undefined, op: string): n is Node {
  return !!n && n.opType === op && (n.domain === '' || n.domain === 'ai.onnx');
}

/** Returns the number of biases fused. */
export function fuseMatMulBias(graph: Graph): number {
  let fused = 0;
  const uses = consumers(graph);
  for (const mm of [...graph.nodes]) {
    if (!isStd(mm, 'MatMul') || mm.inputs.length !== 2 || (mm.postOps ?? []).length) continue;
    const y = mm.outputs[0];
    const a = staticDims(graph, mm.inputs[0]);
    const b = staticDims(graph, mm.inputs[1]);
    const out = staticDims(graph, y);
    if (!a || !b || !out || a.length < 2 || b.length < 2 || !hasSingleUse(graph, uses, y)) continue;
    const add = uses.get(y)![0];
    if (!isStd(add, 'Add')) continue;
    const biasName = add.inputs[0] === y ? add.inputs[1] : add.inputs[0];
    const bias = graph.initializers.get(biasName);
    const n = out[out.length - 1];
    if (!bias || bias.dtype !== 'float32' || numel(bias.dims) !== n || bias.dims.slice(0, -1).some((d) => d !== 1)) continue;
    if (bias.dims.length > out.length || staticDims(graph, add.outputs[0])?.join() !== out.join()) continue;
    mm.inputs = [...mm.inputs, biasName];
    mm.outputs = [add.outputs[0]];
    mm.sources = [...(mm.sources ?? [mm.name]), ...(add.sources ?? [add.name])];
    graph.nodes.splice(graph.nodes.indexOf(add), 1);
    graph.values.delete(y);
    fused++;
  }
  return fused;
}
