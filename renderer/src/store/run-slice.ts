// The calibration run: quantizeModel with progress (stage, counts, ETA) and a Cancel that aborts
// the job in the engine. A cancelled run is 'cancelled', not an error; the engine writes the INT8
// model only at the very end, so a cancelled run leaves no file.

import type { ProgressEvent, QuantizeResult } from '../../../engine/api/contract';
import { isCancelled } from '../api/client';
import { quantizeRequest } from './calibration-slice';
import { baseName, joinPath, type StoreDeps } from './deps';
import { estimateEta, type RateState } from './eta';
import { toUiError, type UiError } from './errors';
import type { Slice } from './types';

export interface RunShape {
  run: {
    status: 'idle' | 'running' | 'cancelling' | 'cancelled' | 'done' | 'error';
    stage?: string;
    done?: number;
    total?: number;
    etaSeconds?: number;
    startedAt?: number;
    endedAt?: number;
    /** ms from Cancel to the engine's answer. */
    cancelMs?: number;
    outPath?: string;
    result?: QuantizeResult;
    error?: UiError;
    start(): Promise<void>;
    cancel(): void;
    reset(): void;
  };
}

export const createRunSlice =
  (deps: StoreDeps): Slice<RunShape> =>
  (set, get) => {
    const patch = (p: Partial<RunShape['run']>) => set({ run: { ...get().run, ...p } });
    let controller: AbortController | undefined;
    let cancelAt = 0;
    let seq = 0;
    return {
      run: {
        status: 'idle',
        start: async () => {
          const s = get();
          let req;
          try {
            req = quantizeRequest(s);
          } catch (e) {
            patch({ status: 'error', error: toUiError('Checking the wizard’s choices', e) });
            return;
          }
          const n = ++seq;
          const name = baseName(req.modelPath).replace(/\.onnx$/i, '');
          // One folder per run, so the INT8 file (and what is exported from it) keeps the model's name.
          const outPath = joinPath(joinPath(joinPath(deps.session.workspace, 'models'), `run${n}`), `${name}.int8.onnx`);
          controller = new AbortController();
          const rate: RateState = {};
          const startedAt = deps.now();
          patch({ status: 'running', stage: 'starting', done: undefined, total: undefined, etaSeconds: undefined, startedAt, endedAt: undefined, cancelMs: undefined, outPath, result: undefined, error: undefined });
          get().compare.reset();
          const onProgress = (p: ProgressEvent) => {
            if (n !== seq || get().run.status === 'cancelling') {
              if (n === seq) patch({ stage: p.stage, done: p.done, total: p.total });
              return;
            }
            let eta: number | undefined;
            if (p.done !== undefined && p.total !== undefined) {
              const now = deps.now();
              if (rate.t0 === undefined || p.done < (rate.done0 ?? 0)) {
                rate.t0 = now;
                rate.done0 = p.done;
              }
              eta = estimateEta(rate, now, p.done, p.total);
            }
            patch({ stage: p.stage, done: p.done, total: p.total, etaSeconds: eta });
          };
          try {
            const result = await deps.call('quantizeModel', { ...req, outPath }, { onProgress, signal: controller.signal });
            if (n === seq) patch({ status: 'done', result, endedAt: deps.now(), etaSeconds: 0 });
          } catch (e) {
            if (n !== seq) return;
            if (isCancelled(e)) patch({ status: 'cancelled', endedAt: deps.now(), cancelMs: deps.now() - cancelAt, etaSeconds: undefined });
            else patch({ status: 'error', error: toUiError('Quantizing', e), endedAt: deps.now() });
          }
        },
        cancel: () => {
          if (get().run.status !== 'running' || !controller) return;
          cancelAt = deps.now();
          patch({ status: 'cancelling', etaSeconds: undefined });
          controller.abort();
        },
        reset: () => {
          seq++;
          controller?.abort();
          set({ run: { ...get().run, status: 'idle', stage: undefined, done: undefined, total: undefined, etaSeconds: undefined, result: undefined, error: undefined, outPath: undefined, cancelMs: undefined } });
        },
      },
    };
  };
