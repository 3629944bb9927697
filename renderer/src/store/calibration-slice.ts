// The calibration wizard: data (the bundled sample or a path, with its preview), preprocessing
// (text fields, parsed when used, with the preprocessed tensor's range from the preview), and the
// quantization mode (method and options, reduce range preset from the CPU).

import type { DataPreview, PreprocessOptions, QuantizeRequest, RuntimeInfo } from '../../../engine/api/contract';
import type { StoreDeps } from './deps';
import { toUiError, type UiError } from './errors';
import { reduceRangePreset } from './reduce-range';
import type { AppState, Slice } from './types';

export type CalibrationStep = 'data' | 'preprocess' | 'mode' | 'run';
export const CALIBRATION_STEPS: readonly CalibrationStep[] = ['data', 'preprocess', 'mode', 'run'];
export type Method = NonNullable<QuantizeRequest['method']>;

export interface PreprocessFields {
  /** "H,W" or '' (keep the data's size). */
  size: string;
  color: '' | 'gray' | 'rgb' | 'bgr';
  mean: string;
  std: string;
}

export interface ModeOptions {
  method: Method;
  percentile: string;
  thresholdsFile: string;
  calibCount: string;
  perChannel: boolean;
  symmetric: boolean;
  reduceRange: boolean;
  reduceRangeReason: string;
  /** Node names kept in FP32. */
  exclude: string[];
}

export interface CalibrationShape {
  calibration: {
    step: CalibrationStep;
    source: 'sample' | 'path';
    data: string;
    labels: string;
    preprocess: PreprocessFields;
    mode: ModeOptions;
    preview?: DataPreview;
    previewStatus: 'idle' | 'loading' | 'ready' | 'error';
    previewError?: UiError;
    runtime?: RuntimeInfo;
    setStep(step: CalibrationStep): void;
    next(): void;
    back(): void;
    useSample(): Promise<void>;
    usePath(data: string, labels?: string): void;
    setPreprocess(p: Partial<PreprocessFields>): void;
    setMode(m: Partial<ModeOptions>): void;
    loadPreview(): Promise<void>;
    presetForModel(): void;
    loadRuntime(): Promise<void>;
    reset(): void;
  };
}

const numbers = (text: string, what: string): number[] | undefined => {
  if (!text.trim()) return undefined;
  const v = text.split(/[,\s]+/).filter(Boolean).map(Number);
  if (v.some((x) => !Number.isFinite(x))) throw new Error(`${what}: '${text}' is not a list of numbers (e.g. 0.485, 0.456, 0.406)`);
  return v;
};

/** The preprocessing fields as the engine's options; throws a readable error on bad text. */
export function parsePreprocess(p: PreprocessFields): PreprocessOptions {
  const out: PreprocessOptions = {};
  const size = numbers(p.size, 'Size');
  if (size) {
    if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`Size: give height and width as two whole numbers (e.g. 224, 224), got '${p.size}'`);
    out.size = [size[0], size[1]];
  }
  if (p.color) out.color = p.color;
  const mean = numbers(p.mean, 'Mean');
  const std = numbers(p.std, 'Std');
  if (mean) out.mean = mean;
  if (std) {
    if (std.some((s) => s === 0)) throw new Error('Std: a standard deviation of 0 would divide by zero');
    out.std = std;
  }
  return out;
}

const DEFAULT_PREPROCESS: PreprocessFields = { size: '', color: '', mean: '', std: '' };

function defaultMode(runtime?: RuntimeInfo): ModeOptions {
  const rr = reduceRangePreset(runtime);
  return { method: 'minmax', percentile: '99.99', thresholdsFile: '', calibCount: '256', perChannel: true, symmetric: false, reduceRange: rr.on, reduceRangeReason: rr.reason, exclude: [] };
}

/** The request the run step sends (without outPath), from the model and the wizard's choices. */
export function quantizeRequest(s: AppState): Omit<QuantizeRequest, 'outPath'> {
  const c = s.calibration;
  const m = c.mode;
  const count = Number(m.calibCount);
  if (!Number.isInteger(count) || count < 1) throw new Error(`Calibration samples: a whole number >= 1, got '${m.calibCount}'`);
  const req: Omit<QuantizeRequest, 'outPath'> = {
    modelPath: s.model.ref!.path,
    method: m.method,
    calibCount: count,
    perTensor: !m.perChannel,
    symmetric: m.symmetric,
    reduceRange: m.reduceRange,
    exclude: m.exclude,
    preprocess: parsePreprocess(c.preprocess),
  };
  if (m.method !== 'custom') {
    if (!c.data) throw new Error('Data: choose calibration data first');
    req.calib = c.data;
    if (c.labels) req.calibLabels = c.labels;
  }
  if (m.method === 'percentile') {
    const p = Number(m.percentile);
    if (!(p > 0 && p <= 100)) throw new Error(`Percentile: a number in (0, 100], got '${m.percentile}'`);
    req.percentile = p;
  }
  if (m.method === 'custom') {
    if (!m.thresholdsFile) throw new Error('Thresholds file: give the path of a thresholds JSON file');
    req.thresholdsFile = m.thresholdsFile;
  }
  return req;
}

