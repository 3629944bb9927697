// Tensor sets: data for models whose inputs are not images (token ids and attention masks, several
// inputs, integer or bool dtypes). One array per model input, items along dim 0, from an .npz or one
// .npy per input; values converted once to the dtype each input declares, dims checked against the
// model's. Held in memory (such sets are small); batches slice the selected items.

import * as fs from 'node:fs';

import { DataError, throwIfAborted } from './errors';
import { npyAsInput, parseNpy, type NpyArray } from './npy';
import { parseNpz } from './readers/npz';
import { selectIndices } from './sample';
import type { Batch, Dataset, FeedInput, FeedTensor, SampleSpec, TensorSetSpec } from './types';

export const LABELS_ARRAY = 'labels';

async function readArrays(spec: TensorSetSpec): Promise<{ source: string; arrays: Map<string, NpyArray>; files: Map<string, string> }> {
  const read = async (file: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await fs.promises.readFile(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError('DATA_MISSING', `data: ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  };
  const wrap = <T>(file: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new DataError('DATA_FORMAT', `data: ${(e as Error).message.startsWith(file) ? '' : `${file}: `}${(e as Error).message}`);
    }
  };
  if (spec.kind === 'npz') {
    const bytes = await read(spec.file);
    const arrays = wrap(spec.file, () => parseNpz(bytes, spec.file));
    return { source: spec.file, arrays, files: new Map([...arrays.keys()].map((k) => [k, `${spec.file}:${k}.npy`])) };
  }
  const arrays = new Map<string, NpyArray>();
  const files = new Map<string, string>();
  for (const [name, file] of Object.entries(spec.files)) {
    const bytes = await read(file);
    arrays.set(name, wrap(file, () => parseNpy(bytes, file)));
    files.set(name, file);
  }
  return { source: Object.entries(spec.files).map(([k, v]) => `${k}=${v}`).join(','), arrays, files };
}

/** Opens a tensor set for a model with `inputs`; every input needs an array, every array must be an
 *  input (or `labels`), item counts must agree and item dims match the inputs' static dims. */
export async function openTensorSet(spec: TensorSetSpec, inputs: FeedInput[], sample: SampleSpec = {}): Promise<Dataset> {
  const { source, arrays, files } = await readArrays(spec);
  const names = inputs.map((i) => i.name);
  for (const k of arrays.keys()) {
    if (k !== LABELS_ARRAY && !names.includes(k)) {
      throw new DataError('DATA_SHAPE', `data: ${source} has an array '${k}', which is not an input of the model (inputs: ${names.join(', ')}${k === LABELS_ARRAY ? '' : `; class indices go in an array named '${LABELS_ARRAY}'`})`);
    }
  }
  let total = -1;
  const values = new Map<string, { data: FeedTensor['data']; itemDims: number[] }>();
  for (const input of inputs) {
    const arr = arrays.get(input.name);
    if (!arr) throw new DataError('DATA_SHAPE', `data: ${source} has no array for the model input '${input.name}' (arrays: ${[...arrays.keys()].join(', ') || 'none'})`);
    const where = `${files.get(input.name)} (input '${input.name}')`;
    const dims = input.dims;
    if (dims && arr.shape.length !== dims.length) {
      throw new DataError('DATA_SHAPE', `data: ${where} has shape (${arr.shape.join(', ')}); the input has rank ${dims.length} [${dims.join(', ')}], items along dim 0`);
    }
    if (arr.shape.length === 0) throw new DataError('DATA_SHAPE', `data: ${where} is a scalar; items go along dim 0`);
    dims?.forEach((d, i) => {
      if (i > 0 && typeof d === 'number' && d > 0 && arr.shape[i] !== d) {
        throw new DataError('DATA_SHAPE', `data: ${where} has shape (${arr.shape.join(', ')}); the input needs [${dims.join(', ')}] (dim ${i} differs)`);
      }
    });
    if (total >= 0 && arr.shape[0] !== total) throw new DataError('DATA_SHAPE', `data: ${where} has ${arr.shape[0]} items, other inputs have ${total}`);
    total = arr.shape[0];
    let data: FeedTensor['data'];
    try {
      data = npyAsInput(arr, input.dtype, files.get(input.name)!, input.name);
    } catch (e) {
      throw new DataError('DATA_DTYPE', `data: ${(e as Error).message}`);
    }
    values.set(input.name, { data, itemDims: arr.shape.slice(1) });
  }
  let labels: Int32Array | undefined;
  const lab = arrays.get(LABELS_ARRAY);
  if (lab) {
    if (lab.shape.length !== 1 || lab.shape[0] !== total) throw new DataError('DATA_LABELS', `data: ${source}: '${LABELS_ARRAY}' has shape (${lab.shape.join(', ')}); expected (${total},)`);
    labels = Int32Array.from(lab.data as ArrayLike<number>);
  }
  if (total <= 0) throw new DataError('DATA_EMPTY', `data: ${source} holds no items`);
  const indices = selectIndices(total, sample);

  async function* batches(batchSize: number, signal?: AbortSignal): AsyncGenerator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError('DATA_SPEC', `data: batch size must be an integer >= 1, got ${batchSize}`);
    for (let at = 0; at < indices.length; at += batchSize) {
      throwIfAborted(signal, source);
      const idx = indices.slice(at, at + batchSize);
      const feeds: Record<string, FeedTensor> = {};
      for (const [name, v] of values) {
        const per = v.itemDims.reduce((a, b) => a * b, 1);
        const Ctor = v.data.constructor as new (n: number) => FeedTensor['data'];
        const out = new Ctor(idx.length * per);
        idx.forEach((i, k) => (out as Float32Array).set((v.data as Float32Array).subarray(i * per, (i + 1) * per), k * per));
        feeds[name] = { dims: [idx.length, ...v.itemDims], data: out };
      }
      const b: Batch = { data: new Float32Array(0), dims: [idx.length], indices: idx, feeds };
      if (labels) b.labels = Int32Array.from(idx, (i) => labels![i]);
      yield b;
    }
  }

  return {
    source,
    count: indices.length,
    total,
    itemDims: values.get(inputs[0].name)!.itemDims,
    inputs: inputs.map((i) => ({ name: i.name, dtype: i.dtype, itemDims: values.get(i.name)!.itemDims })),
    hasLabels: labels !== undefined,
    batches,
  };
}

/** The model inputs a batch feeds: its tensor-set feeds, or the image batch under `inputName`. */
export function feedsOf(batch: Batch, inputName: string): Record<string, FeedTensor> {
  return batch.feeds ?? { [inputName]: { dims: batch.dims, data: batch.data } };
}
