// Regressions found by the model corpus (test/zoo), each as a small in-code graph:
//  - shared initializers (PyTorch's exporter deduplicates equal biases and weights through Identity
//    nodes): one DequantizeLinear per layer, each with its own node name, or ONNX Runtime refuses
//    the file (EfficientNet, MobileNetV3, SqueezeNet, ConvNeXt);
//  - integer shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Resize sizes):
//    never calibrated, never quantized (DeepLabV3, LR-ASPP, ViT aborted quantize);
//  - DenseNet's BatchNorm + Relu after a Concat of int8 values at 7x7 with 64+ channels: our INT8
//    must agree with ONNX Runtime on the same QDQ file (it was cosine 0.6: a oneDNN reorder bug
//    with zero points, test/native/int8.test.ts).
// Every file we write goes through onnx.checker and ONNX Runtime's loader.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { Service } from '../../engine/api/service';
import { formatNpy } from '../../engine/data/npy';
import { NodeHost } from '../../engine/host/node-host';
import { makeTensor } from '../../engine/ir/tensor';
import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { ModelSession } from '../../engine/runtime/session';
import { IrBuilder, int, ints, randomInput } from '../engine/ir-builder';
import { cosine, onnxChecker } from '../zoo/corpus';
import { floatData } from '../../engine/runtime/session-types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-qdq-valid-'));
const svc = new Service(new NodeHost());

/** Quantizes `b`'s model (minmax, 8 samples of `dims`), checks the file, and returns our INT8
 *  output's cosine with ONNX Runtime's on that file, plus the QDQ model. */
async function quantizeAndCompare(b: IrBuilder, tag: string, dims: number[]) {
  const file = path.join(dir, `${tag}.onnx`);
  fs.writeFileSync(file, saveModel(b.model));
  const n = dims.slice(1).reduce((a, c) => a * c, 1);
  const calib = path.join(dir, `${tag}.calib.npy`);
  fs.writeFileSync(calib, formatNpy([8, ...dims.slice(1)], randomInput(8 * n, 3).map((v) => 2 * v)));
  const out = path.join(dir, `${tag}.int8.onnx`);
  await svc.quantizeModel({ modelPath: file, outPath: out, calib, method: 'minmax', threads: 1 });
  assert.equal(onnxChecker(out), '', `${tag}: onnx.checker rejects the QDQ file`);
  const x = randomInput(dims.reduce((a, c) => a * c, 1), 11);
  const s = await ort.InferenceSession.create(out);
  const ref = (await s.run({ x: new ort.Tensor('float32', x, dims) }))[s.outputNames[0]].data as Float32Array;
  await s.release();
  const qdq = loadModel(fs.readFileSync(out));
  const ours = await ModelSession.load(qdq, { threads: 1 });
  try {
    const got = floatData((await ours.run({ x: { dims, data: x } })).outputs[qdq.graph.outputs[0].name], `${tag} INT8 output`);
    return { cos: cosine(got, ref), qdq };
  } finally {
    ours.dispose();
  }
}

