// Loads the native addon (build/Release/qwb_native.node) and gives it the typed face of
// native-types.ts. Arguments are validated here first (input count and lengths against the plan's
// dims at the batch) so that mistakes fail with a TypeScript-side message and stack. Jobs on one
// session are queued: the native side runs one job per session at a time.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { EdgeArray, NativeAddon, NativeInfo, NativeRunResult, NativeSession, NativeSessionOptions, NativeStepInfo } from './native-types';
import type { Plan, PlanDType } from '../plan/plan';
import { serializePlan } from '../plan/plan-writer';
import { packageRoot } from '../package-root';
import { checkBytes, elementsOf } from '../limits';

/** The raw addon exports (the session object it resolves has the NativeSession methods). */
interface RawAddon {
  createSession(plan: Uint8Array, options: NativeSessionOptions): Promise<RawSession>;
  info(): NativeInfo;
}
interface RawSession {
  run(inputs: EdgeArray[], batch: number, profile: boolean): Promise<NativeRunResult>;
  prepare(batch: number): Promise<void>;
  steps(): NativeStepInfo[];
  dispose(): void;
}

/** The repository root: the nearest ancestor of this file holding package.json (works from
 *  engine/runtime/*.ts under ts-node and from dist/engine/runtime/*.js). */

let cached: RawAddon | undefined;

function loadRaw(): RawAddon {
  if (cached) return cached;
  const file = path.join(packageRoot(), 'build', 'Release', 'qwb_native.node');
  if (!fs.existsSync(file)) {
    throw new Error(`native addon not built: run \`npm run build:native\` (missing ${file})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached = require(file) as RawAddon;
  return cached;
}

function checkThreads(options: NativeSessionOptions): void {
  const t = options.threads;
  if (!Number.isInteger(t) || t < 0) throw new Error(`native session: threads must be an integer >= 0, got ${t}`);
}

function checkBatch(batch: number, where: string): void {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`${where}: batch must be a positive integer, got ${batch}`);
}

/** The plan facts run() validates against, kept so the plan itself can be garbage collected. */
interface InputShape {
  name: string;
  dims: number[];
  batched: boolean;
  dtype: PlanDType;
}

/** The typed array each plan dtype crosses the boundary as. */
export const EDGE_ARRAY: Record<PlanDType, { ctor: new (n: number) => EdgeArray; name: string }> = {
  f32: { ctor: Float32Array, name: 'Float32Array' },
  s32: { ctor: Int32Array, name: 'Int32Array' },
  u8: { ctor: Uint8Array, name: 'Uint8Array' },
  s8: { ctor: Int8Array, name: 'Int8Array' },
};

/** The TypeScript side of one native plan executor (the addon's SessionWrap over C++ qwb::PlanExecutor): one job at a time. */
class AddonSession implements NativeSession {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly raw: RawSession,
    /** null: no Plan at hand, the native side checks the inputs. */
    private readonly inputs: InputShape[] | null,
  ) {}

  /** Runs jobs one after another (the native session takes one job at a time). */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private alive(where: string): void {
    if (this.disposed) throw new Error(`${where}: the session was disposed`);
  }

  run(inputs: EdgeArray[], batch: number, profile = false): Promise<NativeRunResult> {
    try {
      this.alive('session.run');
      checkBatch(batch, 'session.run');
      if (!Array.isArray(inputs)) throw new Error(`session.run: inputs must be an array of typed arrays`);
      const shapes = this.inputs;
      if (shapes && inputs.length !== shapes.length) {
        throw new Error(`session.run: expected ${shapes.length} inputs, got ${inputs.length}`);
      }
      if (shapes) inputs.forEach((a, i) => {
        const s = shapes[i];
        const want = EDGE_ARRAY[s.dtype];
        if (!(a instanceof want.ctor)) throw new Error(`session.run: input ${i} ('${s.name}') must be a ${want.name} (plan dtype ${s.dtype})`);
        const dims = s.batched ? [s.dims[0] * batch, ...s.dims.slice(1)] : s.dims;
        const count = dims.reduce((x, y) => x * y, 1);
        if (a.length !== count) {
          throw new Error(
            `session.run: input ${i} ('${s.name}') has ${a.length} elements, expected ${count} (dims [${dims}] at batch ${batch})`,
          );
        }
      });
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueue(() => {
      this.alive('session.run');
      return this.raw.run(inputs, batch, profile);
    });
  }

  prepare(batch: number): Promise<void> {
    try {
      this.alive('session.prepare');
      checkBatch(batch, 'session.prepare');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueue(() => {
      this.alive('session.prepare');
      return this.raw.prepare(batch);
    });
  }

  steps(): NativeStepInfo[] {
    this.alive('session.steps');
    return this.raw.steps();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.raw.dispose();
  }
}

/** The addon with argument validation in front of it. */
export function loadNativeAddon(): NativeAddon {
  const raw = loadRaw();
  return {
    async createSession(planBytes: Uint8Array, options: NativeSessionOptions): Promise<NativeSession> {
      checkThreads(options);
      if (!(planBytes instanceof Uint8Array)) throw new Error('createSession: the plan must be a Uint8Array');
      // Bytes only, no Plan object: input lengths are checked by the native side.
      return new AddonSession(await raw.createSession(planBytes, options), null);
    },
    info: () => raw.info(),
  };
}

/** Serialises `plan` and creates a native session that validates run() inputs against it. */
export async function createNativeSession(plan: Plan, options: NativeSessionOptions): Promise<NativeSession> {
  checkThreads(options);
  // Every tensor the native side will allocate (activations, inputs, outputs), before it does:
  // a model that declares a 40000x40000 input or Expands to 1.25 GB is refused by name.
  const SIZE = { f32: 4, s32: 4, u8: 1, s8: 1 } as Record<string, number>;
  for (const t of plan.tensors) checkBytes(`tensor '${t.name}' [${t.dims.join(', ')}] ${t.dtype}`, elementsOf(t.dims) * (SIZE[t.dtype] ?? 8), 'tensorBytes');
  const bytes = serializePlan(plan);
  const raw = loadRaw();
  const rawSession = await raw.createSession(bytes, options);
  const inputs = plan.inputs.map((id) => {
    const t = plan.tensors[id];
    return { name: t.name, dims: t.dims.slice(), batched: t.batched, dtype: t.dtype };
  });
  return new AddonSession(rawSession, inputs);
}
