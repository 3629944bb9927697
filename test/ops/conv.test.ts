// Conv and ConvTranspose against onnxruntime: groups, depthwise, dilations, pads, every auto_pad,
// strides, 1-D/2-D/3-D, no bias; output_padding, output_shape.

import { opCases, weights, type OpCase } from '../helpers/op-case';
import type { AttrInput } from '../helpers/onnx-builder';

function conv(label: string, x: number[], w: number[], attrs: Record<string, AttrInput>, bias = true): OpCase {
  return {
    label: `Conv ${label}`,
    inputs: { x },
    outputs: ['y'],
    build(b) {
      b.initializer('w', w, weights(w, 11));
      if (bias) b.initializer('b', [w[0]], weights([w[0]], 12));
      b.node('Conv', bias ? ['x', 'w', 'b'] : ['x', 'w'], ['y'], attrs);
    },
  };
}

function deconv(label: string, x: number[], w: number[], attrs: Record<string, AttrInput>, bias = true, group = 1): OpCase {
  return {
    label: `ConvTranspose ${label}`,
    inputs: { x },
    outputs: ['y'],
    build(b) {
      b.initializer('w', w, weights(w, 21));
      if (bias) b.initializer('b', [w[1] * group], weights([w[1] * group], 22));
      b.node('ConvTranspose', bias ? ['x', 'w', 'b'] : ['x', 'w'], ['y'], attrs);
    },
  };
}

opCases([
  conv('3x3 pads 1', [1, 3, 8, 8], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }),
  conv('no bias, asymmetric pads', [1, 3, 7, 9], [5, 3, 3, 2], { pads: [0, 1, 2, 0] }, false),
  conv('stride 2', [2, 4, 9, 9], [6, 4, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }),
  conv('dilation 2', [1, 2, 10, 10], [3, 2, 3, 3], { dilations: [2, 2] }),
  conv('groups 2', [1, 4, 6, 6], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }),
  conv('depthwise', [1, 8, 7, 7], [8, 1, 3, 3], { group: 8, pads: [1, 1, 1, 1] }),
  conv('SAME_UPPER stride 2', [1, 3, 7, 8], [4, 3, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }),
  conv('SAME_LOWER 2x2 kernel', [1, 3, 6, 6], [4, 3, 2, 2], { auto_pad: 'SAME_LOWER' }),
  conv('VALID', [1, 3, 6, 7], [4, 3, 3, 3], { auto_pad: 'VALID', strides: [2, 1] }),
  conv('1-D', [2, 3, 12], [4, 3, 3], { pads: [1, 2], strides: [2] }),
  conv('3-D', [1, 2, 5, 6, 4], [3, 2, 3, 3, 3], { pads: [1, 1, 1, 1, 1, 1] }),
  conv('1x1 pointwise', [1, 16, 5, 5], [8, 16, 1, 1], {}),
  deconv('stride 2', [1, 4, 5, 5], [4, 2, 3, 3], { strides: [2, 2] }),
  deconv('pads + output_padding', [1, 4, 5, 5], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
  deconv('output_shape', [1, 3, 4, 4], [3, 2, 3, 3], { strides: [2, 2], output_shape: [8, 8] }),
  deconv('groups 2, no bias', [1, 4, 5, 5], [4, 3, 3, 3], { group: 2 }, false, 2),
  deconv('depthwise', [1, 4, 5, 5], [4, 1, 4, 4], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] }, true, 4),
  deconv('dilation 2', [1, 2, 4, 4], [2, 2, 3, 3], { dilations: [2, 2] }),
  deconv('1-D', [1, 2, 6], [2, 3, 4], { strides: [3] }),
  deconv('SAME_UPPER', [1, 2, 4, 5], [2, 3, 3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
]);