export const createCalibrationSlice =
  (deps: StoreDeps): Slice<CalibrationShape> =>
  (set, get) => {
    const patch = (p: Partial<CalibrationShape['calibration']>) => set({ calibration: { ...get().calibration, ...p } });
    const move = (d: number) => {
      const i = CALIBRATION_STEPS.indexOf(get().calibration.step) + d;
      if (i >= 0 && i < CALIBRATION_STEPS.length) patch({ step: CALIBRATION_STEPS[i] });
    };
    let previewSeq = 0;
    return {
      calibration: {
        step: 'data',
        source: 'path',
        data: '',
        labels: '',
        preprocess: { ...DEFAULT_PREPROCESS },
        mode: defaultMode(),
        previewStatus: 'idle',
        setStep: (step) => patch({ step }),
        next: () => move(1),
        back: () => move(-1),
        useSample: async () => {
          patch({ source: 'sample', preview: undefined, previewStatus: 'loading', previewError: undefined });
          let demo = get().model.demo;
          if (!demo) {
            try {
              demo = await deps.call('demoInfo', undefined);
            } catch (e) {
              patch({ previewStatus: 'error', previewError: toUiError('Finding the bundled sample', e) });
              return;
            }
            set({ model: { ...get().model, demo } });
          }
          patch({ source: 'sample', data: demo.images, labels: demo.labels, preprocess: { ...get().calibration.preprocess, mean: demo.mean.join(', '), std: demo.std.join(', ') } });
          await get().calibration.loadPreview();
        },
        usePath: (data, labels = '') => patch({ source: 'path', data, labels, preview: undefined, previewStatus: 'idle', previewError: undefined }),
        setPreprocess: (p) => patch({ preprocess: { ...get().calibration.preprocess, ...p } }),
        setMode: (m) => patch({ mode: { ...get().calibration.mode, ...m } }),
        loadPreview: async () => {
          const c = get().calibration;
          if (!c.data) return;
          const seq = ++previewSeq;
          let preprocess: PreprocessOptions;
          try {
            preprocess = parsePreprocess(c.preprocess);
          } catch (e) {
            patch({ previewStatus: 'error', previewError: toUiError('Reading the preprocessing', e) });
            return;
          }
          patch({ previewStatus: 'loading', previewError: undefined });
          const demo = get().model.demo;
          try {
            const preview = await deps.call('previewData', {
              data: c.data,
              labels: c.labels || undefined,
              modelPath: get().model.ref?.path,
              preprocess,
              samples: 12,
              statsSamples: 256,
              classNames: demo && c.data === demo.images ? demo.classes : undefined,
            });
            if (seq === previewSeq) patch({ preview, previewStatus: 'ready' });
          } catch (e) {
            if (seq === previewSeq) patch({ preview: undefined, previewStatus: 'error', previewError: toUiError(`Reading ${c.data}`, e) });
          }
        },
        presetForModel: () => {
          // Size from a static [N, C, H, W] input; colour from its channel count.
          const input = get().model.summary?.inputs[0];
          const dims = input?.shape;
          const pre = { ...DEFAULT_PREPROCESS };
          if (dims && dims.length === 4 && typeof dims[2] === 'number' && typeof dims[3] === 'number' && dims[2] > 0 && dims[3] > 0) pre.size = `${dims[2]}, ${dims[3]}`;
          if (dims && dims.length === 4 && (dims[1] === 1 || dims[1] === 3)) pre.color = dims[1] === 1 ? 'gray' : 'rgb';
          patch({ preprocess: pre });
        },
        loadRuntime: async () => {
          try {
            const runtime = await deps.call('runtimeInfo', undefined);
            const rr = reduceRangePreset(runtime);
            patch({ runtime, mode: { ...get().calibration.mode, reduceRange: rr.on, reduceRangeReason: rr.reason } });
          } catch {
            // The preset keeps its safe default and its reason says the CPU is unknown.
          }
        },
        reset: () => {
          const runtime = get().calibration.runtime;
          const rr = reduceRangePreset(runtime);
          patch({ step: 'data', source: 'path', data: '', labels: '', preprocess: { ...DEFAULT_PREPROCESS }, mode: { ...defaultMode(runtime), reduceRange: rr.on }, preview: undefined, previewStatus: 'idle', previewError: undefined });
        },
      },
    };
  };
