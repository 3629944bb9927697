// How many samples one run may take when many intermediate tensors are graph outputs (calibration
// collects every quantized tensor, the per-layer analysis every layer output): all of a batch's
// outputs are in memory at once, ~40 MB per sample for ResNet-50 at 224x224, so a fixed batch of
// 32 took over 1 GB. The batch is the largest whose outputs fit the budget.

import type { Model } from '../ir/graph';
import { cloneModel } from '../ir/graph-utils';
import { defaultInputDims, inferShapes } from '../passes/infer';
import { numel } from '../ir/tensor';

/** Bytes of graph outputs one run may return. */
export const OUTPUT_BUDGET_BYTES = 128 * 1024 * 1024;

/** Largest batch in [1, maxBatch] whose `tensors` (float32, of `model`, times `copies` models run
 *  side by side) fit `budget` bytes; 1 when shapes cannot be inferred. */
export function batchWithinBudget(model: Model, tensors: readonly string[], maxBatch: number, copies = 1, budget = OUTPUT_BUDGET_BYTES): number {
  const m = cloneModel(model);
  try {
    inferShapes(m, defaultInputDims(m, 1));
  } catch {
    return 1;
  }
  let perSample = 0;
  for (const t of tensors) perSample += copies * 4 * numel((m.graph.values.get(t)?.shape ?? []) as number[]);
  return Math.max(1, Math.min(maxBatch, Math.floor(budget / Math.max(perSample, 1))));
}
