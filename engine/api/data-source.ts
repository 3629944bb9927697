// From what a user types (`--data DATA --labels L --size 28,28 --gray --mean ...`) to an opened
// Dataset checked against the model's input. Preprocessing not given on the command line defaults
// to what a QDQ model recorded in its metadata (quantize writes it), so `qwb eval model.int8.onnx`
// needs no flags.

import * as fs from 'node:fs';

import { checkAgainstModelInput, LABELS_ARRAY, openDataset, openTensorSet, type Dataset, type DatasetSpec, type PreprocessSpec, type TensorSetSpec } from '../data';
import type { Model } from '../ir/graph';
import { METADATA_PREPROCESS } from '../quant/qdq-writer';
import type { PreprocessOptions } from './contract';
import { QwbError, toQwbError } from './errors';

/** IDX file, .npy array or image folder, decided by what the path is. */
export function datasetSpecFor(file: string, labels?: string): DatasetSpec {
  let isDir = false;
  try {
    isDir = fs.statSync(file).isDirectory();
  } catch {
    // A missing path is reported by openDataset, naming the file.
  }
  if (isDir) {
    if (labels) throw new QwbError('E_USAGE', `${file} is a folder: its labels come from class subfolders, not from ${labels}`);
    return { kind: 'folder', root: file };
  }
  if (/\.npy$/i.test(file)) return { kind: 'npy', data: file, labels };
  return { kind: 'idx', images: file, labels };
}

/** The preprocessing a model recorded (quantize writes it), or {}. Parsed strictly: a malformed
 *  entry once made eval run unnormalised (93% -> 13%) without a word, so it is an error naming the
 *  key. */
export function recordedPreprocess(model: Model): PreprocessOptions {
  const text = model.metadata[METADATA_PREPROCESS];
  if (text === undefined) return {};
  const bad = (what: string): never => {
    throw new QwbError('E_MODEL', `${model.path ?? 'the model'}: metadata '${METADATA_PREPROCESS}' ${what}; re-quantize the model or pass the preprocessing flags`);
  };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    bad(`is not JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad('is not an object');
  const o = v as Record<string, unknown>;
  const out: PreprocessOptions = {};
  const numbers = (key: string, positive: boolean): number[] | undefined => {
    const a = o[key];
    if (a === undefined) return undefined;
    if (!Array.isArray(a) || (a.length !== 1 && a.length !== 3) || !a.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      bad(`key "${key}" = ${JSON.stringify(a)}: expected 1 or 3 finite numbers${positive ? ' > 0' : ''}`);
    }
    return a as number[];
  };
  for (const key of Object.keys(o)) if (!['size', 'mean', 'std', 'color'].includes(key)) bad(`has an unknown key "${key}"`);
  if (o.size !== undefined) {
    const sz = o.size;
    if (!Array.isArray(sz) || sz.length !== 2 || !sz.every((x) => Number.isInteger(x) && x > 0 && x <= 1 << 16)) bad(`key "size" = ${JSON.stringify(sz)}: expected [height, width] in pixels`);
    out.size = [(sz as number[])[0], (sz as number[])[1]];
  }
  if (o.color !== undefined) {
    if (o.color !== 'gray' && o.color !== 'rgb' && o.color !== 'bgr') bad(`key "color" = ${JSON.stringify(o.color)}: expected "gray", "rgb" or "bgr"`);
    out.color = o.color as PreprocessOptions['color'];
  }
  const mean = numbers('mean', false);
  const std = numbers('std', true);
  if (mean) out.mean = mean;
  if (std) out.std = std;
  return out;
}

/** Flags over the model's recorded preprocessing. */
export function resolvePreprocess(model: Model, given: PreprocessOptions = {}): PreprocessSpec {
  const rec = recordedPreprocess(model);
  const out: PreprocessSpec = {};
  const size = given.size ?? rec.size;
  const color = given.color ?? rec.color;
  const mean = given.mean ?? rec.mean;
  const std = given.std ?? rec.std;
  if (size) out.size = [size[0], size[1]];
  if (color) out.color = color;
  if (mean) out.mean = [...mean];
  if (std) out.std = [...std];
  return out;
}

/** Rethrows a failure while reading data as the service's error (E_DATA unless cancelled). */
function dataError(e: unknown): never {
  throw toQwbError(e, 'E_DATA');
}

/** A tensor set for DATA when it names one: an .npz (one array per input), `NAME=FILE[,NAME=FILE]`
 *  (one .npy per input), or a single .npy for a model whose one input is not float32 (token ids). */
export function tensorSetSpecFor(model: Model, file: string, labels?: string): TensorSetSpec | undefined {
  const inputs = model.graph.inputs;
  if (/^[^=,]+=/.test(file)) {
    const files: Record<string, string> = {};
    for (const part of file.split(',')) {
      const m = /^([^=]+)=(.+)$/.exec(part);
      if (!m) throw new QwbError('E_USAGE', `data '${file}': '${part}' is not NAME=FILE`);
      files[m[1]] = m[2];
    }
    if (labels) files[LABELS_ARRAY] = labels;
    return { kind: 'arrays', files };
  }
  if (/\.npz$/i.test(file)) {
    if (labels) throw new QwbError('E_USAGE', `${file}: an .npz carries its labels as an array named '${LABELS_ARRAY}'; drop --labels ${labels}`);
    return { kind: 'npz', file };
  }
  if (inputs.length === 1 && inputs[0].dtype !== 'float32' && /\.npy$/i.test(file)) {
    return { kind: 'arrays', files: { [inputs[0].name]: file, ...(labels ? { [LABELS_ARRAY]: labels } : {}) } };
  }
  return undefined;
}

/** Opens the data and checks it against the model's inputs before any work: images for a
 *  single-input image model, a tensor set (tensorSetSpecFor) for any model. */
export async function openModelData(
  model: Model,
  file: string,
  labels: string | undefined,
  preprocess: PreprocessSpec,
  sample: { count?: number; seed?: number },
): Promise<Dataset> {
  const set = tensorSetSpecFor(model, file, labels);
  if (set) {
    try {
      return await openTensorSet(set, model.graph.inputs.map((v) => ({ name: v.name, dtype: v.dtype, dims: v.shape })), sample);
    } catch (e) {
      dataError(e);
    }
  }
  if (model.graph.inputs.length !== 1) {
    const names = model.graph.inputs.map((v) => v.name).join(', ');
    throw new QwbError('E_USAGE', `the model has ${model.graph.inputs.length} inputs (${names}): give an .npz with one array per input, or NAME=FILE,NAME=FILE (one .npy each)`);
  }
  const input = model.graph.inputs[0];
  let ds: Dataset;
  try {
    ds = await openDataset(datasetSpecFor(file, labels), preprocess, sample);
    checkAgainstModelInput(ds, input.shape ?? [], input.name);
  } catch (e) {
    dataError(e);
  }
  return ds;
}

export { dataError };
