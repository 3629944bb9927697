// MaxPool / AveragePool (ceil_mode, count_include_pad, dilations, auto_pad) and the global pools
// against onnxruntime.

import { opCases, type OpCase } from '../helpers/op-case';
import type { AttrInput } from '../helpers/onnx-builder';

function pool(op: string, label: string, x: number[], attrs: Record<string, AttrInput>, opset = 13): OpCase {
  return { label: `${op} ${label}`, opset, inputs: { x }, outputs: ['y'], build: (b) => void b.node(op, ['x'], ['y'], attrs) };
}

opCases([
  pool('MaxPool', '2x2 stride 2', [1, 3, 8, 8], { kernel_shape: [2, 2], strides: [2, 2] }),
  pool('MaxPool', '3x3 pads 1 stride 2', [1, 2, 9, 9], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  pool('MaxPool', 'ceil_mode', [1, 2, 7, 8], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
  pool('MaxPool', 'dilations', [1, 1, 9, 9], { kernel_shape: [2, 2], dilations: [2, 2] }),
  pool('MaxPool', 'SAME_UPPER', [1, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }),
  pool('MaxPool', '1-D', [2, 3, 10], { kernel_shape: [3], strides: [2], pads: [1, 1] }),
  pool('MaxPool', '3-D', [1, 2, 4, 6, 6], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }),
  pool('AveragePool', 'exclude pad', [1, 2, 7, 7], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
  pool('AveragePool', 'include pad', [1, 2, 7, 7], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }),
  pool('AveragePool', 'ceil_mode exclude pad', [1, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
  pool('AveragePool', 'ceil_mode include pad, no pads', [1, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 }),
  pool('AveragePool', 'ceil_mode include pad with pads', [1, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }),
  pool('AveragePool', 'dilations', [1, 1, 9, 9], { kernel_shape: [3, 3], dilations: [2, 2] }, 19),
  pool('AveragePool', 'SAME_LOWER', [1, 2, 6, 6], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' }),
  pool('GlobalAveragePool', '2-D', [2, 5, 6, 7], {}),
  pool('GlobalMaxPool', '2-D', [1, 5, 6, 7], {}),
  pool('GlobalAveragePool', '1-D', [1, 3, 9], {}),
]);
