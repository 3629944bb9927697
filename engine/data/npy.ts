// NumPy .npy files (format versions 1, 2 and 3): read any little-endian numeric dtype or bool into
// a typed array, C order (Fortran-ordered arrays are transposed); write float32, int64, int32,
// int8, uint8 and bool arrays. int64/uint64 values are read exactly (BigInt64Array) as well.

import { halfToFloat } from '../ir/tensor';

export type NpyDtype = 'f4' | 'f8' | 'f2' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'b1';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Values in C order. f4 -> Float32Array; f8/i8/u8/f2(as float) -> Float64Array; others their own. */
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  /** i8 / u8 arrays: the exact 64-bit values (data holds them as doubles). */
  exact64?: BigInt64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const SIZES: Record<NpyDtype, number> = { f4: 4, f8: 8, f2: 2, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, b1: 1 };

/** Parses the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), } */
export function parseNpyHeaderText(text: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${file}: malformed .npy header: ${text.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${file}: invalid .npy shape (${shapeText})`);
  return { descr, fortran: fortran === 'True', shape };
}

function normDescr(descr: string, file: string): NpyDtype {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new Error(`${file}: unsupported .npy dtype '${descr}'`);
  const [, order, kind, size] = m;
  const code = `${kind === '?' ? 'b' : kind}${size}`;
  if (!(code in SIZES)) throw new Error(`${file}: unsupported .npy dtype '${descr}' (supported: f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1)`);
  if (order === '>' && size !== '1') throw new Error(`${file}: big-endian .npy dtype '${descr}' is not supported`);
  return code as NpyDtype;
}

function decode(dtype: NpyDtype, bytes: Uint8Array, n: number): NpyArray['data'] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fill = <T extends NpyArray['data']>(out: T, get: (i: number) => number): T => {
    for (let i = 0; i < n; i++) out[i] = get(i);
    return out;
  };
  switch (dtype) {
    case 'f4':
      return fill(new Float32Array(n), (i) => dv.getFloat32(i * 4, true));
    case 'f8':
      return fill(new Float64Array(n), (i) => dv.getFloat64(i * 8, true));
    case 'f2':
      return fill(new Float64Array(n), (i) => halfToFloat(dv.getUint16(i * 2, true)));
    case 'i1':
      return fill(new Int8Array(n), (i) => dv.getInt8(i));
    case 'u1':
    case 'b1':
      return fill(new Uint8Array(n), (i) => dv.getUint8(i));
    case 'i2':
      return fill(new Int16Array(n), (i) => dv.getInt16(i * 2, true));
    case 'u2':
      return fill(new Uint16Array(n), (i) => dv.getUint16(i * 2, true));
    case 'i4':
      return fill(new Int32Array(n), (i) => dv.getInt32(i * 4, true));
    case 'u4':
      return fill(new Uint32Array(n), (i) => dv.getUint32(i * 4, true));
    case 'i8':
      return fill(new Float64Array(n), (i) => Number(dv.getBigInt64(i * 8, true)));
    case 'u8':
      return fill(new Float64Array(n), (i) => Number(dv.getBigUint64(i * 8, true)));
  }
}

/** Reorders Fortran-ordered (column-major) values into C order. */
function fortranToC<T extends NpyArray['data']>(src: T, shape: number[]): T {
  const n = src.length;
  const out = new (src.constructor as new (n: number) => T)(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  // Walk C order; the Fortran offset is sum idx[k] * prod(shape[0..k-1]).
  for (let c = 0; c < n; c++) {
    let f = 0;
    let stride = 1;
    for (let k = 0; k < rank; k++) {
      f += idx[k] * stride;
      stride *= shape[k];
    }
    out[c] = src[f];
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Parses .npy bytes; `file` names them in errors. */
export function parseNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error(`${file}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}`);
  }
  if (start + headerLen > bytes.length) throw new Error(`${file}: truncated .npy header`);
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortran, shape } = parseNpyHeaderText(header, file);
  const dtype = normDescr(descr, file);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  const need = n * SIZES[dtype];
  if (body.length < need) throw new Error(`${file}: truncated .npy data: shape (${shape.join(', ')}) of ${descr} needs ${need} bytes, found ${body.length}`);
  let data = decode(dtype, body.subarray(0, need), n);
  let exact64: BigInt64Array | undefined;
  if (dtype === 'i8' || dtype === 'u8') {
    const dv = new DataView(body.buffer, body.byteOffset, need);
    exact64 = new BigInt64Array(n);
    for (let i = 0; i < n; i++) exact64[i] = dtype === 'i8' ? dv.getBigInt64(i * 8, true) : BigInt.asIntN(64, dv.getBigUint64(i * 8, true));
    if (fortran && shape.length > 1) exact64 = fortranToC(exact64 as unknown as Float64Array, shape) as unknown as BigInt64Array;
  }
  if (fortran && shape.length > 1) data = fortranToC(data, shape);
  return { dtype, shape, data, ...(exact64 ? { exact64 } : {}) };
}

/** Arrays formatNpy writes, and the descr of each (Uint8Array is '|u1' unless written as bool). */
export type NpyWritable = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

function descrOf(data: NpyWritable, bool: boolean): { descr: string; size: number; put: (dv: DataView, i: number) => void } {
  if (data instanceof Float32Array) return { descr: '<f4', size: 4, put: (dv, i) => dv.setFloat32(i * 4, data[i], true) };
  if (data instanceof BigInt64Array) return { descr: '<i8', size: 8, put: (dv, i) => dv.setBigInt64(i * 8, data[i], true) };
  if (data instanceof Int32Array) return { descr: '<i4', size: 4, put: (dv, i) => dv.setInt32(i * 4, data[i], true) };
  if (data instanceof Int8Array) return { descr: '|i1', size: 1, put: (dv, i) => dv.setInt8(i, data[i]) };
  return { descr: bool ? '|b1' : '|u1', size: 1, put: (dv, i) => dv.setUint8(i, bool ? (data[i] ? 1 : 0) : data[i]) };
}

/** .npy (version 1) bytes of an array in C order: float32, int64, int32, int8, uint8, or bool
 *  (a Uint8Array written with `bool`). */
export function formatNpy(shape: number[], data: NpyWritable, opts: { bool?: boolean } = {}): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`npy: shape (${shape.join(', ')}) needs ${n} values, got ${data.length}`);
  const { descr, size, put } = descrOf(data, opts.bool ?? false);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that the data starts on a 64-byte boundary, header ends with '\n'.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + n * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < n; i++) put(body, i);
  return out;
}

const INTEGER_DTYPES = new Set<NpyDtype>(['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'b1']);

/** The values of `arr` as a model input of ONNX dtype `dtype` expects them: float32 from any float
 *  array; int64 (BigInt64Array), int32, int8, uint8 from integer arrays in range; bool from b1/u1
 *  0/1. Errors name `file` and the input. */
export function npyAsInput(arr: NpyArray, dtype: string, file: string, input: string): NpyWritable {
  const { data } = arr;
  const n = data.length;
  const needInt = (what: string): void => {
    if (!INTEGER_DTYPES.has(arr.dtype)) throw new Error(`${file}: dtype ${arr.dtype} but input '${input}' is ${what}: give an integer .npy (e.g. <i8)`);
  };
  const ranged = <T extends Int32Array | Int8Array | Uint8Array>(out: T, lo: number, hi: number, what: string): T => {
    needInt(what);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v < lo || v > hi) throw new Error(`${file}: value ${v} at index ${i} is outside the range of input '${input}' (${what}: [${lo}, ${hi}])`);
      out[i] = v;
    }
    return out;
  };
  switch (dtype) {
    case 'float32':
      if (arr.dtype === 'f4') return data as Float32Array;
      if (arr.dtype === 'f8' || arr.dtype === 'f2') return Float32Array.from(data);
      throw new Error(`${file}: dtype ${arr.dtype} but input '${input}' is float32: give a float .npy (<f4)`);
    case 'int64':
      needInt('int64');
      return arr.exact64 ?? BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
    case 'int32':
      return ranged(new Int32Array(n), -2147483648, 2147483647, 'int32');
    case 'int8':
      return ranged(new Int8Array(n), -128, 127, 'int8');
    case 'uint8':
      return ranged(new Uint8Array(n), 0, 255, 'uint8');
    case 'bool':
      return ranged(new Uint8Array(n), 0, 1, 'bool');
    default:
      throw new Error(`${file}: input '${input}' has dtype ${dtype}, which is not supported`);
  }
}
