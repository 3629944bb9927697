// Mutated ONNX models from a valid base: byte-level damage and structural mutations through the
// ModelProto (dims, dtypes, attributes, wiring, op types, opsets, sizes, external data).

import { onnx } from 'onnx-proto';

import { NASTY_FLOATS, NASTY_INTS, Rng } from './rng';

export interface OnnxCase {
  name: string;
  bytes: Uint8Array;
  /** Extra files next to the model (external data), relative name -> bytes or a symlink target. */
  files?: Record<string, Uint8Array | { symlink: string }>;
}

type Mutation = (m: onnx.ModelProto, r: Rng) => string;

const longOf = (n: number) => n; // protobufjs accepts numbers for int64 fields

const MUTATIONS: Mutation[] = [
  function initializerDims(m, r) {
    const t = r.pick(m.graph!.initializer!);
    const dims = t.dims!.map(Number);
    const i = r.int(0, Math.max(0, dims.length - 1));
    const v = r.pick(NASTY_INTS);
    if (r.chance(0.2)) t.dims = [...dims, longOf(v)];
    else if (r.chance(0.2)) t.dims = dims.slice(1);
    else {
      dims[i] = v;
      t.dims = dims.map(longOf);
    }
    return `initializer '${t.name}' dims -> [${t.dims.join(',')}]`;
  },
  function initializerDtype(m, r) {
    const t = r.pick(m.graph!.initializer!);
    t.dataType = r.pick([0, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 16, 99]);
    return `initializer '${t.name}' dtype -> ${t.dataType}`;
  },
  function rawDataLength(m, r) {
    const t = r.pick(m.graph!.initializer!);
    const raw = t.rawData ?? new Uint8Array();
    t.rawData = r.chance(0.5) ? raw.subarray(0, r.int(0, raw.length)) : new Uint8Array([...raw, ...new Uint8Array(r.int(1, 64))]);
    return `initializer '${t.name}' raw_data -> ${t.rawData.length} bytes`;
  },
  function inputShape(m, r) {
    const v = r.pick(m.graph!.input!);
    const dims = v.type?.tensorType?.shape?.dim ?? [];
    if (dims.length && r.chance(0.7)) r.pick(dims).dimValue = longOf(r.pick(NASTY_INTS));
    else if (v.type?.tensorType) v.type.tensorType.elemType = r.pick([0, 6, 7, 9, 10, 16, 99]);
    return `input '${v.name}' type changed`;
  },
  function attribute(m, r) {
    const n = r.pick(m.graph!.node!);
    const attrs = n.attribute ?? [];
    if (attrs.length === 0 || r.chance(0.3)) {
      const name = r.pick(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'axis', 'epsilon', 'transB', 'alpha', 'to', 'keepdims', 'perm']);
      attrs.push({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [r.pick(NASTY_INTS), r.pick(NASTY_INTS)].map(longOf) });
      n.attribute = attrs;
      return `node '${n.name}' + attribute ${name}`;
    }
    const a = r.pick(attrs);
    const kind = r.int(0, 4);
    if (kind === 0) a.ints = Array.from({ length: r.int(0, 6) }, () => longOf(r.pick(NASTY_INTS)));
    else if (kind === 1) a.i = longOf(r.pick(NASTY_INTS));
    else if (kind === 2) a.f = r.pick(NASTY_FLOATS);
    else if (kind === 3) a.type = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 99]) as onnx.AttributeProto.AttributeType;
    else a.s = new TextEncoder().encode(r.pick(['', 'SAME_UPPER', 'VALID', 'nope', '\u0000']));
    return `node '${n.name}' attribute '${a.name}' mutated (${kind})`;
  },
  function wiring(m, r) {
    const g = m.graph!;
    const n = r.pick(g.node!);
    const kind = r.int(0, 5);
    if (kind === 0) n.input = [...(n.input ?? []), 'no_such_tensor'];
    else if (kind === 1 && n.input?.length) n.input[r.int(0, n.input.length - 1)] = r.pick(['', 'ghost', n.output?.[0] ?? 'x']);
    else if (kind === 2) n.input = [];
    else if (kind === 3) n.output = [...(n.output ?? []), g.node![0].output![0]];
    else if (kind === 4 && g.output?.length) g.output[0].name = r.pick(['', 'ghost', g.node![0].output![0]]);
    else g.node!.reverse();
    return `wiring (${kind}) around node '${n.name}'`;
  },
  function opType(m, r) {
    const n = r.pick(m.graph!.node!);
    const before = n.opType;
    n.opType = r.pick(['Conv', 'Relu', 'MatMul', 'Gemm', 'MaxPool', 'Reshape', 'Concat', 'Softmax', 'Foo', '', 'LSTM', 'Loop', 'If', 'ScatterND', 'Range', 'Expand']);
    if (r.chance(0.2)) n.domain = r.pick(['com.microsoft', 'ai.onnx.ml', 'x']);
    return `node '${n.name}' ${before} -> ${n.opType}`;
  },
  function opset(m, r) {
    m.opsetImport = [{ domain: '', version: longOf(r.pick([0, 1, 6, 7, 99, 2 ** 31])) }];
    if (r.chance(0.3)) m.irVersion = longOf(r.pick([0, 1, 99]));
    return `opset -> ${m.opsetImport[0].version}`;
  },
  function removeThings(m, r) {
    const g = m.graph!;
    const kind = r.int(0, 3);
    if (kind === 0) g.initializer = g.initializer!.slice(1);
    else if (kind === 1) g.node = g.node!.filter((_, i) => i !== r.int(0, g.node!.length - 1));
    else if (kind === 2) g.input = [];
    else g.output = [];
    return `removed (${kind})`;
  },
  function externalData(m, r) {
    const t = r.pick(m.graph!.initializer!);
    t.rawData = new Uint8Array();
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    const location = r.pick(['/etc/passwd', '../../../../etc/shadow', 'w.bin', 'link.bin', 'zero.bin', 'missing.bin', '/proc/self/environ', 'sub/../w.bin', '']);
    t.externalData = [{ key: 'location', value: location }];
    if (r.chance(0.5)) t.externalData.push({ key: 'offset', value: String(r.pick(NASTY_INTS)) });
    if (r.chance(0.5)) t.externalData.push({ key: 'length', value: r.pick(['12', '-1', '1e9', 'x', String(2 ** 40)]) });
    return `initializer '${t.name}' external at '${location}'`;
  },
  function initializerValues(m, r) {
    // Shape-like values (Reshape shapes, Slice starts/ends, axes) turned into nasty ones.
    const ints = m.graph!.initializer!.filter((t) => t.dataType === 7 || t.dataType === 6);
    const t = ints.length ? r.pick(ints) : r.pick(m.graph!.initializer!);
    t.dataType = 7;
    const n = Math.max(1, Number((t.dims ?? []).reduce((a, b) => Number(a) * Number(b), 1)));
    t.rawData = new Uint8Array(new BigInt64Array(n).map(() => BigInt(Math.trunc(r.pick(NASTY_INTS)))).buffer);
    return `initializer '${t.name}' values -> nasty int64`;
  },
  function malformedStructure(m, r) {
    const g = m.graph!;
    const kind = r.int(0, 5);
    if (kind === 0) g.node!.push({} as onnx.INodeProto);
    else if (kind === 1) g.input!.push({ name: r.pick(['', 'input']) });
    else if (kind === 2) g.initializer!.push({ ...g.initializer![0] });
    else if (kind === 3) r.pick(g.node!).attribute = [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR }];
    else if (kind === 4) r.pick(g.node!).attribute = [{ name: r.pick(['then_branch', 'body']), type: onnx.AttributeProto.AttributeType.GRAPH, g: {} }];
    else g.node!.push({ opType: 'Constant', output: ['k'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: 7, dims: [2 ** 31, 2 ** 31] } }] });
    return `malformed structure (${kind})`;
  },
  function valueInfo(m, r) {
    const g = m.graph!;
    g.valueInfo = [{ name: r.pick(g.node!).output![0], type: { tensorType: { elemType: r.pick([1, 7, 99]), shape: { dim: [{ dimValue: longOf(r.pick(NASTY_INTS)) }] } } } }];
    return 'value_info added';
  },
];

