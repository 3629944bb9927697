// The ONNX backend node tests (Debian's libonnx-testdata) run through our ModelSession: shared by the
// conformance test and tools/update-conformance-expectations.ts, so both judge a test the same way.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';

import { tensorFromProto } from '../../engine/onnx/tensor-proto';
import { getOp } from '../../engine/ops/registry';
import { ModelSession } from '../../engine/runtime/session';
import type { HostTensor } from '../../engine/runtime/session-types';
import type { Tensor } from '../../engine/ir/tensor';
import { closeness } from '../helpers/tolerance';

export const NODE_TEST_ROOT = process.env.QWB_NODE_TESTS ?? '/usr/share/libonnx-testdata/data/node';
export const EXPECTATIONS_FILE = path.resolve(__dirname, '..', '..', '..', 'test', 'conformance', 'expectations.json');
export const REL_TOL = 1e-4;
/** Absolute tolerance where the reference output is all zeros (or empty). */
export const ABS_FLOOR = 1e-6;

export interface NodeTestResult {
  name: string;
  pass: boolean;
  /** Why it fails (absent when it passes). */
  reason?: string;
  /** Worst error over all outputs, relative to each output's largest reference magnitude. */
  maxRelErr?: number;
  /** Passed only with its parameter inputs bound as initializers (see runNodeTest). */
  bound?: boolean;
  ms: number;
}

export interface Expectations {
  /** How the file is made; not read by the test. */
  comment: string;
  /** Test name -> reason it is expected to fail. */
  expected_failures: Record<string, string>;
}

/** Every node test folder (sorted), optionally filtered by a substring. */
export function listNodeTests(filter?: string): string[] {
  if (!fs.existsSync(NODE_TEST_ROOT)) return [];
  return fs
    .readdirSync(NODE_TEST_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(NODE_TEST_ROOT, e.name, 'model.onnx')))
    .map((e) => e.name)
    .filter((n) => !filter || n.includes(filter))
    .sort();
}

export function readExpectations(): Expectations {
  if (!fs.existsSync(EXPECTATIONS_FILE)) return { comment: '', expected_failures: {} };
  return JSON.parse(fs.readFileSync(EXPECTATIONS_FILE, 'utf8')) as Expectations;
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

function valueTypeName(v: onnx.IValueInfoProto): string {
  const t = v.type;
  if (!t) return 'untyped';
  if (t.tensorType) return ELEM_TYPES[t.tensorType.elemType ?? 0] ?? `type ${t.tensorType.elemType}`;
  if (t.sequenceType) return 'sequence';
  if (t.mapType) return 'map';
  return 'non-tensor';
}

function readTensorPb(file: string): onnx.TensorProto {
  return onnx.TensorProto.decode(fs.readFileSync(file));
}

function dataFiles(dir: string, prefix: 'input' | 'output'): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)))
    .map((f) => path.join(dir, f));
}

/** Graph input/output dtypes a session takes and returns (engine/runtime/edges.ts). */
const EDGE_TYPES = new Set(['float32', 'int64', 'int32', 'int8', 'uint8', 'bool']);

/** Why the model cannot run here before trying it: unsupported ops, graph edges of a dtype no
 *  session takes (float64, float16, strings, sequences...). */
export function staticReason(model: onnx.ModelProto): string | undefined {
  const g = model.graph;
  if (!g) return 'model has no graph';
  const unsupported = new Set<string>();
  const visit = (graph: onnx.IGraphProto) => {
    for (const n of graph.node ?? []) {
      const domain = n.domain ?? '';
      if (!getOp(n.opType ?? '', domain)) unsupported.add(domain && domain !== 'ai.onnx' ? `${domain}:${n.opType}` : `${n.opType}`);
    }
  };
  visit(g);
  if (unsupported.size) return `unsupported op ${[...unsupported].sort().join(', ')}`;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  for (const v of g.input ?? []) {
    if (!v.name || inits.has(v.name)) continue;
    const ty = valueTypeName(v);
    if (!EDGE_TYPES.has(ty)) return `unsupported edge dtype: input ${ty} ('${v.name}')`;
  }
  for (const v of g.output ?? []) {
    const ty = valueTypeName(v);
    if (!EDGE_TYPES.has(ty)) return `unsupported edge dtype: output ${ty} ('${v.name}')`;
  }
  return undefined;
}

