// Constant tensors held by the IR (initializers, folded constants, attribute tensors).
//
// int64 values (shapes, axes, indices) are kept as Float64Array: exact up to 2^53, which covers
// every shape a CPU model has, and it spares every op's constant evaluator from BigInt arithmetic.
// The ONNX writer converts them back to int64 on save.

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

export type TensorData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface Tensor {
  dtype: DType;
  dims: number[];
  /** Row-major values. float32 -> Float32Array; int64/uint64/float64 -> Float64Array; int32 -> Int32Array;
   *  int8 -> Int8Array; uint8 and bool -> Uint8Array; int16 -> Int16Array; uint16/float16(bits) -> Uint16Array;
   *  uint32 -> Uint32Array. */
  data: TensorData;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** Allocates the typed array that holds `n` values of `dtype` (see Tensor.data). */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
    case 'int64':
    case 'uint64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
    case 'float16':
      return new Uint16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'string':
      throw new Error('string tensors are not supported');
  }
}

export function makeTensor(dtype: DType, dims: number[], values?: ArrayLike<number>): Tensor {
  const data = allocData(dtype, numel(dims));
  if (values) {
    if (values.length !== data.length) {
      throw new Error(`tensor of shape [${dims.join(',')}] needs ${data.length} values, got ${values.length}`);
    }
    data.set(values as ArrayLike<number>);
  }
  return { dtype, dims: [...dims], data };
}

/** Reads a tensor's values as plain numbers (for shape/axes/indices tensors). */
export function toNumbers(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

/** float16 bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
