// Tensor sets: data for non-image and multi-input models. .npz archives written by numpy itself
// (savez stored, savez_compressed deflated; python3-numpy is the oracle for the format), one .npy
// per input as NAME=FILE pairs, dtypes converted to what each input declares, labels, and clear
// errors naming the file and the input. Then end to end: a two-input model (float features and
// int64 token ids) quantized from an .npz and run by `qwb run --input NAME=FILE` with int64 .npy
// files, its int64 and bool outputs written as .npy that numpy reads back.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { Service } from '../../engine/api/service';
import { openTensorSet } from '../../engine/data';
import { NodeHost } from '../../engine/host/node-host';
import { makeTensor } from '../../engine/ir/tensor';
import { loadModel } from '../../engine/onnx/load';
import { saveModel } from '../../engine/onnx/save';
import { ModelSession } from '../../engine/runtime/session';
import { floatData } from '../../engine/runtime/session-types';
import { IrBuilder, int, randomInput } from '../engine/ir-builder';
import { cosine, onnxChecker } from '../zoo/corpus';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-tensorset-'));
const CLI = path.resolve(__dirname, '..', '..', '..', 'bin', 'qwb.js');

function python(code: string): string {
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return r.stdout;
}

// Token ids, a mask, float features and labels, for 6 items, stored and deflated.
python(`
import numpy as np
rng = np.random.default_rng(3)
ids = rng.integers(0, 50, size=(6, 8)).astype(np.int64)
mask = (rng.random((6, 8)) > 0.2).astype(np.int64)
feat = rng.standard_normal((6, 4)).astype(np.float64)
np.savez('set.npz', input_ids=ids, mask=mask, feat=feat, labels=np.arange(6) % 3)
np.savez_compressed('set-z.npz', input_ids=ids, mask=mask, feat=feat)
np.save('ids.npy', ids); np.save('mask.npy', mask); np.save('feat.npy', feat.astype(np.float32))
np.save('bad-ids.npy', ids.astype(np.float32))
`);
const INPUTS = [
  { name: 'feat', dtype: 'float32', dims: ['N', 4] as (number | string)[] },
  { name: 'input_ids', dtype: 'int64', dims: ['N', 8] as (number | string)[] },
  { name: 'mask', dtype: 'int64', dims: ['N', 8] as (number | string)[] },
];

test('.npz (stored and deflated) and NAME=FILE sets: dtypes per input, batches, labels', async () => {
  const stored = await openTensorSet({ kind: 'npz', file: path.join(dir, 'set.npz') }, INPUTS, {});
  const deflated = await openTensorSet({ kind: 'npz', file: path.join(dir, 'set-z.npz') }, INPUTS, { count: 4, seed: 1 });
  const pairs = await openTensorSet({ kind: 'arrays', files: { feat: path.join(dir, 'feat.npy'), input_ids: path.join(dir, 'ids.npy'), mask: path.join(dir, 'mask.npy') } }, INPUTS);
  assert.equal(stored.count, 6);
  assert.ok(stored.hasLabels && !deflated.hasLabels);
  assert.equal(deflated.count, 4);
  const all = async (ds: typeof stored, n: number) => {
    const out = [];
    for await (const b of ds.batches(n)) out.push(b);
    return out;
  };
  const [b0, b1] = await all(stored, 4);
  assert.deepEqual([b0.dims[0], b1.dims[0]], [4, 2]);
  assert.ok(b0.feeds!.input_ids.data instanceof BigInt64Array && b0.feeds!.feat.data instanceof Float32Array);
  assert.deepEqual(Array.from(b1.labels!), [1, 2]);
  const ref = python(`
import numpy as np
d = np.load('set.npz'); print(int(d['input_ids'][5, 7]), int(d['mask'][4].sum()), float(d['feat'][1, 2]))`).trim().split(' ');
  assert.equal(String(b1.feeds!.input_ids.data[15]), ref[0]);
  assert.equal(String(Array.from(b1.feeds!.mask.data.slice(0, 8) as BigInt64Array).reduce((a, v) => a + v, 0n)), ref[1]);
  assert.ok(Math.abs(Number(b0.feeds!.feat.data[6]) - Number(ref[2])) < 1e-6);
  const [p0] = await all(pairs, 6);
  assert.deepEqual(Array.from(p0.feeds!.input_ids.data as BigInt64Array), Array.from(b0.feeds!.input_ids.data as BigInt64Array).concat(Array.from(b1.feeds!.input_ids.data as BigInt64Array)));
  // The seeded sample of the deflated archive picks the same items as the stored one would.
  const [d0] = await all(deflated, 4);
  assert.equal(d0.dims[0], 4);
});

test('tensor set errors name the file and the input', async () => {
  const npz = { kind: 'npz' as const, file: path.join(dir, 'set.npz') };
  await assert.rejects(openTensorSet(npz, [...INPUTS, { name: 'extra', dtype: 'float32', dims: ['N', 2] }]), /has no array for the model input 'extra'/);
  await assert.rejects(openTensorSet(npz, INPUTS.slice(0, 2)), /has an array 'mask', which is not an input of the model/);
  await assert.rejects(openTensorSet(npz, [INPUTS[0], { ...INPUTS[1], dims: ['N', 9] }, INPUTS[2]]), /input 'input_ids'.*needs \[N, 9\]/);
  await assert.rejects(
    openTensorSet({ kind: 'arrays', files: { feat: path.join(dir, 'feat.npy'), input_ids: path.join(dir, 'bad-ids.npy'), mask: path.join(dir, 'mask.npy') } }, INPUTS),
    /bad-ids\.npy: dtype f4 but input 'input_ids' is int64/,
  );
  await assert.rejects(openTensorSet({ kind: 'npz', file: path.join(dir, 'ids.npy') }, INPUTS), /not an \.npz \(zip\) archive/);
});

