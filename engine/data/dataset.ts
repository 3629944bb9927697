// openDataset: a DatasetSpec + PreprocessSpec + SampleSpec -> a Dataset that streams NCHW float32
// batches. Opening reads headers (and labels) only; batches() reads items as it goes.

import { DataError, throwIfAborted } from './errors';
import { planPreprocess, writeItem } from './preprocess';
import { checkSample, selectIndices } from './sample';
import { openFolderSource } from './sources/folder-source';
import { openIdxSource } from './sources/idx-source';
import { openNpySource } from './sources/npy-source';
import type { Source } from './sources/source';
import type { Batch, Dataset, DatasetSpec, PreprocessSpec, SampleSpec } from './types';

function need(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new DataError('DATA_SPEC', `data: ${what} must be a path, got ${JSON.stringify(v)}`);
  return v;
}

async function openSource(spec: DatasetSpec, pre: PreprocessSpec): Promise<Source> {
  switch (spec?.kind) {
    case 'idx':
      return openIdxSource(need(spec.images, 'idx images'), spec.labels);
    case 'npy':
      return openNpySource(need(spec.data, 'npy data'), spec.labels, spec.layout);
    case 'folder':
      return openFolderSource(need(spec.root, 'folder root'), pre.size);
    default:
      throw new DataError('DATA_SPEC', `data: unknown dataset kind ${JSON.stringify((spec as { kind?: unknown })?.kind)}; expected 'idx', 'npy' or 'folder'`);
  }
}

export async function openDataset(spec: DatasetSpec, preprocess: PreprocessSpec = {}, sample: SampleSpec = {}): Promise<Dataset> {
  checkSample(sample);
  const src = await openSource(spec, preprocess);
  const plan = planPreprocess(preprocess, src.shape, src.path);
  if (src.total === 0) throw new DataError('DATA_EMPTY', `data: ${src.path} holds no items`);
  if (plan.outH < 1 || plan.outW < 1) throw new DataError('DATA_SHAPE', `data: ${src.path} has ${plan.outH}x${plan.outW} items; expected a non-empty image`);
  const indices = selectIndices(src.total, sample);
  const itemDims: [number, number, number] = [plan.outC, plan.outH, plan.outW];
  const itemSize = plan.outC * plan.outH * plan.outW;

  async function* batches(batchSize: number, signal?: AbortSignal): AsyncGenerator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError('DATA_SPEC', `data: batch size must be an integer >= 1, got ${batchSize}`);
    throwIfAborted(signal, src.path);
    let data = new Float32Array(Math.min(batchSize, indices.length) * itemSize);
    let idx: number[] = [];
    const flush = (): Batch => {
      const n = idx.length;
      const b: Batch = { data: n * itemSize === data.length ? data : data.slice(0, n * itemSize), dims: [n, ...itemDims], indices: idx };
      if (src.labels) b.labels = Int32Array.from(idx, (i) => src.labels![i]);
      return b;
    };
    for await (const item of src.read(indices)) {
      throwIfAborted(signal, src.path);
      writeItem(item, plan, data, idx.length * itemSize, src.path);
      idx.push(item.index);
      if (idx.length === batchSize) {
        yield flush();
        idx = [];
        data = new Float32Array(Math.min(batchSize, indices.length) * itemSize);
      }
    }
    throwIfAborted(signal, src.path);
    if (idx.length > 0) yield flush();
  }

  return {
    source: src.path,
    count: indices.length,
    total: src.total,
    itemDims,
    hasLabels: src.labels !== undefined,
    classes: src.classes,
    batches,
  };
}
