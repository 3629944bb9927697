// From what a user types (`--data DATA --labels L --size 28,28 --gray --mean ...`) to an opened
// Dataset checked against the model's input. Preprocessing not given on the command line defaults
// to what a QDQ model recorded in its metadata (quantize writes it), so `qwb eval model.int8.onnx`
// needs no flags.

import * as fs from 'node:fs';

import { checkAgainstModelInput, openDataset, type Dataset, type DatasetSpec, type PreprocessSpec } from '../data';
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

/** The preprocessing a model recorded (quantize writes it), or {}. */
export function recordedPreprocess(model: Model): PreprocessOptions {
  const text = model.metadata[METADATA_PREPROCESS];
  if (!text) return {};
  try {
    const v = JSON.parse(text) as PreprocessOptions;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
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

/** Opens the data and checks it against the model's single input before any work. */
export async function openModelData(
  model: Model,
  file: string,
  labels: string | undefined,
  preprocess: PreprocessSpec,
  sample: { count?: number; seed?: number },
): Promise<Dataset> {
  if (model.graph.inputs.length !== 1) throw new QwbError('E_USAGE', `the model has ${model.graph.inputs.length} inputs; data sets feed single-input models`);
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
