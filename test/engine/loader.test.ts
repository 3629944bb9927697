import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';

import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { tensorFromProto } from '../../engine/onnx/tensor-proto';
import { makeTensor } from '../../engine/ir/tensor';
import { IrBuilder, int, ints } from './ir-builder';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-loader-'));
}

function convModel(): IrBuilder {
  const b = new IrBuilder();
  b.input('x', ['N', 2, 5, 5]);
  b.rand('w', [3, 2, 3, 3]);
  b.init('shape', makeTensor('int64', [2], [-1, 75]));
  b.node('Conv', ['x', 'w'], ['c'], { pads: ints([1, 1, 1, 1]), group: int(1) }, 'conv1');
  b.node('Reshape', ['c', 'shape'], ['y'], {}, 'flat');
  b.output('y');
  return b;
}

test('round-trips a model through saveModel/loadModel, int64 and float16 included', () => {
  const b = convModel();
  b.init('half', { dtype: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0xc000]) });
  b.init('big', makeTensor('int64', [2], [2 ** 40, -3]));
  b.node('Constant', [], ['k'], { value: { type: 'tensor', value: makeTensor('int64', [1], [9]) } }, 'const');
  const bytes = saveModel(b.model);
  const m = loadModel(bytes);
  assert.equal(m.opset, 13);
  assert.deepEqual(m.graph.inputs[0].shape, ['N', 2, 5, 5]);
  assert.deepEqual(Array.from(m.graph.initializers.get('big')!.data), [2 ** 40, -3]);
  assert.ok(m.graph.initializers.get('big')!.data instanceof Float64Array);
  assert.deepEqual(Array.from(m.graph.initializers.get('half')!.data), [0x3c00, 0xc000]);
  assert.equal(m.graph.initializers.get('half')!.dtype, 'float16');
  assert.deepEqual(m.graph.nodes.map((n) => n.opType), ['Conv', 'Reshape', 'Constant']);
  assert.deepEqual(m.graph.nodes[0].attrs.pads, { type: 'ints', value: [1, 1, 1, 1] });
  assert.deepEqual(Array.from((m.graph.nodes[2].attrs.value as { value: { data: Float64Array } }).value.data), [9]);
  assert.deepEqual(Array.from(m.graph.initializers.get('w')!.data), Array.from(b.model.graph.initializers.get('w')!.data));
});

test('reads typed fields of every integer dtype and float_data', () => {
  const cases: [number, number[], string][] = [
    [onnx.TensorProto.DataType.INT8, [-3, 4], 'int8'],
    [onnx.TensorProto.DataType.UINT16, [65535, 1], 'uint16'],
    [onnx.TensorProto.DataType.BOOL, [1, 0], 'bool'],
    [onnx.TensorProto.DataType.INT32, [-7, 8], 'int32'],
  ];
  for (const [dataType, values, dtype] of cases) {
    const t = tensorFromProto({ name: 't', dataType, dims: [2], int32Data: values });
    assert.equal(t.dtype, dtype);
    assert.deepEqual(Array.from(t.data), values);
  }
  const f = tensorFromProto({ name: 'f', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1, 2], floatData: [1.5, -2] });
  assert.deepEqual(Array.from(f.data), [1.5, -2]);
  const i64 = tensorFromProto({ name: 'i', dataType: onnx.TensorProto.DataType.INT64, dims: [2], int64Data: [5, -6] });
  assert.deepEqual(Array.from(i64.data), [5, -6]);
  assert.throws(() => tensorFromProto({ name: 'b', dataType: onnx.TensorProto.DataType.BFLOAT16, dims: [1], int32Data: [0] }), /tensor 'b': unsupported data type BFLOAT16/);
  assert.throws(() => tensorFromProto({ name: 'short', dataType: 1, dims: [3], floatData: [1] }), /tensor 'short': 1 values for shape \[3\]/);
});

test('loads external data relative to the model folder and names a missing file', () => {
  const dir = tmpDir();
  const m = onnx.ModelProto.decode(saveModel(convModel().model));
  const w = m.graph!.initializer!.find((t) => t.name === 'w')!;
  const raw = w.rawData!;
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(raw)]));
  w.rawData = new Uint8Array();
  w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  w.externalData = [
    { key: 'location', value: 'weights.bin' },
    { key: 'offset', value: '16' },
    { key: 'length', value: String(raw.length) },
  ];
  const file = path.join(dir, 'ext.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
  const loaded = loadModel(file);
  const expected = new Float32Array(new Uint8Array(raw).buffer);
  assert.deepEqual(Array.from(loaded.graph.initializers.get('w')!.data), Array.from(expected));
  fs.unlinkSync(path.join(dir, 'weights.bin'));
  assert.throws(() => loadModel(file), (e: Error) => e.message.includes('weights.bin') && e.message.includes("tensor 'w'"));
});

test('rejects non-ONNX, truncated and empty files with the file name', () => {
  const dir = tmpDir();
  const junk = path.join(dir, 'junk.onnx');
  fs.writeFileSync(junk, 'this is not a protobuf at all, just text\n');
  assert.throws(() => loadModel(junk), /junk\.onnx: (not an ONNX file|truncated ONNX file)/);
  const bytes = saveModel(convModel().model);
  const cut = path.join(dir, 'cut.onnx');
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.throws(() => loadModel(cut), /cut\.onnx: (truncated ONNX file|not an ONNX file)/);
  const empty = path.join(dir, 'empty.onnx');
  fs.writeFileSync(empty, '');
  assert.throws(() => loadModel(empty), /empty\.onnx: empty file/);
  assert.throws(() => loadModel(path.join(dir, 'missing.onnx')), /missing\.onnx: no such file/);
  const noGraph = onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g' } }).finish();
  assert.throws(() => loadModel(noGraph, { name: 'nodes.onnx' }), /nodes\.onnx: the graph is empty/);
});

test('loads an ONNX backend test model with its opset', () => {
  const file = '/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx';
  const m = loadModel(file);
  assert.equal(m.opset, 11);
  assert.equal(m.graph.nodes[0].opType, 'Conv');
  assert.deepEqual(m.graph.nodes[0].attrs.strides, { type: 'ints', value: [2, 2] });
});