function firstLine(msg: string, max = 220): string {
  const line = msg.split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** Worst |a-e| / max|e| (finite values); NaN/Inf must sit where the reference has them. */
function compare(actual: HostTensor, expected: HostTensor): { ok: boolean; relErr: number; detail: string } {
  if (actual.dims.join(',') !== expected.dims.join(',')) {
    return { ok: false, relErr: Infinity, detail: `dims [${actual.dims.join(',')}] vs expected [${expected.dims.join(',')}]` };
  }
  if (actual.data.constructor !== expected.data.constructor) {
    return { ok: false, relErr: Infinity, detail: `${actual.data.constructor.name} vs expected ${expected.data.constructor.name}` };
  }
  // An all-zero reference still allows ABS_FLOOR of absolute error (integers: exact either way).
  const num = (d: HostTensor['data']): ArrayLike<number> => (d instanceof BigInt64Array ? Float64Array.from(d, Number) : d);
  const c = closeness(num(actual.data), num(expected.data), REL_TOL, ABS_FLOOR / REL_TOL);
  return { ok: !c.failure, relErr: c.mismatch >= 0 ? Infinity : c.relErr, detail: c.failure ?? '' };
}

/** The values of a test tensor as they cross a session's edge (session-types.ts HostData). */
function hostData(t: Tensor, what: string): HostTensor['data'] {
  const src = t.data as ArrayLike<number>;
  switch (t.dtype) {
    case 'float32':
      return t.data as Float32Array;
    case 'int64':
      return BigInt64Array.from(src, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(src);
    case 'int8':
      return Int8Array.from(src);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(src);
    default:
      throw new Error(`unsupported edge dtype: ${what} ${t.dtype}`);
  }
}

/** The test's data: input tensors by graph input name, reference outputs in graph order. */
interface TestData {
  inputs: { name: string; pb: onnx.TensorProto; file: string }[];
  outputs: { name: string; pb: onnx.TensorProto; file: string }[];
}

function readTestData(dir: string, model: onnx.ModelProto): TestData {
  const g = model.graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const inputNames = (g.input ?? []).map((v) => v.name ?? '').filter((n) => n && !inits.has(n));
  const outputNames = (g.output ?? []).map((v) => v.name ?? '');
  const dataDir = path.join(dir, 'test_data_set_0');
  const read = (files: string[], names: string[]) =>
    files.map((file, i) => {
      const pb = readTensorPb(file);
      return { name: names[i] ?? pb.name ?? '', pb, file };
    });
  return { inputs: read(dataFiles(dataDir, 'input'), inputNames), outputs: read(dataFiles(dataDir, 'output'), outputNames) };
}

/** The model with every graph input after the first turned into an initializer holding the test's
 *  value: how a deployed model carries conv weights, BN parameters, Resize scales or Clip bounds,
 *  which the node tests pass as runtime inputs and our engine (like TensorRT) wants constant. */
function bindParameters(model: onnx.ModelProto, data: TestData): Uint8Array {
  const bound = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const g = bound.graph!;
  const params = data.inputs.slice(1);
  const names = new Set(params.map((p) => p.name));
  g.input = (g.input ?? []).filter((v) => !names.has(v.name ?? ''));
  g.initializer = [...(g.initializer ?? []), ...params.map((p) => onnx.TensorProto.create({ ...p.pb, name: p.name }))];
  return onnx.ModelProto.encode(bound).finish();
}

/** One run of the model bytes on the given inputs, checked against the reference outputs. */
async function runAndCompare(bytes: Uint8Array, inputs: TestData['inputs'], outputs: TestData['outputs']): Promise<Omit<NodeTestResult, 'name' | 'ms'>> {
  const feed: Record<string, HostTensor> = {};
  for (const inp of inputs) {
    const t = tensorFromProto(inp.pb, { file: inp.file });
    feed[inp.name] = { dims: t.dims, data: hostData(t, 'input') };
  }
  const session = await ModelSession.load(bytes, { fused: true, threads: 1 });
  try {
    const result = await session.run(feed);
    // A test with no reference output would pass vacuously.
    if (outputs.length === 0) return { pass: false, reason: 'no reference outputs (output_*.pb) in the test data' };
    let maxRelErr = 0;
    const problems: string[] = [];
    for (const out of outputs) {
      const ref = tensorFromProto(out.pb, { file: out.file });
      const got = result.outputs[out.name];
      if (!got) {
        problems.push(`output '${out.name}' missing`);
        continue;
      }
      const c = compare(got, { dims: ref.dims, data: hostData(ref, 'output') });
      maxRelErr = Math.max(maxRelErr, c.relErr);
      if (!c.ok) problems.push(`output '${out.name}': ${c.detail}`);
    }
    if (problems.length) return { pass: false, reason: `numeric: ${problems.join('; ')}`, maxRelErr };
    return { pass: true, maxRelErr };
  } finally {
    session.dispose();
  }
}

/** Loads, runs (fused, 1 thread) and checks one node test. Never throws. A test whose op needs a
 *  parameter as a constant is run again with its parameters bound as initializers; the result
 *  then says so (`bound`). */
export async function runNodeTest(name: string): Promise<NodeTestResult> {
  const t0 = Date.now();
  const dir = path.join(NODE_TEST_ROOT, name);
  const done = (r: Omit<NodeTestResult, 'name' | 'ms'>): NodeTestResult => ({ name, ...r, ms: Date.now() - t0 });
  let model: onnx.ModelProto;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path.join(dir, 'model.onnx'));
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return done({ pass: false, reason: `cannot decode model: ${firstLine((e as Error).message)}` });
  }
  const pre = staticReason(model);
  // Edges of other dtypes cannot cross the session boundary at all: no point running.
  if (pre && pre.startsWith('unsupported edge dtype')) return done({ pass: false, reason: pre });
  try {
    const data = readTestData(dir, model);
    try {
      return done(await runAndCompare(bytes, data.inputs, data.outputs));
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (!/must be (a )?constants?\b/.test(message) || data.inputs.length < 2) throw e;
      const r = await runAndCompare(bindParameters(model, data), data.inputs.slice(0, 1), data.outputs);
      return done({ ...r, bound: true });
    }
  } catch (e) {
    // Prefer the static reason (a named unsupported op) over whatever error it surfaced as.
    return done({ pass: false, reason: pre ?? firstLine((e as Error).message ?? String(e)) });
  }
}

/** Runs many tests, sequentially, with an optional per-test callback (progress). */
export async function runNodeTests(names: string[], onResult?: (r: NodeTestResult, i: number) => void): Promise<NodeTestResult[]> {
  const out: NodeTestResult[] = [];
  for (let i = 0; i < names.length; i++) {
    const r = await runNodeTest(names[i]);
    out.push(r);
    onResult?.(r, i);
  }
  return out;
}
