// One way to run a model for evaluation, comparison and calibration-adjacent jobs, whichever runtime
// does it: ours (ModelSession: FP32, and QDQ models in INT8 once the runtime lowers them) or
// onnxruntime-node, loaded only when asked for (a dev dependency), as the independent reference
// the milestone compares against ("ORT's top-1 within 0.3 points of ours").

import type { Model } from '../ir/graph';
import { saveModel } from '../onnx/save';
import { ModelSession } from '../runtime/session';
import type { HostData, HostTensor } from '../runtime/session-types';
import type { Backend } from './contract';
import { errorCode, QwbError } from './errors';

export interface ModelRunner {
  readonly inputNames: string[];
  readonly outputNames: string[];
  run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  dispose(): void;
}

export interface RunnerOptions {
  backend?: Backend;
  threads?: number;
  fused?: boolean;
}

export function isQdqModel(model: Model): boolean {
  return model.graph.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear');
}

class QwbRunner implements ModelRunner {
  constructor(
    private readonly session: ModelSession,
    private readonly label: string,
    private readonly qdq: boolean,
  ) {}

  get inputNames() {
    return this.session.inputNames;
  }

  get outputNames() {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    try {
      return (await this.session.run(feeds)).outputs;
    } catch (e) {
      const hint = this.qdq ? ' (a QDQ model: if this runtime build cannot lower it yet, try --backend ort)' : '';
      throw new QwbError(errorCode(e, 'E_MODEL'), `${this.label}: ${(e as Error).message}${errorCode(e, 'E_MODEL') === 'E_LIMIT' ? '' : hint}`);
    }
  }

  dispose(): void {
    this.session.dispose();
  }
}

interface OrtTensor {
  dims: readonly number[];
  data: unknown;
  type: string;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, opts: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: HostData, dims: number[]) => unknown;
}

/** ONNX Runtime's tensor type name for each ONNX dtype a model input may have. */
const ORT_TYPE: Record<string, string> = { float32: 'float32', int64: 'int64', int32: 'int32', int8: 'int8', uint8: 'uint8', bool: 'bool' };

/** `data` as ONNX Runtime wants it for an input of `dtype` (it takes exactly the declared type). */
function ortData(name: string, dtype: string, data: HostData): HostData {
  if (dtype === 'int64' && !(data instanceof BigInt64Array)) return BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
  if (dtype === 'int32' && !(data instanceof Int32Array)) return Int32Array.from(data as ArrayLike<number>);
  if (!ORT_TYPE[dtype]) throw new QwbError('E_USAGE', `input '${name}': dtype ${dtype} is not supported`);
  return data;
}

class OrtRunner implements ModelRunner {
  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly label: string,
    private readonly inputDtypes: Map<string, string>,
  ) {}

  get inputNames() {
    return [...this.session.inputNames];
  }

  get outputNames() {
    return [...this.session.outputNames];
  }

  async run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const f: Record<string, unknown> = {};
    for (const [k, t] of Object.entries(feeds)) {
      const dtype = this.inputDtypes.get(k) ?? 'float32';
      f[k] = new this.ort.Tensor(ORT_TYPE[dtype] ?? dtype, ortData(k, dtype, t.data), t.dims);
    }
    let res: Record<string, OrtTensor>;
    try {
      res = await this.session.run(f);
    } catch (e) {
      throw new QwbError('E_MODEL', `${this.label} (onnxruntime): ${(e as Error).message}`);
    }
    const out: Record<string, HostTensor> = {};
    for (const [k, t] of Object.entries(res)) {
      const d = t.data;
      if (d instanceof Float32Array || d instanceof BigInt64Array || d instanceof Int32Array || d instanceof Int8Array || d instanceof Uint8Array) out[k] = { dims: [...t.dims], data: d };
    }
    return out;
  }

  dispose(): void {
    void this.session.release();
  }
}

function loadOrt(): OrtModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('onnxruntime-node') as OrtModule;
  } catch (e) {
    throw new QwbError('E_USAGE', `--backend ort needs the onnxruntime-node package (npm install onnxruntime-node): ${(e as Error).message}`);
  }
}

/** Opens `model` on the chosen backend; `label` names it in errors (its path). */
export async function openRunner(model: Model, label: string, opts: RunnerOptions = {}): Promise<ModelRunner> {
  if ((opts.backend ?? 'qwb') === 'ort') {
    const ort = loadOrt();
    const threads = opts.threads ?? 0;
    try {
      const s = await ort.InferenceSession.create(saveModel(model), threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {});
      return new OrtRunner(ort, s, label, new Map(model.graph.inputs.map((v) => [v.name, v.dtype])));
    } catch (e) {
      throw new QwbError('E_MODEL', `${label}: onnxruntime cannot load it: ${(e as Error).message}`);
    }
  }
  const session = await ModelSession.load(model, { threads: opts.threads, fused: opts.fused });
  return new QwbRunner(session, label, isQdqModel(model));
}