test('shared bias and weight initializers: every DequantizeLinear has its own node name', async () => {
  const b = new IrBuilder(13);
  b.input('x', ['N', 3, 8, 8]);
  b.rand('w0', [4, 3, 3, 3], -0.4, 0.4);
  b.rand('w', [4, 4, 3, 3], -0.4, 0.4);
  b.init('bias', makeTensor('float32', [4], [0.1, -0.1, 0.05, 0]));
  // What torch.onnx writes for equal initializers: one tensor, Identity copies for the others.
  b.node('Identity', ['bias'], ['bias_copy'], {}, 'Identity_0');
  b.node('Identity', ['w'], ['w_copy'], {}, 'Identity_1');
  b.node('Conv', ['x', 'w0', 'bias'], ['c1'], { pads: ints([1, 1, 1, 1]) }, 'conv1');
  b.node('Relu', ['c1'], ['r1'], {}, 'relu1');
  b.node('Conv', ['r1', 'w_copy', 'bias_copy'], ['c2'], { pads: ints([1, 1, 1, 1]) }, 'conv2');
  b.node('Conv', ['c2', 'w', 'bias'], ['y'], { pads: ints([1, 1, 1, 1]) }, 'conv3');
  b.output('y');
  const { cos, qdq } = await quantizeAndCompare(b, 'shared', [2, 3, 8, 8]);
  const names = qdq.graph.nodes.map((n) => n.name);
  assert.equal(new Set(names).size, names.length, `duplicate node names: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  assert.equal(qdq.graph.nodes.filter((n) => n.opType === 'DequantizeLinear' && n.inputs[0].startsWith('bias')).length, 3, 'one bias DQ per conv');
  assert.ok(cos >= 0.999, `INT8 cosine with ONNX Runtime ${cos}`);
});

test('integer shape subgraphs (Reshape shape, Resize sizes) are not calibrated or quantized', async () => {
  const b = new IrBuilder(13);
  b.input('x', ['N', 3, 8, 8]);
  b.rand('w', [8, 3, 3, 3], -0.4, 0.4);
  b.rand('w2', [8, 8, 1, 1], -0.4, 0.4);
  b.rand('fc', [8 * 16 * 16, 5], -0.05, 0.05);
  b.init('zero', makeTensor('int64', [1], [0]));
  b.init('axes0', makeTensor('int64', [1], [0]));
  b.node('Conv', ['x', 'w'], ['c'], { pads: ints([1, 1, 1, 1]) }, 'conv');
  b.node('Relu', ['c'], ['r'], {}, 'relu');
  // sizes = Concat(Shape(r)[0:2], Shape(r)[2:4] + Shape(r)[2:4]) -> Resize: an integer Concat and
  // an integer Add of computed values (both quantizable op types), as segmentation heads build them.
  b.node('Shape', ['r'], ['shape'], {}, 'shape');
  b.init('s0', makeTensor('int64', [1], [0]));
  b.init('s2', makeTensor('int64', [1], [2]));
  b.init('s4', makeTensor('int64', [1], [4]));
  b.node('Slice', ['shape', 's0', 's2'], ['nc'], {}, 'slice_nc');
  b.node('Slice', ['shape', 's2', 's4'], ['hw'], {}, 'slice_hw');
  b.node('Add', ['hw', 'hw'], ['hw2'], {}, 'double_hw');
  b.node('Concat', ['nc', 'hw2'], ['sizes'], { axis: int(0) }, 'sizes_concat');
  b.node('Resize', ['r', '', '', 'sizes'], ['up'], { mode: { type: 'string', value: 'linear' } }, 'resize');
  b.node('Conv', ['up', 'w2'], ['c2'], {}, 'conv2');
  // Reshape to [N, C*H*W] with both parts from Shape -> Gather -> Unsqueeze / Mul -> Concat.
  b.node('Shape', ['c2'], ['shape2'], {}, 'shape2');
  b.node('Gather', ['shape2', 'zero'], ['n'], { axis: int(0) }, 'gather');
  b.node('Squeeze', ['n', 'axes0'], ['n0'], {}, 'squeeze');
  b.node('Unsqueeze', ['n0', 'axes0'], ['n1'], {}, 'unsqueeze');
  for (const k of [1, 2, 3]) {
    b.init(`i${k}`, makeTensor('int64', [1], [k]));
    b.node('Gather', ['shape2', `i${k}`], [`d${k}`], { axis: int(0) }, `gather${k}`);
  }
  b.node('Mul', ['d1', 'd2'], ['d12'], {}, 'mul12');
  b.node('Mul', ['d12', 'd3'], ['rest'], {}, 'mul123');
  b.node('Concat', ['n1', 'rest'], ['flat_shape'], { axis: int(0) }, 'shape_concat');
  b.node('Reshape', ['c2', 'flat_shape'], ['flat'], {}, 'reshape');
  b.node('MatMul', ['flat', 'fc'], ['y'], {}, 'fc');
  b.output('y');
  const { cos, qdq } = await quantizeAndCompare(b, 'shapes', [2, 3, 8, 8]);
  const quantized = new Set(qdq.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.inputs[0]));
  for (const t of ['shape', 'nc', 'hw', 'hw2', 'sizes', 'n', 'n1', 'rest', 'flat_shape']) assert.ok(!quantized.has(t), `integer tensor '${t}' got a QuantizeLinear`);
  for (const n of ['double_hw', 'sizes_concat', 'shape_concat']) {
    const node = qdq.graph.nodes.find((x) => x.name === n)!;
    assert.ok(node.inputs.every((i) => !i.endsWith('_dequantized')), `${n} reads dequantized values`);
  }
  assert.ok(quantized.has('up') && quantized.has('flat'), `the float activations are quantized (got ${[...quantized].join(', ')})`);
  assert.ok(cos >= 0.999, `INT8 cosine with ONNX Runtime ${cos}`);
});

test('DenseNet pattern: Concat -> BatchNorm -> Relu -> Conv at 7x7 with 64+ channels agrees with ONNX Runtime', async () => {
  const b = new IrBuilder(13);
  b.input('x', ['N', 3, 7, 7]);
  const bn = (name: string, c: number) => {
    const v = (f: (i: number) => number) => makeTensor('float32', [c], Array.from({ length: c }, (_, i) => f(i)));
    b.init(`${name}_s`, v((i) => 0.8 + 0.4 * ((i * 7) % 5) / 5));
    b.init(`${name}_b`, v((i) => 0.1 * (((i * 3) % 7) - 3) / 3));
    b.init(`${name}_m`, v((i) => 0.05 * (((i * 5) % 9) - 4)));
    b.init(`${name}_v`, v((i) => 0.75 + ((i * 11) % 6) / 10));
    return [`${name}_s`, `${name}_b`, `${name}_m`, `${name}_v`];
  };
  b.rand('w0', [64, 3, 1, 1], -0.5, 0.5);
  b.node('Conv', ['x', 'w0'], ['f0'], {}, 'conv0');
  let features = ['f0'];
  // Two dense layers: each reads the Concat of every earlier feature map through BN + Relu.
  for (let l = 1; l <= 2; l++) {
    const c = 64 * l;
    b.node('Concat', features, [`cat${l}`], { axis: int(1) }, `concat${l}`);
    b.node('BatchNormalization', [`cat${l}`, ...bn(`bn${l}`, c)], [`n${l}`], {}, `norm${l}`);
    b.node('Relu', [`n${l}`], [`r${l}`], {}, `relu${l}`);
    b.rand(`w${l}`, [64, c, 3, 3], -0.06, 0.06);
    b.node('Conv', [`r${l}`, `w${l}`], [`f${l}`], { pads: ints([1, 1, 1, 1]) }, `conv${l}`);
    features = [...features, `f${l}`];
  }
  b.node('Concat', features, ['y'], { axis: int(1) }, 'concat_out');
  b.output('y');
  const { cos, qdq } = await quantizeAndCompare(b, 'densenet', [2, 3, 7, 7]);
  assert.ok(qdq.graph.nodes.some((n) => n.opType === 'BatchNormalization'), 'the BatchNorm after Concat stays (nothing to fold it into)');
  assert.ok(cos >= 0.999, `INT8 cosine with ONNX Runtime on the same QDQ file: ${cos} (was 0.6 on DenseNet-121)`);
});
