// previewData: a look at calibration data before a run. Thumbnails of the first items as the model
// sees them before normalisation (resized, colour-converted, scaled to [0, 1]), the labels found,
// and the range of the fully preprocessed tensor (so a wrong mean/std shows before calibrating).

import sharp from 'sharp';

import { checkAgainstModelInput, openDataset, type Dataset, type PreprocessSpec } from '../data';
import type { Model } from '../ir/graph';
import type { DataPreview, DataPreviewRequest, JobOptions } from './contract';
import { dataError, datasetSpecFor, resolvePreprocess } from './data-source';
import { QwbError, throwIfAborted } from './errors';

const THUMB_PX = 96;

async function open(req: DataPreviewRequest, pre: PreprocessSpec, count: number): Promise<Dataset> {
  try {
    return await openDataset(datasetSpecFor(req.data, req.labels), pre, { count });
  } catch (e) {
    dataError(e);
  }
}

/** One CHW float item (values in [0, 1] for 8-bit sources) -> a PNG data URL. */
async function thumbnail(chw: Float32Array, [c, h, w]: [number, number, number], unitRange: boolean): Promise<string> {
  let lo = 0;
  let hi = 1;
  if (!unitRange) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of chw) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) hi = lo + 1;
  }
  const px = new Uint8Array(h * w * c);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) px[i * c + ch] = Math.round(Math.min(1, Math.max(0, (chw[ch * h * w + i] - lo) / (hi - lo))) * 255);
  }
  let img = sharp(px, { raw: { width: w, height: h, channels: c as 1 | 3 } });
  // Small images stay at their size (the window scales them up pixelated); large ones shrink.
  if (Math.max(h, w) > THUMB_PX) img = img.resize({ width: THUMB_PX, height: THUMB_PX, fit: 'inside' });
  const png = await img.png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function previewData(req: DataPreviewRequest, model: Model | undefined, opts: JobOptions = {}): Promise<DataPreview> {
  if (!req.data) throw new QwbError('E_USAGE', 'previewData needs data (a file or folder path)');
  const nThumbs = Math.min(32, Math.max(1, req.samples ?? 8));
  const nStats = Math.max(nThumbs, req.statsSamples ?? 256);
  const full = model ? resolvePreprocess(model, req.preprocess) : resolvePreprocess({ metadata: {} } as unknown as Model, req.preprocess);
  const spec = datasetSpecFor(req.data, req.labels);

  // Thumbnails: the same resize and colour, no normalisation.
  const plain: PreprocessSpec = { size: full.size, color: full.color };
  const thumbsDs = await open(req, plain, nThumbs);
  const names = thumbsDs.classes ?? req.classNames;
  const samples: DataPreview['samples'] = [];
  try {
    for await (const b of thumbsDs.batches(nThumbs, opts.signal)) {
      const item = b.dims[1] * b.dims[2] * b.dims[3];
      for (let i = 0; i < b.dims[0]; i++) {
        const label = b.labels ? b.labels[i] : undefined;
        // float32 .npy data carries its own scale: thumbnails stretch each item to its range.
        const unit = spec.kind !== 'npy';
        samples.push({
          index: b.indices[i],
          label,
          labelName: label !== undefined ? names?.[label] : undefined,
          thumbnail: await thumbnail(b.data.subarray(i * item, (i + 1) * item), thumbsDs.itemDims as [number, number, number], unit),
        });
      }
    }
  } catch (e) {
    dataError(e);
  }
  throwIfAborted(opts.signal, 'preview');

  const ds = await open(req, full, nStats);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let items = 0;
  const counts = new Map<number, number>();
  try {
    for await (const b of ds.batches(64, opts.signal)) {
      for (const v of b.data) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sumSq += v * v;
      }
      n += b.data.length;
      items += b.dims[0];
      if (b.labels) for (const l of b.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  } catch (e) {
    dataError(e);
  }
  const mean = n ? sum / n : 0;
  let problem: string | undefined;
  if (model) {
    const input = model.graph.inputs[0];
    if (model.graph.inputs.length !== 1) problem = `the model has ${model.graph.inputs.length} inputs; calibration data feeds single-input models`;
    else {
      try {
        checkAgainstModelInput(ds, input.shape ?? [], input.name);
      } catch (e) {
        problem = (e as Error).message.replace(/^data: /, '');
      }
    }
  }
  return {
    source: ds.source,
    kind: spec.kind,
    total: ds.total,
    // Image datasets (openDataset) always give [C, H, W]; tensor sets are not previewed.
    itemDims: ds.itemDims as [number, number, number],
    hasLabels: ds.hasLabels,
    samples,
    labels: [...counts].sort((a, b) => a[0] - b[0]).map(([label, count]) => ({ label, name: names?.[label], count })),
    stats: { count: items, min, max, mean, std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0 },
    problem,
  };
}
