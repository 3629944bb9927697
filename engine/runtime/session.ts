// ModelSession, the inference session of one ONNX model: the model compiled to a native plan per
// input-dims key (shape inference, passes, lowering, oneDNN primitive creation), then run with one
// native crossing per call. Profiles map the native per-step milliseconds back onto plan steps and ONNX nodes.

import type { Model } from '../ir/graph';
import { loadModel } from '../onnx/load';
import { fromEdge, toEdge } from './edges';
import { compilePlan } from './lower';
import { createNativeSession } from './native';
import type { NativeSession } from './native-types';
import type { Plan } from '../plan/plan';
import type { HostTensor, InferenceSession, RunOptions, RunResult, SessionOptions, StepProfile } from './session-types';

interface Compiled {
  plan: Plan;
  native: NativeSession;
}

/** Compiled plans kept per session (each holds reordered weights natively). */
const MAX_CACHED_PLANS = 4;

export class ModelSession implements InferenceSession {
  readonly inputNames: string[];
  readonly outputNames: string[];
  private readonly cache = new Map<string, Promise<Compiled>>();
  private disposed = false;

  private constructor(
    readonly model: Model,
    private readonly options: SessionOptions,
  ) {
    this.inputNames = model.graph.inputs.map((v) => v.name);
    this.outputNames = model.graph.outputs.map((v) => v.name);
  }

  static async load(source: string | Uint8Array | Model, options: SessionOptions = {}): Promise<ModelSession> {
    const model = typeof source === 'string' || source instanceof Uint8Array ? loadModel(source) : source;
    const threads = options.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0) throw new Error(`threads must be an integer >= 0, got ${threads}`);
    return new ModelSession(model, { threads, fused: options.fused ?? true, int8: options.int8 ?? true });
  }

  /** The plan compiled for these input dims (compiling it if needed); for reports and tests. */
  async compile(inputDims: Record<string, number[]>): Promise<Plan> {
    return (await this.compiled(inputDims)).plan;
  }

  private compiled(inputDims: Record<string, number[]>): Promise<Compiled> {
    if (this.disposed) throw new Error('session is disposed');
    const key = this.inputNames.map((n) => `${n}:${(inputDims[n] ?? []).join('x')}`).join(';');
    let entry = this.cache.get(key);
    if (entry) {
      // Refresh LRU order.
      this.cache.delete(key);
      this.cache.set(key, entry);
      return entry;
    }
    entry = (async () => {
      const { plan } = compilePlan(this.model, inputDims, this.options.fused ?? true, this.options.int8 ?? true);
      const native = await createNativeSession(plan, { threads: this.options.threads ?? 0 });
      // The native session holds its own copy of every constant (weights reordered once); the cached
      // plan keeps only the structure (dims, steps) that runs and profiles read. A constant's bytes
      // become an empty array, so `data !== undefined` still marks it constant.
      for (const t of plan.tensors) if (t.data && t.data.byteLength > 0) t.data = new Uint8Array(0);
      return { plan, native };
    })();
    this.cache.set(key, entry);
    entry.catch(() => this.cache.delete(key));
    while (this.cache.size > MAX_CACHED_PLANS) {
      const [oldKey, old] = this.cache.entries().next().value as [string, Promise<Compiled>];
      this.cache.delete(oldKey);
      old.then((c) => c.native.dispose(), () => undefined);
    }
    return entry;
  }

  async run(inputs: Record<string, HostTensor>, options: RunOptions = {}): Promise<RunResult> {
    for (const name of Object.keys(inputs)) {
      if (!this.inputNames.includes(name)) throw new Error(`'${name}' is not an input of the model (inputs: ${this.inputNames.join(', ')})`);
    }
    const dims: Record<string, number[]> = {};
    for (const name of this.inputNames) {
      const t = inputs[name];
      if (!t) throw new Error(`missing input '${name}'`);
      // A zero-size dim is legal ONNX (an empty Split piece, a Reshape with allowzero); the native
      // compiler refuses it only where a compute step would read or write it.
      if (t.dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`input '${name}': dims [${t.dims.join(', ')}] hold an invalid dimension; every dim must be an integer >= 0`);
      const n = t.dims.reduce((a, b) => a * b, 1);
      if (n !== t.data.length) throw new Error(`input '${name}': dims [${t.dims.join(',')}] need ${n} values, got ${t.data.length}`);
      dims[name] = [...t.dims];
    }
    const { plan, native } = await this.compiled(dims);
    const dtypes = new Map(this.model.graph.inputs.map((v) => [v.name, v.dtype]));
    const edges = this.inputNames.map((n) => toEdge(n, dtypes.get(n)!, inputs[n].data));
    const res = await native.run(edges, 1, options.profile ?? false);
    const outputs: Record<string, HostTensor> = {};
    this.outputNames.forEach((name, i) => {
      const t = plan.tensors[plan.outputs[i]];
      const n = t.dims.reduce((a, b) => a * b, 1);
      const data = res.outputs[i];
      outputs[name] = { dims: [...t.dims], data: fromEdge(this.model.graph.outputs[i].dtype, data.length === n ? data : data.subarray(0, n)) };
    });
    const result: RunResult = { outputs };
    if (options.profile && res.stepMs) {
      const ms = res.stepMs;
      result.profile = plan.steps.map((s, index): StepProfile => ({ index, kind: s.kind, name: s.name, nodes: [...s.nodes], ms: ms[index] ?? 0 }));
    }
    return result;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const entry of this.cache.values()) entry.then((c) => c.native.dispose(), () => undefined);
    this.cache.clear();
  }
}
