// ONNX file -> IR Model. Decodes the ModelProto with onnx-proto, converts attributes of every kind,
// initializers (raw_data, typed fields, external data), value infos and opset imports. Errors name
// the file. Constant nodes stay nodes (constant folding turns them into initializers).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';

import type { AttrValue, Dim, Graph, Model, Node, ValueInfo } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import { checkBytes, elementsOf, limits, LimitError } from '../limits';
import { dtypeFromCode, dtypeSize, longToNumber, onnxTypeName } from './dtypes';
import { tensorFromProto, type TensorReadOptions } from './tensor-proto';

/** Default-domain opsets the engine's ops are written and tested for. Newer opsets are refused by
 *  inferShapes (not by loading, so that `inspect` still describes the model); older ones run with
 *  a warning. */
export const SUPPORTED_OPSETS = { min: 7, max: 20 } as const;

export interface LoadOptions {
  /** Folder external data is relative to; defaults to the model file's folder. */
  baseDir?: string;
  /** Name used in errors when loading from bytes. */
  name?: string;
}

const AT = onnx.AttributeProto.AttributeType;

function convertAttr(a: onnx.IAttributeProto, opts: TensorReadOptions, nodeDesc: string): AttrValue {
  // Older exporters leave `type` unset; infer it from the populated field.
  let type = a.type ?? AT.UNDEFINED;
  if (type === AT.UNDEFINED) {
    if (a.t) type = AT.TENSOR;
    else if (a.g) type = AT.GRAPH;
    else if (a.s && a.s.length) type = AT.STRING;
    else if (a.floats && a.floats.length) type = AT.FLOATS;
    else if (a.ints && a.ints.length) type = AT.INTS;
    else if (a.strings && a.strings.length) type = AT.STRINGS;
    else if (a.f !== undefined && a.f !== null && a.f !== 0) type = AT.FLOAT;
    else type = AT.INT;
  }
  const dec = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('utf8');
  switch (type) {
    case AT.INT:
      return { type: 'int', value: longToNumber(a.i ?? 0) };
    case AT.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case AT.STRING:
      return { type: 'string', value: dec(a.s) };
    case AT.INTS:
      return { type: 'ints', value: (a.ints ?? []).map(longToNumber) };
    case AT.FLOATS:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case AT.STRINGS:
      return { type: 'strings', value: (a.strings ?? []).map(dec) };
    case AT.TENSOR:
      try {
        return { type: 'tensor', value: tensorFromProto(a.t ?? {}, opts) };
      } catch (e) {
        throw new Error(`${nodeDesc}: attribute '${a.name}': ${(e as Error).message}`);
      }
    case AT.TENSORS:
      return { type: 'tensors', value: (a.tensors ?? []).map((t) => tensorFromProto(t, opts)) };
    case AT.GRAPH:
      return { type: 'graph', value: a.g };
    case AT.GRAPHS:
      return { type: 'graphs', value: [...(a.graphs ?? [])] };
    default:
      return { type: 'other', value: a };
  }
}

function convertValueInfo(v: onnx.IValueInfoProto, file: string): ValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { name, dtype: 'float32', shape: undefined };
  const code = tt.elemType ?? 1;
  const dtype = dtypeFromCode(code);
  if (!dtype) throw new Error(`${file}: value '${name}' has unsupported data type ${onnxTypeName(code)}`);
  let shape: Dim[] | undefined;
  if (tt.shape) {
    shape = (tt.shape.dim ?? []).map((d): Dim => {
      // Decoded messages hold set fields as own properties (defaults live on the prototype).
      if (d.dimParam) return d.dimParam;
      if (Object.prototype.hasOwnProperty.call(d, 'dimValue') && d.dimValue !== null && d.dimValue !== undefined) {
        return longToNumber(d.dimValue);
      }
      return -1;
    });
  }
  return { name, dtype, shape };
}

