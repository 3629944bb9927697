// Where the demo's files are: the bundled model, its 1,000-image labelled sample and normalisation
// (assets/demo/demo.json), and Debian's full Fashion-MNIST (package dataset-fashion-mnist), which the
// demo and tools/accuracy calibrate on. One place, so `qwb demo`, the accuracy table and the tests
// all measure the same thing.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { QwbError } from './errors';
import type { Host } from './host';

/** Issue 3's calibration set: 512 images of the training set, drawn with a fixed seed. */
export const DEMO_CALIB_COUNT = 512;
export const DEMO_CALIB_SEED = 20261122;

/** Where Debian's dataset-fashion-mnist installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface DemoAssets {
  modelPath: string;
  /** The bundled sample (first 1,000 test images). */
  images: string;
  labels: string;
  mean: number[];
  std: number[];
  classes: string[];
  /** PyTorch's top-1 on the sample and on the full test set, as recorded at training time. */
  fp32Top1Sample?: number;
  fp32Top1Full?: number;
}

export async function loadDemoAssets(host: Host): Promise<DemoAssets> {
  const metaPath = host.assetPath('demo/demo.json');
  let meta: {
    model?: string;
    mean: number[];
    std: number[];
    classes: string[];
    sample?: { images?: string; labels?: string };
    fp32_top1_sample?: number;
    fp32_top1_full_test?: number;
  };
  let text: string;
  try {
    text = Buffer.from(await host.readFile(metaPath)).toString('utf8');
  } catch (e) {
    throw new QwbError('E_IO', `demo assets missing: ${(e as Error).message}`);
  }
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new QwbError('E_DATA', `${metaPath}: ${(e as Error).message}`);
  }
  const dir = path.dirname(metaPath);
  return {
    modelPath: path.join(dir, meta.model ?? 'fashion_resnet.onnx'),
    images: path.join(dir, meta.sample?.images ?? 'sample-images-idx3-ubyte.gz'),
    labels: path.join(dir, meta.sample?.labels ?? 'sample-labels-idx1-ubyte.gz'),
    mean: meta.mean,
    std: meta.std,
    classes: meta.classes,
    fp32Top1Sample: meta.fp32_top1_sample,
    fp32Top1Full: meta.fp32_top1_full_test,
  };
}

export interface IdxPair {
  images: string;
  labels: string;
}

/** Debian's Fashion-MNIST split ('train' or 't10k'), or undefined when the package is missing. */
export function fashionMnist(split: 'train' | 't10k', dir = FASHION_MNIST_DIR): IdxPair | undefined {
  const images = path.join(dir, `${split}-images-idx3-ubyte.gz`);
  const labels = path.join(dir, `${split}-labels-idx1-ubyte.gz`);
  return fs.existsSync(images) && fs.existsSync(labels) ? { images, labels } : undefined;
}
