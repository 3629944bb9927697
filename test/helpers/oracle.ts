// The FP32 oracle: runs ONNX bytes in onnxruntime-node, and compares results with a tolerance
// relative to the largest reference magnitude (the project's 1e-4 criterion).

import assert from 'node:assert/strict';

import { closeness } from './tolerance';
import { floatData, type HostTensor } from '../../engine/runtime/session-types';

export interface OracleTensor {
  dims: number[];
  data: Float32Array;
}

// onnxruntime-node is a dev dependency loaded lazily, so importing this file costs nothing.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

/** Runs the model in onnxruntime (graph optimisations off) and returns every graph output. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, OracleTensor>): Promise<Record<string, OracleTensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    const res = await session.run(ortFeeds);
    const out: Record<string, OracleTensor> = {};
    for (const name of session.outputNames) {
      const t = res[name];
      out[name] = { dims: [...t.dims], data: Float32Array.from(t.data as ArrayLike<number>) };
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Asserts |actual - expected| <= relTol * max|expected| (finite values; NaN/Inf at the same places)
 *  everywhere, and equal dims when both carry them. */
export function assertClose(actual: OracleTensor | HostTensor | Float32Array, expected: OracleTensor | Float32Array, relTol = 1e-4, label = ''): void {
  const where = label ? `${label}: ` : '';
  const a = actual instanceof Float32Array ? actual : floatData(actual, `${where}actual`);
  const e = expected instanceof Float32Array ? expected : expected.data;
  if (!(actual instanceof Float32Array) && !(expected instanceof Float32Array)) {
    assert.deepEqual(actual.dims, expected.dims, `${where}dims differ`);
  }
  const c = closeness(a, e, relTol);
  if (c.failure) assert.fail(`${where}${c.failure}`);
}
