// Data-movement ops against onnxruntime: Concat, Reshape, Flatten, Squeeze/Unsqueeze by opset,
// Transpose, Softmax/LogSoftmax (incl. old-opset 2-D coercion), Pad, Resize, Reduce*, Split,
// Slice, Gather with constant indices, Expand.

import { opCases, type OpCase } from '../helpers/op-case';
import { floatAttr, type AttrInput } from '../helpers/onnx-builder';

type Init = [string, number[], number[], ('float32' | 'int64')?];

function one(label: string, op: string, x: number[], inits: Init[], inputs: string[], attrs: Record<string, AttrInput> = {}, opset = 13, outputs = ['y']): OpCase {
  return {
    label: `${op} ${label}`,
    opset,
    inputs: { x },
    outputs,
    build(b) {
      for (const [name, dims, vals, dtype] of inits) b.initializer(name, dims, vals, dtype ?? 'int64');
      b.node(op, ['x', ...inputs], outputs, attrs);
    },
  };
}

const BIG = 9223372036854775807;

opCases([
  {
    label: 'Concat axis 1 of three',
    inputs: { a: [1, 2, 3, 3], b: [1, 4, 3, 3], c: [1, 1, 3, 3] },
    outputs: ['y'],
    build: (b) => void b.node('Concat', ['a', 'b', 'c'], ['y'], { axis: 1 }),
  },
  {
    label: 'Concat axis -1 with a constant',
    inputs: { a: [2, 3] },
    outputs: ['y'],
    build(b) {
      b.initializer('k', [2, 2], [1, 2, 3, 4]);
      b.node('Concat', ['a', 'k'], ['y'], { axis: -1 });
    },
  },
  one('0 and -1', 'Reshape', [2, 3, 4], [['s', [2], [0, -1]]], ['s']),
  one('-1 first', 'Reshape', [2, 3, 4], [['s', [3], [-1, 2, 2]]], ['s']),
  one('axis 2', 'Flatten', [2, 3, 4, 5], [], [], { axis: 2 }),
  one('axis 0', 'Flatten', [2, 3, 4], [], [], { axis: 0 }),
  one('opset 11 attribute', 'Squeeze', [1, 3, 1, 4], [], [], { axes: [0, -2] }, 11),
  one('opset 13 input', 'Squeeze', [1, 3, 1, 4], [['a', [1], [2]]], ['a']),
  one('opset 11 attribute', 'Unsqueeze', [3, 4], [], [], { axes: [0, 3] }, 11),
  one('opset 13 input, negative', 'Unsqueeze', [3, 4], [['a', [1], [-1]]], ['a']),
  one('default perm', 'Transpose', [2, 3, 4], [], []),
  one('NCHW->NHWC', 'Transpose', [2, 3, 4, 5], [], [], { perm: [0, 2, 3, 1] }),
  one('axis -1', 'Softmax', [2, 3, 5], [], []),
  one('axis 1 (opset 13)', 'Softmax', [2, 3, 5], [], [], { axis: 1 }),
  one('opset 11 axis 1 coerces to 2-D', 'Softmax', [2, 3, 4], [], [], { axis: 1 }, 11),
  one('opset 11 default axis', 'LogSoftmax', [2, 3, 4], [], [], {}, 11),
  one('axis 0', 'LogSoftmax', [3, 4], [], [], { axis: 0 }),
  one('constant', 'Pad', [1, 2, 3, 4], [['p', [8], [0, 0, 1, 2, 0, 0, 2, 1]], ['v', [], [0.5], 'float32']], ['p', 'v']),
  one('reflect', 'Pad', [1, 2, 4, 5], [['p', [8], [0, 0, 2, 1, 0, 0, 1, 3]]], ['p'], { mode: 'reflect' }),
  one('edge', 'Pad', [1, 2, 3, 4], [['p', [8], [0, 0, 2, 1, 0, 0, 1, 3]]], ['p'], { mode: 'edge' }),
  one('negative crop', 'Pad', [2, 5], [['p', [4], [0, -1, 1, 2]]], ['p']),
  one('opset 2 attributes', 'Pad', [2, 3], [], [], { pads: [1, 0, 0, 2], value: floatAttr(1.5) }, 2),
  one('nearest x2 asymmetric', 'Resize', [1, 2, 3, 4], [['s', [4], [1, 1, 2, 2], 'float32']], ['', 's'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
  one('nearest half_pixel round_prefer_floor to sizes', 'Resize', [1, 2, 3, 4], [['z', [4], [1, 2, 7, 5]]], ['', '', 'z']),
  one('linear half_pixel', 'Resize', [1, 2, 4, 4], [['s', [4], [1, 1, 2, 1.5], 'float32']], ['', 's'], { mode: 'linear' }),
  one('linear align_corners', 'Resize', [1, 1, 3, 5], [['z', [4], [1, 1, 6, 7]]], ['', '', 'z'], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }),
  one('linear pytorch_half_pixel downscale', 'Resize', [1, 1, 8, 8], [['s', [4], [1, 1, 0.5, 0.5], 'float32']], ['', 's'], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
  one('cubic', 'Resize', [1, 1, 4, 4], [['s', [4], [1, 1, 2, 2], 'float32']], ['', 's'], { mode: 'cubic' }),
  one('opset 10 nearest', 'Resize', [1, 1, 3, 3], [['s', [4], [1, 1, 2, 2], 'float32']], ['s'], {}, 10),
  one('opset 9 nearest', 'Upsample', [1, 2, 3, 3], [['s', [4], [1, 1, 2, 3], 'float32']], ['s'], {}, 9),
  one('opset 9 linear', 'Upsample', [1, 1, 3, 3], [['s', [4], [1, 1, 2, 2], 'float32']], ['s'], { mode: 'linear' }, 9),
  one('axes [2,3] keepdims', 'ReduceMean', [2, 3, 4, 5], [], [], { axes: [2, 3] }),
  one('axis -1 no keepdims', 'ReduceMean', [2, 3, 4], [], [], { axes: [-1], keepdims: 0 }),
  one('all axes', 'ReduceMean', [2, 3, 4], [], []),
  one('axes input', 'ReduceSum', [2, 3, 4], [['a', [1], [1]]], ['a']),
  one('axis 0', 'ReduceMax', [3, 4], [], [], { axes: [0] }),
  one('axis 1', 'ReduceMin', [3, 4], [], [], { axes: [1], keepdims: 0 }),
  one('axis 1', 'ReduceProd', [3, 4], [], [], { axes: [1] }),
  one('axis 1', 'ReduceL1', [3, 4], [], [], { axes: [1] }),
  one('axis 1', 'ReduceL2', [3, 4], [], [], { axes: [1] }),
  one('axis 1', 'ReduceSumSquare', [3, 4], [], [], { axes: [1] }),
  one('axis 1', 'ReduceLogSumExp', [3, 4], [], [], { axes: [1] }),
  one('opset 18 axes input', 'ReduceMean', [2, 3, 4], [['a', [2], [0, 2]]], ['a'], {}, 18),
  one('equal parts', 'Split', [2, 6], [], [], { axis: 1 }, 13, ['y0', 'y1', 'y2']),
  one('opset 11 split attribute', 'Split', [5, 3], [], [], { axis: 0, split: [2, 3] }, 11, ['y0', 'y1']),
  one('opset 13 split input', 'Split', [2, 7], [['s', [2], [4, 3]]], ['s'], { axis: -1 }, 13, ['y0', 'y1']),
  one('opset 18 num_outputs uneven', 'Split', [7, 2], [], [], { axis: 0, num_outputs: 3 }, 18, ['y0', 'y1', 'y2']),
  one('starts/ends/axes', 'Slice', [4, 6, 5], [['s', [2], [1, -4]], ['e', [2], [3, BIG]], ['a', [2], [0, 1]]], ['s', 'e', 'a']),
  one('negative steps', 'Slice', [4, 10], [['s', [2], [-1, 8]], ['e', [2], [-BIG, 1]], ['a', [2], [0, 1]], ['t', [2], [-1, -3]]], ['s', 'e', 'a', 't']),
  one('clamped ends, step 2', 'Slice', [3, 9], [['s', [1], [1]], ['e', [1], [100]], ['a', [1], [-1]], ['t', [1], [2]]], ['s', 'e', 'a', 't']),
  one('opset 1 attributes', 'Slice', [4, 6], [], [], { starts: [1, 0], ends: [3, -1] }, 9),
  one('scalar index axis 1', 'Gather', [2, 5, 3], [['i', [], [3]]], ['i'], { axis: 1 }),
  one('index list axis 0', 'Gather', [6, 4], [['i', [3], [5, 0, -2]]], ['i']),
  one('[3,1] to [1,3] broadcasts to 3x3', 'Expand', [3, 1], [['s', [2], [1, 3]]], ['s']),
]);