/** feat [N,4] -> MatMul -> Relu; embedding of ids masked -> mean over tokens; both -> MatMul. */
function twoInputModel(file: string): string {
  const b = new IrBuilder(14);
  b.input('feat', ['N', 4]);
  b.input('input_ids', ['N', 8], 'int64');
  b.input('mask', ['N', 8], 'int64');
  b.rand('w1', [4, 16], -0.5, 0.5);
  b.rand('table', [50, 16], -1, 1);
  b.rand('w2', [16, 5], -0.5, 0.5);
  b.init('axes', makeTensor('int64', [1], [2]));
  b.node('MatMul', ['feat', 'w1'], ['h'], {}, 'fc1');
  b.node('Relu', ['h'], ['hr'], {}, 'relu1');
  b.node('Gather', ['table', 'input_ids'], ['emb'], { axis: int(0) }, 'embed');
  b.node('Cast', ['mask'], ['mf'], { to: int(1) }, 'mask_cast');
  b.node('Unsqueeze', ['mf', 'axes'], ['m3'], {}, 'mask_3d');
  b.node('Mul', ['emb', 'm3'], ['me'], {}, 'masked');
  b.node('ReduceMean', ['me'], ['pooled'], { axes: { type: 'ints', value: [1] }, keepdims: int(0) }, 'pool');
  b.node('Add', ['hr', 'pooled'], ['joined'], {}, 'join');
  b.node('MatMul', ['joined', 'w2'], ['logits'], {}, 'fc2');
  b.node('ArgMax', ['logits'], ['best'], { axis: int(1), keepdims: int(0) }, 'argmax');
  b.node('Cast', ['best'], ['odd'], { to: int(9) }, 'odd');
  b.output('logits');
  b.output('best', 'int64');
  b.output('odd', 'bool');
  fs.writeFileSync(file, saveModel(b.model));
  return file;
}

test('two-input model with int64 ids: quantize from an .npz, INT8 vs ONNX Runtime on the QDQ file, qwb run with NAME=FILE int64 .npy', async () => {
  const model = twoInputModel(path.join(dir, 'two.onnx'));
  const out = path.join(dir, 'two.int8.onnx');
  const svc = new Service(new NodeHost());
  const r = await svc.quantizeModel({ modelPath: model, outPath: out, calib: path.join(dir, 'set.npz'), method: 'minmax', threads: 1 });
  assert.ok(r.quantizedNodes.includes('fc1') && r.quantizedNodes.includes('fc2'), `quantized: ${r.quantizedNodes}`);
  assert.equal(r.calibrationSamples, 6);
  assert.equal(onnxChecker(out), '');
  // Same feeds through ours (INT8) and ONNX Runtime on our QDQ file.
  const feeds = {
    feat: { dims: [3, 4], data: randomInput(12, 5) },
    input_ids: { dims: [3, 8], data: BigInt64Array.from({ length: 24 }, (_, i) => BigInt((i * 7) % 50)) },
    mask: { dims: [3, 8], data: BigInt64Array.from({ length: 24 }, (_, i) => BigInt(i % 5 === 4 ? 0 : 1)) },
  };
  const o = await ort.InferenceSession.create(out);
  const ref = await o.run({
    feat: new ort.Tensor('float32', feeds.feat.data, [3, 4]),
    input_ids: new ort.Tensor('int64', feeds.input_ids.data, [3, 8]),
    mask: new ort.Tensor('int64', feeds.mask.data, [3, 8]),
  });
  await o.release();
  const s = await ModelSession.load(loadModel(fs.readFileSync(out)), { threads: 1 });
  try {
    const got = (await s.run(feeds)).outputs;
    const c = cosine(floatData(got.logits, 'logits'), ref.logits.data as Float32Array);
    assert.ok(c >= 0.999, `INT8 logits cosine with ONNX Runtime on the same QDQ file ${c}`);
  } finally {
    s.dispose();
  }
  // qwb run: one .npy per input by name; int64 and bool outputs as .npy.
  python(`
import numpy as np
rng = np.random.default_rng(9)
np.save('f3.npy', rng.standard_normal((3, 4)).astype(np.float32))
np.save('i3.npy', (np.arange(24).reshape(3, 8) * 7 % 50).astype(np.int64))
np.save('m3.npy', np.ones((3, 8), np.int64))`);
  const run = spawnSync(process.execPath, [CLI, 'run', model, '--input', `feat=${path.join(dir, 'f3.npy')}`, '--input', `input_ids=${path.join(dir, 'i3.npy')}`, '--input', `mask=${path.join(dir, 'm3.npy')}`,
    '--output', `best=${path.join(dir, 'best.npy')}`, '--output', `odd=${path.join(dir, 'odd.npy')}`, '--output', `logits=${path.join(dir, 'logits.npy')}`], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const check = python(`
import numpy as np
b = np.load('best.npy'); o = np.load('odd.npy'); l = np.load('logits.npy')
print(b.dtype, o.dtype, l.dtype, b.shape, ' '.join(map(str, b)), ' '.join(str(int(v)) for v in o), ' '.join(str(int(v)) for v in l.argmax(1)))`).trim();
  const [bd, od, ld, shape, ...rest] = check.split(' ');
  assert.deepEqual([bd, od, ld, shape], ['int64', 'bool', 'float32', '(3,)']);
  const best = rest.slice(0, 3);
  assert.deepEqual(best, rest.slice(6, 9), 'argmax output = argmax of the logits output');
  assert.deepEqual(rest.slice(3, 6), best.map((v) => (v === '0' ? '0' : '1')), 'bool output = best != 0');
});
