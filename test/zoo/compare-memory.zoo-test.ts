// `qwb compare` of ResNet-50 (224x224, .cache/models) on 16 samples in constant memory: the
// per-layer analysis keeps running sums, not activations (it peaked at 9.1 GB before), and runs
// in batches whose layer outputs fit a fixed budget. Peak RSS of the whole CLI process < 1 GB.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { formatNpy } from '../../engine/data/npy';
import { ROOT } from './corpus';

const CLI = path.join(ROOT, 'bin', 'qwb.js');
const MODEL = path.join(ROOT, '.cache', 'models', 'resnet50.onnx');
const DIR = path.join(ROOT, '.cache', 'zoo', 'results');

function qwb(args: string[], preload?: string) {
  const r = spawnSync(process.execPath, [...(preload ? ['-r', preload] : []), CLI, ...args], { encoding: 'utf8', timeout: 20 * 60_000 });
  assert.equal(r.status, 0, `qwb ${args[0]} failed: ${r.stderr}`);
  return r;
}

test('qwb compare: ResNet-50 on 16 samples peaks under 1 GB', { timeout: 30 * 60_000, skip: !fs.existsSync(MODEL) && 'no .cache/models/resnet50.onnx (npm test exports it)' }, () => {
  fs.mkdirSync(DIR, { recursive: true });
  const data = path.join(DIR, 'resnet50-16.npy');
  const n = 16 * 3 * 224 * 224;
  const x = new Float32Array(n);
  for (let i = 0, s = 1; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = (s / 2147483648) * 4 - 2;
  }
  fs.writeFileSync(data, formatNpy([16, 3, 224, 224], x));
  const int8 = path.join(DIR, 'resnet50.int8.onnx');
  qwb(['quantize', MODEL, '--calib', data, '--calib-count', '8', '--method', 'minmax', '--out', int8]);
  const r = qwb(['compare', MODEL, int8, '--data', data, '--json'], path.join(__dirname, 'print-maxrss.js'));
  const kb = Number(/QWB_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1]);
  const out = JSON.parse(r.stdout) as { count: number; layers: { sqnr_db: number }[] };
  console.log(`qwb compare ResNet-50, 16 samples: peak RSS ${(kb / 1024).toFixed(0)} MB, ${out.layers.length} layers`);
  assert.equal(out.count, 16);
  assert.ok(out.layers.length >= 50, `${out.layers.length} layers analysed`);
  assert.ok(kb > 0 && kb < 1024 * 1024, `peak RSS ${(kb / 1024).toFixed(0)} MB >= 1024 MB`);
});
