// Validation before running: what used to give a wrong answer with exit 0 (or a crash) is now a
// clear error naming the file, node, key or value.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { METADATA_PREPROCESS } from '../../engine/quant/qdq-writer';
import { IrBuilder, ints } from '../engine/ir-builder';
import { tempDir, writeIdx, writeNpy } from '../data/helpers';

const root = path.resolve(__dirname, '..', '..', '..');
const qwbBin = path.join(root, 'bin', 'qwb.js');
const demo = path.join(root, 'assets', 'demo', 'fashion_resnet.onnx');
const images = path.join(root, 'assets', 'demo', 'sample-images-idx3-ubyte.gz');
const labels = path.join(root, 'assets', 'demo', 'sample-labels-idx1-ubyte.gz');
const NORM = ['--mean', '0.286', '--std', '0.353'];
const dir = tempDir('qwb-validation-');

function qwb(...args: string[]) {
  const r = spawnSync(process.execPath, [qwbBin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

test('MaxPool with kernel_shape [0, 0] is refused, naming the node (it used to return -inf)', () => {
  const b = new IrBuilder();
  b.input('x', [1, 1, 4, 4]);
  b.node('MaxPool', ['x'], ['y'], { kernel_shape: ints([0, 0]) }, 'pool0');
  b.output('y');
  const file = path.join(dir, 'pool0.onnx');
  fs.writeFileSync(file, saveModel(b.model));
  const r = qwb('info', file, '--json');
  const s = JSON.parse(r.out);
  assert.ok(s.problems.some((p: string) => /pool0.*kernel_shape \[0, 0\] must hold integers >= 1/.test(p)), JSON.stringify(s.problems));
  const x = path.join(dir, 'x.npy');
  writeNpy(x, '<f4', [1, 1, 4, 4], new Uint8Array(64));
  const run = qwb('run', file, '--input', x, '--output', path.join(dir, 'y.npy'));
  assert.equal(run.code, 1, run.err);
  assert.match(run.err, /pool0.*kernel_shape \[0, 0\]/);
});

test('a zero-row batch is refused with a message, not SIGFPE', () => {
  const z = path.join(dir, 'zero.npy');
  writeNpy(z, '<f4', [0, 1, 28, 28], new Uint8Array(0));
  const r = qwb('run', demo, '--input', z, '--output', path.join(dir, 'zero-out.npy'));
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /'input'.*zero-size dimension \(an empty batch\?\)|zero-size dimension \(an empty batch\?\).*'input'/);
});

test('labels outside the model classes, and more class folders than outputs, are refused', async () => {
  const bad = path.join(dir, 'labels12.idx');
  writeIdx(bad, [1000], Uint8Array.from({ length: 1000 }, (_, i) => (i === 7 ? 12 : i % 10)));
  const r = qwb('eval', demo, '--data', images, '--labels', bad, ...NORM, '--limit', '20');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /labels12\.idx|sample-images.*label 12 of item 7 is outside the model's 10 classes/);
  const folder = path.join(dir, 'classes15');
  const png = await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
  for (let c = 0; c < 15; c++) {
    fs.mkdirSync(path.join(folder, `class${String(c).padStart(2, '0')}`), { recursive: true });
    fs.writeFileSync(path.join(folder, `class${String(c).padStart(2, '0')}`, 'a.png'), png);
  }
  const f = qwb('eval', demo, '--data', folder, '--gray', ...NORM);
  assert.equal(f.code, 1, f.err);
  assert.match(f.err, /15 class folders .* for a model with 10 outputs/);
});

test('malformed preprocessing metadata in a QDQ model is an error naming the key, not a silent default', () => {
  const q = path.join(dir, 'demo.int8.onnx');
  const r = qwb('quantize', demo, '--calib', images, '--calib-count', '16', ...NORM, '--out', q);
  assert.equal(r.code, 0, r.err);
  for (const [meta, pattern] of [
    ['{"mean": "0.286", "std": [0.353]}', /key "mean" = "0\.286": expected 1 or 3 finite numbers/],
    ['{"mean": [0.286], "std": [0]}', /key "std" = \[0\]: expected 1 or 3 finite numbers > 0/],
    ['{"size": [28]}', /key "size" = \[28\]/],
    ['not json', /is not JSON/],
    ['{"mean": [0.286], "stdev": [0.353]}', /unknown key "stdev"/],
  ] as const) {
    const m = loadModel(fs.readFileSync(q));
    m.metadata[METADATA_PREPROCESS] = meta;
    const file = path.join(dir, 'bad-meta.onnx');
    fs.writeFileSync(file, saveModel(m));
    const e = qwb('eval', file, '--data', images, '--labels', labels, '--limit', '10');
    assert.equal(e.code, 1, `${meta}: ${e.err}`);
    assert.match(e.err, pattern, meta);
    assert.match(e.err, /bad-meta\.onnx: metadata 'qwb\.preprocess'|bad-meta\.onnx: metadata/, meta);
  }
});

test('export --max-batch beyond an int is refused before any work', () => {
  const r = qwb('export', demo, '--format', 'so', '--out', path.join(dir, 'so-big'), '--max-batch', String(2 ** 63));
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--max-batch must be an integer from 1 to 2147483647/);
  assert.ok(!fs.existsSync(path.join(dir, 'so-big')));
});
