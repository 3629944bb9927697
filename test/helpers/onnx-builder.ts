// Builds ONNX ModelProto bytes in code, so tests need no model files. Attribute types follow the
// JS value (integer -> INT, other number -> FLOAT, string, arrays likewise); wrap with floatAttr /
// floatsAttr where ONNX wants a float that happens to be integral.

import { onnx } from 'onnx-proto';

export type BuilderDType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'float64';

const DTYPE_CODE: Record<BuilderDType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
  float64: onnx.TensorProto.DataType.DOUBLE,
};

/** An explicitly typed attribute value (for floats with integral values, tensors, empty lists). */
export class TypedAttr {
  constructor(readonly proto: onnx.IAttributeProto) {}
}

export const floatAttr = (v: number) => new TypedAttr({ type: onnx.AttributeProto.AttributeType.FLOAT, f: v });
export const floatsAttr = (v: number[]) => new TypedAttr({ type: onnx.AttributeProto.AttributeType.FLOATS, floats: v });
export const intsAttr = (v: number[]) => new TypedAttr({ type: onnx.AttributeProto.AttributeType.INTS, ints: v });
export const tensorAttr = (dtype: BuilderDType, dims: number[], values: ArrayLike<number>) =>
  new TypedAttr({ type: onnx.AttributeProto.AttributeType.TENSOR, t: tensorProto('', dtype, dims, values) });

export type AttrInput = number | string | number[] | string[] | TypedAttr;

/** Little-endian raw bytes of `values` stored as `dtype`. */
function rawBytes(dtype: BuilderDType, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  let arr: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      arr = Float32Array.from(values);
      break;
    case 'float64':
      arr = Float64Array.from(values);
      break;
    case 'int64':
      arr = BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
      break;
    case 'int32':
      arr = Int32Array.from(values);
      break;
    case 'int8':
      arr = Int8Array.from(values);
      break;
    case 'uint8':
    case 'bool':
      arr = Uint8Array.from(values);
      break;
  }
  void n;
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

export function tensorProto(name: string, dtype: BuilderDType, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`tensor '${name}' of [${dims.join(',')}] needs ${count} values, got ${values.length}`);
  return { name, dataType: DTYPE_CODE[dtype], dims, rawData: rawBytes(dtype, values) };
}

function attribute(name: string, v: AttrInput): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (v instanceof TypedAttr) return { name, ...v.proto };
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v, 'utf8') };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => Buffer.from(s, 'utf8')) };
  const nums = v as number[];
  return nums.every((x) => Number.isInteger(x)) ? { name, type: T.INTS, ints: nums } : { name, type: T.FLOATS, floats: nums };
}

function valueInfo(name: string, dtype: BuilderDType, shape: (number | string)[] | undefined): onnx.IValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: DTYPE_CODE[dtype] };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

export class ModelBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly inits: onnx.ITensorProto[] = [];
  private count = 0;

  constructor(readonly opset = 13, readonly extraOpsets: Record<string, number> = {}) {}

  input(name: string, shape: (number | string)[], dtype: BuilderDType = 'float32'): this {
    this.inputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** A graph output; shape may be omitted (onnxruntime and our loader infer it). */
  output(name: string, shape?: (number | string)[], dtype: BuilderDType = 'float32'): this {
    this.outputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  initializer(name: string, dims: number[], values: ArrayLike<number>, dtype: BuilderDType = 'float32'): this {
    this.inits.push(tensorProto(name, dtype, dims, values));
    return this;
  }

  /** Adds a node; returns its name (auto "OpType_k" unless given). */
  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrInput> = {}, name?: string, domain = ''): string {
    const n = name ?? `${opType}_${this.count++}`;
    this.nodes.push({ name: n, opType, domain, input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return n;
  }

  toBytes(): Uint8Array {
    const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: this.opset }];
    for (const [domain, version] of Object.entries(this.extraOpsets)) opsetImport.push({ domain, version });
    const model: onnx.IModelProto = {
      irVersion: this.opset >= 21 ? 10 : this.opset >= 15 ? 8 : 7,
      producerName: 'qwb-test-builder',
      opsetImport,
      graph: { name: 'test', node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.inits },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

/** Deterministic pseudo-random floats in [lo, hi) (mulberry32), so failures reproduce. */
export function randomData(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

export function numelOf(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
