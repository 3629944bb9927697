// FP32 vs INT8: accuracy and agreement on the calibration data's source (compareModels), latency,
// throughput and per-layer timing (benchModel, FP32 with the INT8 model as its counterpart, then
// the INT8 model alone), and both file sizes.

import type { BenchResult, CompareResult, ProgressEvent } from '../../../engine/api/contract';
import { parsePreprocess } from './calibration-slice';
import type { StoreDeps } from './deps';
import { toUiError, type UiError } from './errors';
import type { Slice } from './types';

export interface CompareShape {
  compare: {
    status: 'idle' | 'running' | 'done' | 'error';
    stage?: string;
    done?: number;
    total?: number;
    /** Samples the accuracy covers. */
    limit: string;
    /** Items per timed run. */
    batch: string;
    result?: CompareResult;
    benchFp32?: BenchResult;
    benchInt8?: BenchResult;
    sizes?: { fp32: number; int8: number };
    error?: UiError;
    setLimit(v: string): void;
    setBatch(v: string): void;
    start(): Promise<void>;
    reset(): void;
  };
}

export const createCompareSlice =
  (deps: StoreDeps): Slice<CompareShape> =>
  (set, get) => {
    const patch = (p: Partial<CompareShape['compare']>) => set({ compare: { ...get().compare, ...p } });
    let seq = 0;
    return {
      compare: {
        status: 'idle',
        limit: '500',
        batch: '8',
        setLimit: (limit) => patch({ limit }),
        setBatch: (batch) => patch({ batch }),
        start: async () => {
          const s = get();
          const fp32Path = s.model.ref?.path;
          const int8Path = s.run.result?.outPath;
          const n = ++seq;
          const fail = (what: string, e: unknown) => n === seq && patch({ status: 'error', error: toUiError(what, e) });
          if (!fp32Path || !int8Path) return void fail('Comparing', new Error('Quantize the model first (Calibrate, then Run)'));
          const limit = Number(s.compare.limit);
          const batch = Number(s.compare.batch);
          if (!Number.isInteger(limit) || limit < 1) return void fail('Comparing', new Error(`Samples: a whole number >= 1, got '${s.compare.limit}'`));
          if (!Number.isInteger(batch) || batch < 1) return void fail('Comparing', new Error(`Batch: a whole number >= 1, got '${s.compare.batch}'`));
          const c = s.calibration;
          patch({ status: 'running', stage: 'accuracy', done: undefined, total: undefined, result: undefined, benchFp32: undefined, benchInt8: undefined, sizes: undefined, error: undefined });
          const onProgress = (p: ProgressEvent) => n === seq && patch({ stage: p.stage, done: p.done, total: p.total });
          try {
            const result = await deps.call(
              'compareModels',
              { fp32Path, int8Path, data: c.data, labels: c.labels || undefined, limit, layerSamples: 16, preprocess: parsePreprocess(c.preprocess) },
              { onProgress },
            );
            if (n !== seq) return;
            patch({ result, stage: 'per-layer timing' });
            const benchFp32 = await deps.call('benchModel', { modelPath: fp32Path, int8Path, perLayer: true, batch, iters: 20 }, { onProgress });
            if (n !== seq) return;
            patch({ benchFp32, stage: 'INT8 latency' });
            const benchInt8 = await deps.call('benchModel', { modelPath: int8Path, batch, iters: 20 }, { onProgress });
            const [a, b] = await Promise.all([deps.call('inspectModel', { path: fp32Path }), deps.call('inspectModel', { path: int8Path })]);
            if (n === seq) patch({ benchInt8, sizes: { fp32: a.fileBytes ?? 0, int8: b.fileBytes ?? 0 }, status: 'done', stage: undefined });
          } catch (e) {
            fail('Comparing FP32 and INT8', e);
          }
        },
        reset: () => {
          seq++;
          set({ compare: { ...get().compare, status: 'idle', result: undefined, benchFp32: undefined, benchInt8: undefined, sizes: undefined, error: undefined, stage: undefined } });
        },
      },
    };
  };
