// Values at a session's edges: what callers hand in and get back (HostData, by ONNX dtype) versus
// the typed arrays the native plan reads and writes (EdgeArray, by plan dtype). int64 travels as
// int32 inside the runtime (token ids, positions, masks, argmax indices); an int64 input outside the
// int32 range is an error naming the input, never a silent wrap.

import type { DType } from '../ir/tensor';
import { runtimePlanDtype } from '../ops/common';
import type { EdgeArray } from './native-types';
import type { HostData } from './session-types';

/** The plan dtype a graph value of ONNX dtype `dtype` is held in at runtime, if any. */
export const planDtypeOf = runtimePlanDtype;

const HOST_ARRAY: Partial<Record<DType, string>> = {
  float32: 'Float32Array',
  int64: 'BigInt64Array or Int32Array',
  int32: 'Int32Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

/** The input `name` of ONNX dtype `dtype` as the native plan reads it. */
export function toEdge(name: string, dtype: DType, data: HostData): EdgeArray {
  const fail = (): never => {
    throw new Error(`input '${name}' is ${dtype}: its data must be a ${HOST_ARRAY[dtype] ?? `(unsupported dtype ${dtype})`}, got ${data.constructor.name}`);
  };
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array ? data : fail();
    case 'int32':
      return data instanceof Int32Array ? data : fail();
    case 'int64': {
      if (data instanceof Int32Array) return data;
      if (!(data instanceof BigInt64Array)) return fail();
      const out = new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < -2147483648n || v > 2147483647n) throw new Error(`input '${name}' (int64): value ${v} at index ${i} does not fit the runtime's int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'int8':
      return data instanceof Int8Array ? data : fail();
    case 'uint8':
    case 'bool':
      return data instanceof Uint8Array ? data : fail();
    default:
      return fail();
  }
}

/** An output of ONNX dtype `dtype` as callers get it (int64 widened back to BigInt64Array). */
export function fromEdge(dtype: DType, data: EdgeArray): HostData {
  if (dtype === 'int64' && data instanceof Int32Array) return BigInt64Array.from(data, (v) => BigInt(v));
  return data;
}
