// Exports: the .so (of the INT8 model when there is one, else the FP32 model), the QDQ ONNX, and the
// comparison as JSON and CSV, each into the folder the user chose, each with its own progress,
// result (files, sizes, usage snippet, browser-mode download) or error.

import type { ExportRequest, ExportResult } from '../../../engine/api/contract';
import { baseName, joinPath, type StoreDeps } from './deps';
import { toUiError, type UiError } from './errors';
import type { Slice } from './types';

export type ExportFormat = ExportRequest['format'];

export interface ExportJob {
  status: 'idle' | 'running' | 'done' | 'error';
  stage?: string;
  done?: number;
  total?: number;
  result?: ExportResult;
  error?: UiError;
}

export interface ExportShape {
  export: {
    folder: string;
    maxBatch: string;
    jobs: Record<ExportFormat, ExportJob>;
    setFolder(folder: string): void;
    setMaxBatch(v: string): void;
    /** `force`: replace artifact files already in the folder (asked first: E_EXISTS). */
    start(format: ExportFormat, force?: boolean): Promise<void>;
    reset(): void;
  };
}

const idle = (): Record<ExportFormat, ExportJob> => ({ so: { status: 'idle' }, qdq: { status: 'idle' }, json: { status: 'idle' }, csv: { status: 'idle' } });

export const createExportSlice =
  (deps: StoreDeps): Slice<ExportShape> =>
  (set, get) => {
    const patchJob = (f: ExportFormat, p: ExportJob) => set({ export: { ...get().export, jobs: { ...get().export.jobs, [f]: p } } });
    return {
      export: {
        folder: '',
        maxBatch: '64',
        jobs: idle(),
        setFolder: (folder) => set({ export: { ...get().export, folder } }),
        setMaxBatch: (maxBatch) => set({ export: { ...get().export, maxBatch } }),
        start: async (format, force) => {
          const s = get();
          const fp32 = s.model.ref?.path;
          const int8 = s.run.result?.outPath;
          const fail = (e: unknown) => patchJob(format, { status: 'error', error: toUiError(`Exporting ${format === 'so' ? 'the .so' : format.toUpperCase()}`, e) });
          if (!fp32) return fail(new Error('Open a model first'));
          const folder = s.export.folder.trim() || joinPath(deps.session.exportDir, baseName(fp32).replace(/\.onnx$/i, ''));
          const req: ExportRequest = { modelPath: format === 'so' ? (int8 ?? fp32) : format === 'qdq' ? (int8 ?? '') : fp32, format, out: folder, ...(force ? { force } : {}) };
          if (format === 'qdq' && !int8) return fail(new Error('Quantize the model first: the QDQ ONNX is the INT8 model'));
          if (format === 'so') {
            const mb = Number(s.export.maxBatch);
            if (!Number.isInteger(mb) || mb < 1) return fail(new Error(`Largest batch: a whole number >= 1, got '${s.export.maxBatch}'`));
            req.maxBatch = mb;
          }
          if (format === 'json' || format === 'csv') {
            if (!s.compare.result) return fail(new Error('Run the comparison first (Compare screen)'));
            req.comparison = s.compare.result;
          }
          if (!s.export.folder.trim()) set({ export: { ...get().export, folder } });
          patchJob(format, { status: 'running', stage: 'starting' });
          try {
            const result = await deps.call('exportModel', req, { onProgress: (p) => patchJob(format, { status: 'running', stage: p.stage, done: p.done, total: p.total }) });
            patchJob(format, { status: 'done', result });
          } catch (e) {
            fail(e);
          }
        },
        reset: () => set({ export: { ...get().export, folder: '', jobs: idle() } }),
      },
    };
  };
