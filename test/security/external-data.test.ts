// External data stays inside the model's folder: absolute locations, '..', symlinks out (to a
// secret or to /dev/zero), special files and byte ranges past the file end are refused with an
// error naming the tensor and the location; a location inside the folder (a subfolder too) works.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';

import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { makeTensor } from '../../engine/ir/tensor';
import { IrBuilder } from '../engine/ir-builder';

const W = Float32Array.from([1, 2, 3, 4, 5, 6]);

/** A model in a fresh folder whose initializer 'w' lives at `location` (offset/length optional). */
function modelWith(location: string, extra: Record<string, string> = {}): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-ext-'));
  const b = new IrBuilder();
  b.input('x', [2, 3]);
  b.init('w', makeTensor('float32', [3, 2], Array.from(W)));
  b.node('MatMul', ['x', 'w'], ['y']);
  b.output('y');
  const m = onnx.ModelProto.decode(saveModel(b.model));
  const w = m.graph!.initializer!.find((t) => t.name === 'w')!;
  w.rawData = new Uint8Array();
  w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  w.externalData = [{ key: 'location', value: location }, ...Object.entries(extra).map(([key, value]) => ({ key, value }))];
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
  return { dir, file };
}

const bytes = Buffer.from(W.buffer);

function refused(file: string, pattern: RegExp): void {
  assert.throws(() => loadModel(file), (e: Error) => {
    assert.match(e.message, /tensor 'w'/);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a location inside the model folder, or a subfolder, loads', () => {
  const a = modelWith('weights.bin');
  fs.writeFileSync(path.join(a.dir, 'weights.bin'), bytes);
  assert.deepEqual(Array.from(loadModel(a.file).graph.initializers.get('w')!.data), Array.from(W));
  const b = modelWith('data/w.bin', { offset: '8', length: String(bytes.length) });
  fs.mkdirSync(path.join(b.dir, 'data'));
  fs.writeFileSync(path.join(b.dir, 'data', 'w.bin'), Buffer.concat([Buffer.alloc(8), bytes]));
  assert.deepEqual(Array.from(loadModel(b.file).graph.initializers.get('w')!.data), Array.from(W));
});

test('absolute locations and .. are refused before anything is read', () => {
  refused(modelWith('/etc/passwd').file, /'\/etc\/passwd' is absolute/);
  refused(modelWith('/proc/self/environ').file, /is absolute/);
  refused(modelWith('../../../../etc/passwd').file, /leaves the model's folder/);
  refused(modelWith('data/../../secret.bin').file, /leaves the model's folder/);
});

test('symlinks out of the folder are refused, to a file or to /dev/zero', () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-ext-secret-'));
  fs.writeFileSync(path.join(outside, 'secret.bin'), bytes);
  const a = modelWith('link.bin');
  fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(a.dir, 'link.bin'));
  refused(a.file, /resolves to .*secret\.bin, outside the model's folder/);
  const b = modelWith('zeros.bin');
  fs.symlinkSync('/dev/zero', path.join(b.dir, 'zeros.bin'));
  refused(b.file, /outside the model's folder/);
  const c = modelWith('sub/w.bin');
  fs.writeFileSync(path.join(outside, 'w.bin'), bytes);
  fs.symlinkSync(outside, path.join(c.dir, 'sub'));
  refused(c.file, /outside the model's folder/);
});

test('special files and byte ranges past the end are refused', () => {
  const a = modelWith('pipe.bin');
  execFileSync('mkfifo', [path.join(a.dir, 'pipe.bin')]);
  refused(a.file, /not a regular file/);
  const b = modelWith('w.bin', { offset: '4', length: String(bytes.length) });
  fs.writeFileSync(path.join(b.dir, 'w.bin'), bytes);
  refused(b.file, /holds 24 bytes, but the tensor needs offset 4 \+ length 24/);
  const c = modelWith('w.bin', { offset: '-4' });
  fs.writeFileSync(path.join(c.dir, 'w.bin'), bytes);
  refused(c.file, /offset '-4' is not a byte count/);
  const d = modelWith('w.bin', { length: '1e30' });
  fs.writeFileSync(path.join(d.dir, 'w.bin'), bytes);
  refused(d.file, /length '1e30' is not a byte count/);
  const e = modelWith('missing.bin');
  refused(e.file, /'missing\.bin' does not exist/);
});
