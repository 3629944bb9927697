// Constant folding of one node: when every input is constant and the op can evaluate itself, the
// node is replaced by initializers. Called by the shape-inference walk, so folded values feed the
// shape rules of later nodes (Shape -> Gather -> Concat -> Reshape chains).

import type { Graph, Node } from '../ir/graph';
import { numel, type DType, type Tensor } from '../ir/tensor';
import { elementsOf, limits } from '../limits';
import { dtypeSize } from '../onnx/dtypes';
import type { OpDef } from '../ops/op';

/** Float tensors above this size stay runtime work: folding them would bloat the model. */
export const MAX_FOLD_FLOAT_ELEMENTS = 4 * 1024 * 1024;

/** Tries to fold `node`; returns true when it was replaced (the caller removes it from the list). */
export function tryFoldNode(graph: Graph, node: Node, op: OpDef, opset: number, types: { dtype: string; dims: number[] }[]): boolean {
  const outputElements = floatOutputElements(types);
  const outputBytes = types.map((t) => elementsOf(t.dims) * (t.dtype === 'string' ? 1 : dtypeSize(t.dtype as DType)));
  if (!op.evaluate) return false;
  if (node.postOps && node.postOps.length > 0) return false;
  const inputs = node.inputs.map((i) => (i ? graph.initializers.get(i) ?? shapeOnly(graph, node, i) : undefined));
  if (node.inputs.some((name, i) => name !== '' && !inputs[i])) return false;
  if (outputElements.some((n) => n > MAX_FOLD_FLOAT_ELEMENTS)) return false;
  // Any dtype: a 268-byte model once asked for an int64 Range of 3e8 values (2.4 GB) right here.
  // Too large to fold means it stays a runtime node (which lowering accepts or refuses by name).
  if (outputBytes.some((b) => !(b <= limits().foldBytes))) return false;
  let results;
  try {
    results = op.evaluate(node, inputs, opset);
  } catch {
    // An op may decline to fold some dtypes; it then stays a runtime node.
    return false;
  }
  node.outputs.forEach((name, i) => {
    if (!name || !results[i]) return;
    const t = results[i];
    graph.initializers.set(name, t);
    graph.values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
  });
  return true;
}

/** Ops whose value follows from the input's static shape alone (not its values). */
const SHAPE_ONLY_OPS = new Set(['Shape', 'Size']);

/** For Shape/Size: a stand-in tensor carrying only the input's dims (its evaluate reads no data). */
function shapeOnly(graph: Graph, node: Node, name: string): Tensor | undefined {
  if (!SHAPE_ONLY_OPS.has(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const v = graph.values.get(name);
  if (!v || !v.shape || v.shape.some((d) => typeof d !== 'number' || d < 0)) return undefined;
  return { dtype: v.dtype, dims: [...(v.shape as number[])], data: new Float32Array(0) };
}

/** Elements of each float output (folding limit applies to float tensors only). */
export function floatOutputElements(types: { dtype: string; dims: number[] }[]): number[] {
  return types.map((t) => (t.dtype.startsWith('float') ? numel(t.dims) : 0));
}
