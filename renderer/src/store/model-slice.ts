// The open model: its summary and layer table from the engine, and the recent models list.
// Opening a model resets everything downstream (calibration, run, comparison, exports).

import type { DemoInfo, LayerRow, ModelSummary } from '../../../engine/api/contract';
import { baseName, type StoreDeps } from './deps';
import { toUiError, type UiError } from './errors';
import type { Slice } from './types';

export interface ModelRef {
  path: string;
  name: string;
  /** demo: the bundled model; file: picked or dropped; path: typed. Uploads are not kept as
   *  recent (they live in this launch's workspace only). */
  source: 'demo' | 'file' | 'path' | 'upload';
}

export interface ModelShape {
  model: {
    ref?: ModelRef;
    summary?: ModelSummary;
    layers?: LayerRow[];
    status: 'idle' | 'loading' | 'ready' | 'error';
    error?: UiError;
    recent: ModelRef[];
    demo?: DemoInfo;
    open(ref: ModelRef): Promise<void>;
    /** Reads the open model again (a new engine process): nothing downstream is reset. */
    reload(): Promise<void>;
    openDemo(): Promise<void>;
    forget(path: string): void;
  };
}

const RECENT_KEY = 'qwb.recent';
const RECENT_MAX = 8;

export const isDemo = (s: { model: { ref?: ModelRef; demo?: DemoInfo } }): boolean => !!s.model.demo && s.model.ref?.path === s.model.demo.modelPath;

export const createModelSlice =
  (deps: StoreDeps): Slice<ModelShape> =>
  (set, get) => {
    const patch = (p: Partial<ModelShape['model']>) => set({ model: { ...get().model, ...p } });
    const loaded = deps.persist.load(RECENT_KEY);
    const recent = Array.isArray(loaded) ? (loaded as ModelRef[]).filter((r) => r && typeof r.path === 'string').slice(0, RECENT_MAX) : [];
    const remember = (ref: ModelRef) => {
      if (ref.source === 'upload') return;
      const list = [ref, ...get().model.recent.filter((r) => r.path !== ref.path)].slice(0, RECENT_MAX);
      patch({ recent: list });
      deps.persist.save(RECENT_KEY, list);
    };
    const load = async (ref: ModelRef): Promise<boolean> => {
      try {
        const [summary, table] = await Promise.all([deps.call('inspectModel', { path: ref.path }), deps.call('modelLayers', { path: ref.path })]);
        if (get().model.ref !== ref) return false; // another model was opened meanwhile
        patch({ summary, layers: table.layers, status: 'ready', error: undefined });
        return true;
      } catch (e) {
        if (get().model.ref === ref) patch({ status: 'error', error: toUiError(`Opening ${ref.name}`, e) });
        return false;
      }
    };
    return {
      model: {
        status: 'idle',
        recent,
        open: async (ref) => {
          get().calibration.reset();
          get().run.reset();
          get().compare.reset();
          get().export.reset();
          patch({ ref, status: 'loading', summary: undefined, layers: undefined, error: undefined });
          if (await load(ref)) {
            remember(ref);
            get().calibration.presetForModel();
          }
        },
        reload: async () => {
          const ref = get().model.ref;
          if (!ref) return;
          // The summary on screen stays until the new one arrives (no flash of an empty screen).
          if (get().model.status !== 'ready') patch({ status: 'loading', error: undefined });
          await load(ref);
        },
        openDemo: async () => {
          let demo = get().model.demo;
          if (!demo) {
            try {
              demo = await deps.call('demoInfo', undefined);
            } catch (e) {
              patch({ status: 'error', error: toUiError('Loading the demo model', e) });
              return;
            }
            patch({ demo });
          }
          await get().model.open({ path: demo.modelPath, name: baseName(demo.modelPath), source: 'demo' });
        },
        forget: (path) => {
          const list = get().model.recent.filter((r) => r.path !== path);
          patch({ recent: list });
          deps.persist.save(RECENT_KEY, list);
        },
      },
    };
  };
