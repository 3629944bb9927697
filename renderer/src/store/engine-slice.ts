// The engine process as the window sees it: running, restarting after it stopped, or stopped (a
// crash loop the shell gave up on). The shell restarts a stopped engine by itself; when the new one
// answers, the window reloads the open model into it and re-reads what failed with the engine
// (the data preview, the machine's info). The choices of the wizard live here in the store, so
// they are kept; what is lost is the job that was running, and the notice says which.

import type { EngineEventMessage, ServiceMethod } from '../../../engine/api/contract';
import type { StoreDeps } from './deps';
import type { Slice } from './types';

export interface EngineNotice {
  title: string;
  /** What happened to the engine process (the shell's words). */
  message: string;
  /** Jobs that were running when it stopped (lost: run them again). */
  lost: string[];
  /** What the window did once a new engine answered. */
  recovered?: string;
}

export interface EngineShape {
  engine: {
    status: 'running' | 'restarting' | 'stopped';
    /** New engine processes that answered since this window opened. */
    restarts: number;
    notice?: EngineNotice;
    onEvent(e: EngineEventMessage): void;
    /** Kills the engine process, whatever it is doing, and starts a new one. */
    restart(): void;
    dismiss(): void;
  };
}

/** How the notice names a lost request (the model, preview and machine's info are re-read instead). */
const JOB_NAMES: Partial<Record<ServiceMethod, string>> = {
  quantizeModel: 'the quantization',
  compareModels: 'the comparison',
  benchModel: 'the comparison',
  exportModel: 'the export',
  evaluate: 'the evaluation',
  runModel: 'the run',
  demo: 'the demo report',
};

export const lostJobs = (methods: readonly ServiceMethod[] = []): string[] => [...new Set(methods.map((m) => JOB_NAMES[m]).filter((n): n is string => !!n))];

const lostWithEngine = (code: string | undefined) => code === 'E_ENGINE';

export const createEngineSlice =
  (deps: StoreDeps): Slice<EngineShape> =>
  (set, get) => {
    const patch = (p: Partial<EngineShape['engine']>) => set({ engine: { ...get().engine, ...p } });

    /** Brings the new engine up to where the window is: the model, the preview, the machine. */
    const recover = async (): Promise<string> => {
      const s = get();
      const done: string[] = [];
      const ref = s.model.ref;
      if (ref) {
        await s.model.reload();
        done.push(get().model.status === 'ready' ? `${ref.name} was reloaded` : `${ref.name} could not be reloaded (see the model screen)`);
      }
      const c = get().calibration;
      if (c.data && (c.previewStatus === 'loading' || (c.previewStatus === 'error' && lostWithEngine(c.previewError?.code)))) await c.loadPreview();
      if (!c.runtime) {
        // Only the machine's info: the reduce-range choice on the form stays the user's.
        try {
          const runtime = await deps.call('runtimeInfo', undefined);
          set({ calibration: { ...get().calibration, runtime } });
        } catch {
          // The details panel keeps saying it is asking.
        }
      }
      return `A new engine process is running${done.length ? `: ${done.join(', ')}` : ''}; your settings are kept.`;
    };

    return {
      engine: {
        status: 'running',
        restarts: 0,
        onEvent: (e) => {
          if (e.event === 'engine-exit') {
            const lost = lostJobs(e.lost);
            patch({ status: e.restarting ? 'restarting' : 'stopped', notice: { title: 'The engine process stopped', message: e.message, lost } });
            return;
          }
          patch({ status: 'running', restarts: get().engine.restarts + 1 });
          void recover().then((recovered) => {
            const notice = get().engine.notice;
            const message = (notice?.message ?? e.message).replace(/ A new engine process is starting\.$/, '');
            patch({ notice: { title: 'The engine was restarted', message, lost: notice?.lost ?? [], recovered } });
          });
        },
        restart: () => {
          patch({ status: 'restarting', notice: { title: 'Restarting the engine', message: 'A new engine process is starting.', lost: [] } });
          deps.restartEngine();
        },
        dismiss: () => patch({ notice: undefined }),
      },
    };
  };
