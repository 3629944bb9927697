// `qwb run` on a big input (a 20,000-image .npy): the items go through the model `batch` at a time
// and the outputs are joined along dim 0, so activations stay at one batch's size whatever the file
// holds. Only a model whose every input has a dynamic batch dim, fed inputs that agree on it, can
// be split; anything else runs whole, as the file asks.

import { numel } from '../ir/tensor';
import type { HostTensor } from '../runtime/session-types';
import type { ModelSession } from '../runtime/session';
import { limits } from '../limits';
import { QwbError, throwIfAborted } from './errors';

/** Items per run when the request does not say. */
export const DEFAULT_RUN_BATCH = 64;

export interface BatchPlan {
  /** Items in the inputs (their common dim 0). */
  items: number;
  /** Items per run; >= items when the input runs whole. */
  batch: number;
}

/** How the inputs will be run: split when every model input has a symbolic dim 0 and the fed
 *  inputs share it. `symbolicBatch[i]` says whether model input i declares dim 0 symbolic. */
export function planBatches(inputs: HostTensor[], symbolicBatch: boolean[], requested: number | undefined): BatchPlan {
  const batch = requested ?? DEFAULT_RUN_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > limits().batchItems) {
    throw new QwbError('E_USAGE', `batch ${batch} must be an integer from 1 to ${limits().batchItems}`);
  }
  const items = inputs[0]?.dims[0] ?? 1;
  const splittable = symbolicBatch.every(Boolean) && inputs.every((t) => t.dims.length > 0 && t.dims[0] === items);
  return { items, batch: splittable ? batch : Math.max(items, 1) };
}

/** Items [from, to) of a tensor: a view, no copy. */
function sliceItems(t: HostTensor, from: number, to: number): HostTensor {
  const per = numel(t.dims.slice(1));
  return { dims: [to - from, ...t.dims.slice(1)], data: t.data.subarray(from * per, to * per) as HostTensor['data'] };
}

/** Runs `inputs` through `session` as `plan` says; outputs as if the input had run whole. The
 *  joined outputs are allocated once, at the first batch, and each batch's rows copied in. */
export async function runInBatches(session: ModelSession, names: string[], inputs: HostTensor[], plan: BatchPlan, signal?: AbortSignal): Promise<Record<string, HostTensor>> {
  const feed = (from: number, to: number) => Object.fromEntries(names.map((n, i) => [n, sliceItems(inputs[i], from, to)]));
  if (plan.batch >= plan.items) return (await session.run(Object.fromEntries(names.map((n, i) => [n, inputs[i]])))).outputs;
  const joined: Record<string, HostTensor> = {};
  for (let from = 0; from < plan.items; from += plan.batch) {
    throwIfAborted(signal, 'run');
    const to = Math.min(plan.items, from + plan.batch);
    const res = await session.run(feed(from, to));
    for (const [name, t] of Object.entries(res.outputs)) {
      const rowDims = t.dims.slice(1);
      if (t.dims[0] !== to - from) {
        throw new QwbError('E_MODEL', `output '${name}' has dims [${t.dims.join(', ')}], not one row per input item, so the input cannot be split; run with --batch ${plan.items} to run it whole`);
      }
      joined[name] ??= { dims: [plan.items, ...rowDims], data: new (t.data.constructor as new (n: number) => HostTensor['data'])(plan.items * numel(rowDims)) };
      const out = joined[name];
      if (out.dims.slice(1).join(',') !== rowDims.join(',')) {
        throw new QwbError('E_MODEL', `output '${name}': its shape [${t.dims.join(', ')}] changes between batches; run with --batch ${plan.items} to run the input whole`);
      }
      (out.data as Float32Array).set(t.data as Float32Array, from * numel(rowDims));
    }
  }
  return joined;
}
