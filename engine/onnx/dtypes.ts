// ONNX TensorProto.DataType codes <-> the IR's DType names, and protobuf int64 (Long) to number.

import type { DType } from '../ir/tensor';

const CODE_TO_DTYPE: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

const ONNX_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
};

/** The IR dtype of an ONNX data type code; undefined for types the engine cannot hold. */
export function dtypeFromCode(code: number): DType | undefined {
  return CODE_TO_DTYPE[code];
}

/** A readable name for an ONNX data type code (for errors about unsupported ones). */
export function onnxTypeName(code: number): string {
  const d = CODE_TO_DTYPE[code];
  return d ?? ONNX_NAMES[code] ?? `data type ${code}`;
}

export function codeFromDtype(dtype: DType): number {
  for (const [code, d] of Object.entries(CODE_TO_DTYPE)) if (d === dtype) return Number(code);
  throw new Error(`no ONNX data type for ${dtype}`);
}

/** Bytes per element in raw_data. */
export function dtypeSize(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
    case 'float32':
    case 'int32':
    case 'uint32':
      return 4;
    case 'float16':
    case 'int16':
    case 'uint16':
      return 2;
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    case 'string':
      return 0;
  }
}

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
  toNumber?: () => number;
}

/** protobufjs gives int64 fields as Long objects (or numbers/strings); all become plain numbers. */
export function longToNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as LongLike;
    if (l.toNumber) return l.toNumber();
    const low = l.low >>> 0;
    return l.unsigned ? (l.high >>> 0) * 4294967296 + low : l.high * 4294967296 + low;
  }
  return 0;
}
