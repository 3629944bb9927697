// Real models end to end: ResNet-18, ResNet-50 and MobileNetV2 exported from Debian's torchvision
// with random weights (tools/export_torchvision.py, cached under .cache/models) run through our
// ModelSession, fused and unfused, against onnxruntime-node; and the bundled demo model's FP32 top-1
// on its 1,000-image sample against the figure recorded when it was trained.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { parseIdx } from '../../engine/data/idx';
import { ModelSession } from '../../engine/runtime/session';
import { assertClose, runOrt } from '../helpers/oracle';
import { closeness } from '../helpers/tolerance';
import { floatData } from '../../engine/runtime/session-types';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(ROOT, '.cache', 'models');
const PYTHON = '/usr/bin/python3';
const MODELS = ['resnet18', 'resnet50', 'mobilenet_v2'];
const REL_TOL = 1e-4;

/** Exports the models not yet cached; fails with the exporter's message when torch is missing. */
function ensureModels(): void {
  const missing = MODELS.filter((m) => !fs.existsSync(path.join(CACHE, `${m}.onnx`)));
  if (missing.length === 0) return;
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools', 'export_torchvision.py'), '--out', CACHE, ...missing], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (r.error) assert.fail(`cannot run ${PYTHON} tools/export_torchvision.py: ${r.error.message} (install Debian python3-torch python3-torchvision)`);
  if (r.status !== 0) {
    const err = (r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n');
    assert.fail(`tools/export_torchvision.py failed (exit ${r.status}); torch/torchvision missing? (Debian python3-torch python3-torchvision)\n${err}`);
  }
}

/** Seeded standard-normal-ish input (xorshift + Box-Muller), so runs are reproducible. */
function seededInput(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

for (const name of MODELS) {
  test(`${name}: fused and unfused FP32 match onnxruntime (batch 2)`, { timeout: 15 * 60_000 }, async () => {
    ensureModels();
    const file = path.join(CACHE, `${name}.onnx`);
    const bytes = fs.readFileSync(file);
    const dims = [2, 3, 224, 224];
    const input = { dims, data: seededInput(2 * 3 * 224 * 224, 42) };
    const ref = (await runOrt(bytes, { input }))['logits'];
    assert.deepEqual(ref.dims, [2, 1000]);
    const errs: string[] = [];
    for (const fused of [true, false]) {
      const session = await ModelSession.load(file, { fused, threads: 0 });
      try {
        const out = (await session.run({ input })).outputs['logits'];
        assert.ok(out, `${name}: no 'logits' output`);
        assertClose(out, ref, REL_TOL, `${name} ${fused ? 'fused' : 'unfused'}`);
        errs.push(`${fused ? 'fused' : 'unfused'} ${closeness(floatData(out, 'logits'), ref.data, REL_TOL).relErr.toExponential(2)}`);
      } finally {
        session.dispose();
      }
    }
    console.log(`${name}: max relative error vs onnxruntime: ${errs.join(', ')}`);
  });
}

test('demo model: FP32 top-1 on the bundled sample matches demo.json', { timeout: 5 * 60_000 }, async () => {
  const demoDir = path.join(ROOT, 'assets', 'demo');
  const meta = JSON.parse(fs.readFileSync(path.join(demoDir, 'demo.json'), 'utf8')) as {
    model: string;
    input: string;
    output: string;
    mean: number[];
    std: number[];
    sample: { images: string; labels: string; count: number };
    fp32_top1_sample: number;
  };
  const images = parseIdx(fs.readFileSync(path.join(demoDir, meta.sample.images)), meta.sample.images);
  const labels = parseIdx(fs.readFileSync(path.join(demoDir, meta.sample.labels)), meta.sample.labels);
  const n = meta.sample.count;
  assert.deepEqual(images.shape, [n, 28, 28]);
  assert.deepEqual(labels.shape, [n]);
  const x = new Float32Array(n * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = (images.data[i] / 255 - meta.mean[0]) / meta.std[0];
  const session = await ModelSession.load(path.join(demoDir, meta.model), { fused: true });
  let correct = 0;
  try {
    const batch = 250;
    for (let b = 0; b < n; b += batch) {
      const m = Math.min(batch, n - b);
      const out = (await session.run({ [meta.input]: { dims: [m, 1, 28, 28], data: x.slice(b * 784, (b + m) * 784) } })).outputs[meta.output];
      assert.deepEqual(out.dims, [m, 10]);
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (out.data[i * 10 + c] > out.data[i * 10 + best]) best = c;
        if (best === labels.data[b + i]) correct++;
      }
    }
  } finally {
    session.dispose();
  }
  const top1 = correct / n;
  console.log(`demo model: FP32 top-1 on the ${n}-image sample ${(100 * top1).toFixed(1)}% (torch at training: ${(100 * meta.fp32_top1_sample).toFixed(1)}%)`);
  assert.ok(Math.abs(top1 - meta.fp32_top1_sample) <= 0.002 + 1e-9, `top-1 ${top1} vs demo.json ${meta.fp32_top1_sample}`);
});