/** Converts a decoded ModelProto. */
export function modelFromProto(m: onnx.IModelProto, opts: LoadOptions & { file: string }): Model {
  const file = opts.file;
  const g = m.graph;
  if (!g) throw new Error(`${file}: the model has no graph`);
  const topts: TensorReadOptions = { baseDir: opts.baseDir, file };

  let opset: number | undefined;
  const opsets: Record<string, number> = {};
  for (const o of m.opsetImport ?? []) {
    const domain = o.domain ?? '';
    const version = longToNumber(o.version ?? 0);
    if (domain === '' || domain === 'ai.onnx') opset = version;
    else opsets[domain] = version;
  }
  if (opset === undefined) {
    // IR version 3+ models must import the default domain; very old ones imply opset 1.
    opset = 1;
  }

  const lim = limits();
  if ((g.node ?? []).length > lim.nodes) throw new LimitError(`${file}: ${(g.node ?? []).length} nodes, above the limit of ${lim.nodes}`);
  const initializers = new Map<string, Tensor>();
  let weightBytes = 0;
  for (const t of g.initializer ?? []) {
    const dims = (t.dims ?? []).map(longToNumber);
    const dt = dtypeFromCode(t.dataType ?? 0);
    weightBytes += elementsOf(dims) * (dt && dt !== 'string' ? dtypeSize(dt) : 1);
    checkBytes(`${file}: the initializers up to '${t.name ?? ''}'`, weightBytes, 'weightBytes');
    const name = t.name ?? '';
    initializers.set(name, tensorFromProto(t, topts));
  }
  if ((g.sparseInitializer ?? []).length > 0) throw new Error(`${file}: sparse initializers are not supported`);

  const values = new Map<string, ValueInfo>();
  const inputs: ValueInfo[] = [];
  for (const v of g.input ?? []) {
    const vi = convertValueInfo(v, file);
    if (initializers.has(vi.name)) continue; // IR < 4 lists initializers as inputs too
    inputs.push(vi);
    values.set(vi.name, vi);
  }
  for (const v of g.valueInfo ?? []) {
    const vi = convertValueInfo(v, file);
    values.set(vi.name, vi);
  }
  const outputs = (g.output ?? []).map((v) => convertValueInfo(v, file));
  for (const o of outputs) if (o.shape || !values.has(o.name)) values.set(o.name, o);

  const nodes: Node[] = [];
  const usedNames = new Set<string>();
  (g.node ?? []).forEach((n, i) => {
    const opType = n.opType ?? '';
    // Nameless nodes get a stable name from their position and first output, for errors/profiles.
    let name = n.name || `${opType}_${i}${n.output && n.output[0] ? `:${n.output[0]}` : ''}`;
    if (usedNames.has(name)) name = `${name}#${i}`;
    usedNames.add(name);
    const desc = `node '${name}' (${opType})`;
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) attrs[a.name ?? ''] = convertAttr(a, topts, desc);
    nodes.push({ name, opType, domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs });
  });
  if (nodes.length === 0 && outputs.length === 0) throw new Error(`${file}: the graph is empty (no nodes and no outputs)`);
  if (outputs.length === 0) throw new Error(`${file}: the graph has no outputs`);

  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';

  const graph: Graph = { name: g.name ?? 'graph', nodes, inputs, outputs, initializers, values };
  return {
    graph,
    opset,
    opsets,
    irVersion: longToNumber(m.irVersion ?? 0),
    producerName: m.producerName ?? '',
    producerVersion: m.producerVersion ?? '',
    metadata,
    path: opts.file.startsWith('<') ? undefined : opts.file,
  };
}

/** Decodes ONNX bytes; `file` names them in errors. */
export function decodeModel(bytes: Uint8Array, file: string): onnx.ModelProto {
  if (bytes.length === 0) throw new Error(`${file}: empty file, not an ONNX model`);
  let m: onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = /index out of range|premature|truncat/i.test(msg);
    throw new Error(`${file}: ${truncated ? 'truncated ONNX file' : 'not an ONNX file'} (${msg})`);
  }
  // Arbitrary bytes sometimes decode as a protobuf with only unknown fields: require a graph.
  if (!m.graph) throw new Error(`${file}: not an ONNX file (no graph found)`);
  return m;
}

/** Loads an ONNX model from a path or from bytes. */
export function loadModel(source: string | Uint8Array, options: LoadOptions = {}): Model {
  if (typeof source === 'string') {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(source);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${source}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const baseDir = options.baseDir ?? path.dirname(path.resolve(source));
    return modelFromProto(decodeModel(bytes, source), { baseDir, file: source });
  }
  const file = options.name ?? '<model bytes>';
  return modelFromProto(decodeModel(source, file), { baseDir: options.baseDir, file });
}
