// TensorProto <-> IR Tensor. Reads raw_data (little-endian) or the typed repeated fields for every
// dtype the IR holds, and external data (data_location EXTERNAL) relative to a base folder.

import { onnx } from 'onnx-proto';

import { allocData, numel, type DType, type Tensor, type TensorData } from '../ir/tensor';
import { codeFromDtype, dtypeFromCode, dtypeSize, longToNumber, onnxTypeName } from './dtypes';
import { readExternalData } from './external-data';
import { checkBytes, elementsOf } from '../limits';

export interface TensorReadOptions {
  /** Folder that external data locations are relative to (the model's folder). */
  baseDir?: string;
  /** For error messages: the file the tensor came from. */
  file?: string;
}

function where(name: string, opts: TensorReadOptions): string {
  return `${opts.file ? `${opts.file}: ` : ''}tensor '${name}'`;
}

/** Bytes of an external tensor: `location` / `offset` / `length`, confined to baseDir
 *  (external-data.ts). */
function readExternal(t: onnx.ITensorProto, name: string, opts: TensorReadOptions): Uint8Array {
  const entries: Record<string, string> = {};
  for (const e of t.externalData ?? []) if (e.key) entries[e.key] = e.value ?? '';
  const fail = (m: string): never => {
    throw new Error(`${where(name, opts)}: ${m}`);
  };
  const location = entries.location;
  if (!location) fail("external data without a 'location'");
  if (opts.baseDir === undefined) fail(`external data '${location}' needs the model's folder (load the model from a path or pass baseDir)`);
  return readExternalData({ location, offset: entries.offset, length: entries.length }, opts.baseDir!, fail);
}

/** Decodes little-endian bytes into the IR's typed array for `dtype` (int64 -> Float64Array). */
function fromBytes(bytes: Uint8Array, dtype: DType, n: number): TensorData {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = allocData(dtype, n);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case 'uint64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigUint64(i * 8, true));
      break;
    case 'int32':
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case 'uint32':
      for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case 'uint16':
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true);
      break;
    case 'int8':
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      break;
    case 'uint8':
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      break;
    case 'string':
      throw new Error('string tensors are not supported');
  }
  return out;
}

/** The repeated field that holds `dtype` values when raw_data is not used (onnx.proto3 rules). */
function typedField(t: onnx.ITensorProto, dtype: DType): ArrayLike<unknown> {
  switch (dtype) {
    case 'float32':
      return t.floatData ?? [];
    case 'float64':
      return t.doubleData ?? [];
    case 'int64':
      return t.int64Data ?? [];
    case 'uint32':
    case 'uint64':
      return t.uint64Data ?? [];
    default:
      // int32, int16, int8, uint16, uint8, bool and float16 (bits) all live in int32_data.
      return t.int32Data ?? [];
  }
}

/** IR tensor of a TensorProto (initializer, attribute, or a conformance input_*.pb). */
export function tensorFromProto(t: onnx.ITensorProto, opts: TensorReadOptions = {}): Tensor {
  const name = t.name ?? '';
  const code = t.dataType ?? 0;
  const dtype = dtypeFromCode(code);
  if (!dtype) throw new Error(`${where(name, opts)}: unsupported data type ${onnxTypeName(code)}`);
  if (dtype === 'string') throw new Error(`${where(name, opts)}: string tensors are not supported`);
  const dims = (t.dims ?? []).map(longToNumber);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${where(name, opts)}: invalid dims [${dims.join(',')}]`);
  const n = numel(dims);
  // Before any allocation or read: dims come from the file (a few bytes can declare terabytes).
  checkBytes(`${where(name, opts)} [${dims.join(', ')}] ${dtype}`, elementsOf(dims) * dtypeSize(dtype), 'tensorBytes');
  let bytes: Uint8Array | undefined;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) bytes = readExternal(t, name, opts);
  else if (t.rawData && t.rawData.length > 0) bytes = t.rawData;
  if (bytes) {
    const need = n * dtypeSize(dtype);
    if (bytes.length !== need) {
      throw new Error(`${where(name, opts)}: ${bytes.length} bytes of data for ${n} ${dtype} values (needs ${need})`);
    }
    return { dtype, dims, data: fromBytes(bytes, dtype, n) };
  }
  const field = typedField(t, dtype);
  if (field.length !== n) {
    throw new Error(`${where(name, opts)}: ${field.length} values for shape [${dims.join(',')}] (needs ${n})`);
  }
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) data[i] = longToNumber(field[i]);
  // float32 from float_data is already float32; float16 bits stay bits; bool stays 0/1.
  return { dtype, dims, data };
}

/** Little-endian bytes of an IR tensor's values (int64/uint64 from Float64Array). */
export function tensorBytes(t: Tensor): Uint8Array {
  const n = t.data.length;
  const size = dtypeSize(t.dtype);
  const out = new Uint8Array(n * size);
  const dv = new DataView(out.buffer);
  const d = t.data as ArrayLike<number>;
  switch (t.dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) dv.setFloat32(i * 4, d[i], true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) dv.setFloat64(i * 8, d[i], true);
      break;
    case 'int64':
      // The IR holds int64 as doubles: INT64_MAX (a Slice's "to the end") reads as 2^63, which
      // BigInt64 would wrap to INT64_MIN (an empty slice). Saturate instead.
      for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, d[i] >= 9223372036854775807 ? 9223372036854775807n : d[i] <= -9223372036854775808 ? -9223372036854775808n : BigInt(Math.trunc(d[i])), true);
      break;
    case 'uint64':
      for (let i = 0; i < n; i++) dv.setBigUint64(i * 8, d[i] >= 18446744073709551615 ? 18446744073709551615n : BigInt(Math.max(0, Math.trunc(d[i]))), true);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) dv.setInt32(i * 4, d[i], true);
      break;
    case 'uint32':
      for (let i = 0; i < n; i++) dv.setUint32(i * 4, d[i], true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) dv.setInt16(i * 2, d[i], true);
      break;
    case 'uint16':
    case 'float16':
      for (let i = 0; i < n; i++) dv.setUint16(i * 2, d[i], true);
      break;
    case 'int8':
      for (let i = 0; i < n; i++) dv.setInt8(i, d[i]);
      break;
    case 'uint8':
    case 'bool':
      for (let i = 0; i < n; i++) dv.setUint8(i, d[i]);
      break;
    case 'string':
      throw new Error('string tensors are not supported');
  }
  return out;
}

/** TensorProto of an IR tensor, data in raw_data (so int64 round-trips exactly). */
export function tensorToProto(name: string, t: Tensor): onnx.TensorProto {
  return onnx.TensorProto.create({
    name,
    dataType: codeFromDtype(t.dtype),
    dims: t.dims,
    rawData: tensorBytes(t),
  });
}
