// Which values of a prepared FP32 model are float activations, the only values calibration may
// observe and the QDQ writer may quantize. The prepared model carries no inferred types (it stays
// batch-agnostic), so the dtypes come from shape inference on a copy at batch 1 (dtypes do not
// depend on the batch). Values constant folding computes there (integer shape arithmetic:
// Shape -> Gather -> Unsqueeze -> Concat feeding Reshape, Resize sizes, Expand; float tensors made
// from shapes) are compile-time constants in every session, never activations.

import type { Model } from '../ir/graph';
import { cloneModel } from '../ir/graph-utils';
import { defaultInputDims, inferShapes } from '../passes/infer';
import type { DType } from '../ir/tensor';

export interface ValueKinds {
  /** dtype of every value inference reached. */
  dtype: Map<string, DType>;
  /** Values folded to constants at compile time. */
  folded: Set<string>;
}

/** Inferred dtypes and folded values of `prepared`; undefined when inference fails (an unsupported
 *  op, say: the planner then falls back to what the graph itself declares). */
export function inferValueKinds(prepared: Model): ValueKinds | undefined {
  const m = cloneModel(prepared);
  const before = new Set(m.graph.initializers.keys());
  try {
    inferShapes(m, defaultInputDims(m, 1));
  } catch {
    return undefined;
  }
  const dtype = new Map<string, DType>();
  for (const [name, v] of m.graph.values) dtype.set(name, v.dtype);
  const folded = new Set<string>();
  for (const [name, t] of m.graph.initializers) {
    dtype.set(name, t.dtype);
    if (!before.has(name)) folded.add(name);
  }
  return { dtype, folded };
}