/** `count` mutants of the `bases` (ONNX bytes, used in turn): a third byte-level, the rest
 *  structural (1-3 mutations). */
export function onnxCases(bases: Uint8Array[], count: number, seed: number): OnnxCase[] {
  const r = new Rng(seed);
  const out: OnnxCase[] = [];
  const w = new Uint8Array(48).map((_, i) => i);
  for (let k = 0; k < count; k++) {
    const base = bases[k % bases.length];
    if (k % 3 === 0) {
      const bytes = new Uint8Array(base);
      const kind = r.int(0, 2);
      if (kind === 0) for (let i = 0, n = r.int(1, 16); i < n; i++) bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
      const cut = kind === 1 ? bytes.subarray(0, r.int(0, bytes.length)) : bytes;
      const final = kind === 2 ? new Uint8Array([...bytes.subarray(0, 40), ...new Uint8Array(r.int(1, 200)).map(() => r.int(0, 255)), ...bytes.subarray(40)]) : cut;
      out.push({ name: `bytes-${k}-${['flip', 'truncate', 'insert'][kind]}`, bytes: final });
      continue;
    }
    const m = onnx.ModelProto.decode(base);
    const steps: string[] = [];
    for (let i = 0, n = r.int(1, 3); i < n; i++) {
      try {
        steps.push(r.pick(MUTATIONS)(m, r));
      } catch {
        steps.push('mutation skipped');
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = onnx.ModelProto.encode(m).finish();
    } catch {
      bytes = base;
    }
    out.push({
      name: `struct-${k}: ${steps.join('; ')}`,
      bytes,
      files: { 'w.bin': w, 'zero.bin': { symlink: '/dev/zero' }, 'link.bin': { symlink: '/etc/hostname' } },
    });
  }
  return out;
}
