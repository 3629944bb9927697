// A small in-code conv net (Conv+BN+Relu, MaxPool, residual Add+Relu, GAP, Flatten, Gemm) over
// 28x28 gray input, and paths to the Fashion-MNIST files, for the quantizer tests.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { saveModel } from '../../engine/onnx/save';
import { makeTensor } from '../../engine/ir/tensor';
import { IrBuilder, int, ints } from '../engine/ir-builder';

export const FMNIST = '/usr/share/datasets/fashion-mnist';
export const TEST_IMAGES = path.join(FMNIST, 't10k-images-idx3-ubyte.gz');
export const TEST_LABELS = path.join(FMNIST, 't10k-labels-idx1-ubyte.gz');
export const TRAIN_IMAGES = path.join(FMNIST, 'train-images-idx3-ubyte.gz');
export const DEMO_MODEL = path.resolve(__dirname, '..', '..', '..', 'assets', 'demo', 'fashion_resnet.onnx');

export function smallConvNet(file: string): string {
  const b = new IrBuilder(13);
  b.input('input', ['N', 1, 28, 28]);
  b.rand('w1', [8, 1, 3, 3], -0.5, 0.5);
  b.rand('b1', [8], -0.1, 0.1);
  b.init('bn_scale', makeTensor('float32', [8], [1, 0.9, 1.1, 1.2, 0.8, 1, 1.05, 0.95]));
  b.init('bn_bias', makeTensor('float32', [8], [0.1, 0, -0.1, 0.05, 0, 0.02, -0.03, 0]));
  b.init('bn_mean', makeTensor('float32', [8], [0, 0.1, -0.1, 0, 0.05, 0, 0, 0.02]));
  b.init('bn_var', makeTensor('float32', [8], [1, 1.2, 0.8, 1, 1, 0.9, 1.1, 1]));
  b.rand('w2', [8, 8, 3, 3], -0.3, 0.3);
  b.rand('b2', [8], -0.1, 0.1);
  b.rand('w3', [8, 8, 3, 3], -0.3, 0.3);
  b.rand('b3', [8], -0.1, 0.1);
  b.rand('fc_w', [10, 8], -1, 1);
  b.rand('fc_b', [10], -0.1, 0.1);
  const pads = { pads: ints([1, 1, 1, 1]) };
  b.node('Conv', ['input', 'w1', 'b1'], ['c1'], pads, 'conv1');
  b.node('BatchNormalization', ['c1', 'bn_scale', 'bn_bias', 'bn_mean', 'bn_var'], ['bn1'], {}, 'bn1');
  b.node('Relu', ['bn1'], ['r1'], {}, 'relu1');
  b.node('MaxPool', ['r1'], ['p1'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, 'pool1');
  b.node('Conv', ['p1', 'w2', 'b2'], ['c2'], pads, 'conv2');
  b.node('Relu', ['c2'], ['r2'], {}, 'relu2');
  b.node('Conv', ['r2', 'w3', 'b3'], ['c3'], pads, 'conv3');
  b.node('Add', ['c3', 'p1'], ['s'], {}, 'add');
  b.node('Relu', ['s'], ['r3'], {}, 'relu3');
  b.node('GlobalAveragePool', ['r3'], ['g'], {}, 'gap');
  b.node('Flatten', ['g'], ['f'], { axis: int(1) }, 'flatten');
  b.node('Gemm', ['f', 'fc_w', 'fc_b'], ['logits'], { transB: int(1) }, 'fc');
  b.output('logits');
  fs.writeFileSync(file, saveModel(b.model));
  return file;
}
