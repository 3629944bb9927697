// Bad calibration data through `qwb quantize` (what a user sees): a clear error that names the
// offending file, exit code 1, and no output model written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

import { formatNpy } from '../../engine/data/npy';
import { demoModel, NORM, qwb, tmpDir } from './helpers';

const dir = tmpDir('calib-errors');

function quantizeWith(calib: string) {
  const out = path.join(dir, `${path.basename(calib)}.int8.onnx`);
  const r = qwb('quantize', demoModel, '--calib', calib, '--method', 'minmax', ...NORM, '--out', out);
  return { ...r, out };
}

test('an .npy of shape (N,3,32,32) for the 1x28x28 demo is refused, naming the file and both shapes', () => {
  const file = path.join(dir, 'cifar-like.npy');
  fs.writeFileSync(file, formatNpy([4, 3, 32, 32], new Float32Array(4 * 3 * 32 * 32)));
  const r = quantizeWith(file);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /cifar-like\.npy/);
  assert.match(r.err, /3\D+32\D+32/, `the message should give the data's shape: ${r.err}`);
  assert.match(r.err, /28\D+28/, `the message should give the model's input shape: ${r.err}`);
  assert.ok(!fs.existsSync(r.out), 'no model may be written');
});

test('a corrupt image in a folder is named', async () => {
  const root = path.join(dir, 'images');
  fs.mkdirSync(path.join(root, 'shirt'), { recursive: true });
  const png = await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer();
  fs.writeFileSync(path.join(root, 'shirt', 'good.png'), png);
  fs.writeFileSync(path.join(root, 'shirt', 'broken.png'), Buffer.concat([png.subarray(0, 40), Buffer.from('not the rest of a png')]));
  const r = quantizeWith(root);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /broken\.png/);
  assert.ok(!fs.existsSync(r.out));
});

test('an empty folder is refused, naming it', () => {
  const empty = path.join(dir, 'empty-folder');
  fs.mkdirSync(empty, { recursive: true });
  const r = quantizeWith(empty);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /empty-folder/);
  assert.match(r.err, /no (image|sample)|empty/i);
  assert.ok(!fs.existsSync(r.out));
});
