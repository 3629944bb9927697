import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

import { toServiceError } from '../../engine/api/errors';
import { Service } from '../../engine/api/service';
import { NodeHost } from '../../engine/host/node-host';
import { loadModel } from '../../engine/onnx/load';
import { METADATA_PREPROCESS, METADATA_QUANT } from '../../engine/quant/qdq-writer';
import { DEMO_MODEL, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, smallConvNet } from './helpers';
import { nativeInfo } from '../helpers/cpu';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-quant-'));
const small = smallConvNet(path.join(dir, 'small.onnx'));
const svc = new Service(new NodeHost());
const norm = { mean: [0.286], std: [0.353] };
const METHODS = ['minmax', 'percentile', 'entropy', 'mse', 'custom'] as const;

async function ortRun(file: string, n = 2): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file);
  const x = new Float32Array(n * 784).map((_, i) => Math.sin(i) * 0.8);
  const r = await s.run({ input: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
  const out = r[s.outputNames[0]];
  await s.release();
  return out.data as Float32Array;
}

function thresholdsFor(file: string, out: string): string {
  // Custom thresholds: every tensor the minmax model quantized, from its scale/zero point.
  const m = loadModel(fs.readFileSync(file));
  const doc: Record<string, { min: number; max: number }> = {};
  for (const n of m.graph.nodes) {
    if (n.opType !== 'QuantizeLinear') continue;
    const s = m.graph.initializers.get(n.inputs[1])!.data[0];
    const z = m.graph.initializers.get(n.inputs[2])!.data[0];
    doc[n.inputs[0]] = { min: (0 - z) * s, max: (255 - z) * s };
  }
  fs.writeFileSync(out, JSON.stringify(doc));
  return out;
}

async function quantizeEach(model: string, tag: string): Promise<void> {
  const fp32Logits = await ortRun(model);
  for (const method of METHODS) {
    const out = path.join(dir, `${tag}.${method}.onnx`);
    const r = await svc.quantizeModel({
      modelPath: model,
      outPath: out,
      calib: method === 'custom' ? undefined : TRAIN_IMAGES,
      calibCount: 64,
      method,
      thresholdsFile: method === 'custom' ? thresholdsFor(path.join(dir, `${tag}.minmax.onnx`), path.join(dir, `${tag}.t.json`)) : undefined,
      preprocess: norm,
      threads: 1,
    });
    assert.ok(r.quantizedNodes.length > 0, `${method}: nothing quantized`);
    const logits = await ortRun(out);
    assert.equal(logits.length, 20, `${method}: ORT output size`);
    assert.ok(logits.every(Number.isFinite), `${method}: ORT output finite`);
    // ONNX Runtime runs both files: the QDQ model must still compute what the FP32 one does.
    const cos = cosine(logits, fp32Logits);
    assert.ok(cos >= 0.99, `${method}: cosine of ORT(QDQ) with ORT(FP32) ${cos.toFixed(4)} < 0.99`);
    if (method === 'custom') {
      // Thresholds taken from the minmax model must give back exactly its scales and zero points.
      assert.deepEqual(qparams(out), qparams(path.join(dir, `${tag}.minmax.onnx`)), 'custom thresholds reproduce the minmax scales');
    }
  }
}

/** Activation scale and zero point of every QuantizeLinear of a QDQ file, by tensor. */
function qparams(file: string): Record<string, [number, number]> {
  const g = loadModel(fs.readFileSync(file)).graph;
  const out: Record<string, [number, number]> = {};
  for (const n of g.nodes) {
    if (n.opType !== 'QuantizeLinear' || !g.initializers.has(n.inputs[2]) || g.initializers.has(n.inputs[0])) continue;
    out[n.inputs[0]] = [g.initializers.get(n.inputs[1])!.data[0], g.initializers.get(n.inputs[2])!.data[0]];
  }
  return out;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

test('small conv net: every method writes a QDQ model that onnxruntime runs', async () => {
  await quantizeEach(small, 'small');
});

test('QDQ structure: per-channel s8 weights on axis 0, int32 bias, u8 zero point 0 after Relu, metadata', async () => {
  const m = loadModel(fs.readFileSync(path.join(dir, 'small.minmax.onnx')));
  const g = m.graph;
  assert.ok(m.opset >= 13);
  const byOut = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const conv2 = g.nodes.find((n) => n.name === 'conv2')!;
  const wdq = byOut.get(conv2.inputs[1])!;
  assert.equal(wdq.opType, 'DequantizeLinear');
  assert.deepEqual(wdq.attrs.axis, { type: 'int', value: 0 });
  assert.equal(g.initializers.get(wdq.inputs[0])!.dtype, 'int8');
  assert.deepEqual(g.initializers.get(wdq.inputs[1])!.dims, [8]);
  assert.equal(g.initializers.get(wdq.inputs[2])!.dtype, 'int8');
  const bdq = byOut.get(conv2.inputs[2])!;
  assert.equal(g.initializers.get(bdq.inputs[0])!.dtype, 'int32');
  // BN folded into conv1: no BatchNormalization, and Conv -> Relu -> Q (no Q between Conv and Relu).
  assert.ok(!g.nodes.some((n) => n.opType === 'BatchNormalization'));
  const relu1 = g.nodes.find((n) => n.name === 'relu1')!;
  assert.equal(byOut.get(relu1.inputs[0])!.opType, 'Conv');
  const q = g.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === 'r1')!;
  const zp = g.initializers.get(q.inputs[2])!;
  assert.equal(zp.dtype, 'uint8');
  assert.equal(zp.data[0], 0);
  // The input (normalized, negative background) is asymmetric: non-zero zero point.
  const qin = g.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === 'input')!;
  assert.ok(g.initializers.get(qin.inputs[2])!.data[0] > 0);
  // Gemm weight: per output column (transB=1 -> axis 0), 10 scales.
  const fc = g.nodes.find((n) => n.name === 'fc')!;
  assert.deepEqual(g.initializers.get(byOut.get(fc.inputs[1])!.inputs[1])!.dims, [10]);
  assert.deepEqual(JSON.parse(m.metadata[METADATA_PREPROCESS]), norm);
  assert.equal(JSON.parse(m.metadata[METADATA_QUANT]).method, 'minmax');
});

test('symmetric, per-tensor and reduce range options', async () => {
  const out = path.join(dir, 'small.sym.onnx');
  const r = await svc.quantizeModel({ modelPath: small, outPath: out, calib: TRAIN_IMAGES, calibCount: 32, symmetric: true, perTensor: true, reduceRange: true, preprocess: norm, exclude: ['fc'] });
  assert.equal(r.weightBits, 7);
  assert.ok(r.excludedNodes.some((e) => e.node === 'fc'));
  const g = loadModel(fs.readFileSync(out)).graph;
  for (const n of g.nodes.filter((x) => x.opType === 'QuantizeLinear')) {
    const zp = g.initializers.get(n.inputs[2])!;
    assert.equal(zp.dtype, 'int8');
    assert.equal(zp.data[0], 0);
  }
  const w = g.initializers.get('w2_quantized')!;
  assert.ok(Math.max(...Array.from(w.data as Int8Array, Math.abs)) <= 64, '7-bit weights');
  assert.deepEqual(g.initializers.get('w2_scale')!.dims, []);
  assert.ok(g.nodes.find((n) => n.name === 'fc')!.inputs[1] === 'fc_w', 'excluded Gemm keeps FP32 weights');
  await ortRun(out);
});

test('bad data: missing file, wrong shape, unknown exclude name give clear errors', async () => {
  const base = { modelPath: small, outPath: path.join(dir, 'bad.onnx'), preprocess: norm };
  const missing = path.join(dir, 'nope.idx');
  await assert.rejects(svc.quantizeModel({ ...base, calib: missing }), (e: unknown) => {
    const s = toServiceError(e);
    return s.code === 'E_DATA' && s.message.includes(missing);
  });
  await assert.rejects(svc.quantizeModel({ ...base, calib: TRAIN_IMAGES, calibCount: 8, preprocess: { ...norm, size: [32, 32] } }), (e: unknown) => {
    const s = toServiceError(e);
    return s.code === 'E_DATA' && s.message.includes(TRAIN_IMAGES) && s.message.includes('--size 28,28');
  });
  await assert.rejects(svc.quantizeModel({ ...base, calib: TRAIN_IMAGES, exclude: ['convX'] }), /convX/);
  assert.ok(!fs.existsSync(base.outPath));
});

test('cancel via AbortSignal leaves no output file', async () => {
  const out = path.join(dir, 'cancelled.onnx');
  const ac = new AbortController();
  const host = new NodeHost({ onProgress: (e) => e.done !== undefined && e.done >= 32 && ac.abort() });
  await assert.rejects(
    new Service(host).quantizeModel({ modelPath: small, outPath: out, calib: TRAIN_IMAGES, calibCount: 256, method: 'entropy', preprocess: norm }, { signal: ac.signal }),
    (e: unknown) => toServiceError(e).code === 'E_CANCELLED',
  );
  assert.ok(!fs.existsSync(out));
});

test('accuracy-aware fallback keeps layers in FP32 until the target holds', async () => {
  const out = path.join(dir, 'small.fallback.onnx');
  const r = await svc.quantizeModel({
    modelPath: small, outPath: out, calib: TRAIN_IMAGES, calibCount: 32, preprocess: norm,
    targetDrop: 0, data: TEST_IMAGES, labels: TEST_LABELS, limit: 100, backend: 'ort', threads: 1,
  });
  const f = r.fallback!;
  assert.ok(f.steps.length >= 1);
  assert.equal(f.steps.length, f.keptFp32.length + 1);
  if (f.met) assert.ok(f.steps[f.steps.length - 1].drop <= 0);
  assert.ok(f.latency.fp32 > 0 && f.latency.int8Final > 0);
  for (const k of f.keptFp32) assert.ok(!r.quantizedNodes.includes(k));
  await ortRun(out);
});

const root = path.resolve(__dirname, '..', '..', '..');
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'qwb.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('CLI: quantize, eval (metadata defaults) and compare print the documented JSON keys', () => {
  const out = path.join(dir, 'cli.int8.onnx');
  const q = cli('quantize', small, '--calib', TRAIN_IMAGES, '--calib-count', '32', '--method', 'percentile', '--percentile', '99.9', '--mean', '0.286', '--std', '0.353', '--out', out, '--json');
  assert.equal(q.code, 0, q.err);
  const qj = JSON.parse(q.out);
  assert.equal(qj.method, 'percentile');
  assert.ok(qj.quantizedNodes.length > 0 && fs.existsSync(out));
  // No preprocessing flags: they come from the QDQ model's metadata.
  const e = cli('eval', out, '--data', TEST_IMAGES, '--labels', TEST_LABELS, '--limit', '50', '--backend', 'ort', '--json');
  assert.equal(e.code, 0, e.err);
  const ej = JSON.parse(e.out);
  assert.equal(ej.count, 50);
  assert.ok(ej.top1 >= 0 && ej.top1 <= 1 && ej.top5 >= ej.top1);
  const c = cli('compare', small, out, '--data', TEST_IMAGES, '--labels', TEST_LABELS, '--limit', '50', '--backend', 'ort', '--json');
  assert.equal(c.code, 0, c.err);
  const cj = JSON.parse(c.out);
  for (const k of ['top1', 'top5']) {
    assert.equal(typeof cj.fp32[k], 'number');
    assert.equal(typeof cj.int8[k], 'number');
  }
  assert.ok(cj.agreement >= 0 && cj.agreement <= 1);
  assert.ok(cj.layers.length >= 5);
  for (const l of cj.layers) assert.deepEqual(['cosine', 'name', 'op', 'sqnr_db'].every((k) => k in l), true);
  for (let i = 1; i < cj.layers.length; i++) assert.ok(cj.layers[i - 1].sqnr_db <= cj.layers[i].sqnr_db, 'ranked worst first');
  const bad = cli('quantize', small, '--calib', path.join(dir, 'missing.idx'), '--out', path.join(dir, 'x.onnx'));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /missing\.idx/);
});

/** `qwb quantize` of the small net with the weight width left to the CPU, in a fresh process. */
function quantizeAuto(out: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'qwb.js'), 'quantize', small, '--calib', TRAIN_IMAGES, '--calib-count', '16', '--mean', '0.286', '--std', '0.353', '--out', out, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  const maxW = Math.max(...Array.from(loadModel(fs.readFileSync(out)).graph.initializers.get('w2_quantized')!.data as Int8Array, Math.abs));
  return { json: JSON.parse(r.stdout) as { weightBits: number; warnings: string[] }, stderr: r.stderr, maxW };
}

test('weight width follows the CPU: 8-bit and no warning with VNNI/AMX, 7-bit with a warning where pairs saturate', () => {
  const info = nativeInfo();
  const q = quantizeAuto(path.join(dir, 'small.auto.onnx'));
  const saturates = info.int8Accumulation === '16bit-pairs';
  assert.equal(q.json.weightBits, saturates ? 7 : 8, `int8 accumulation ${info.int8Accumulation} (oneDNN ISA ${info.isa})`);
  assert.equal(q.json.warnings.length, saturates ? 1 : 0, q.json.warnings.join('; '));
  assert.equal(/reduce range/.test(q.stderr), saturates, q.stderr);
  // The file holds what was reported: per-channel weights reach 127 at 8 bits, at most 64 at 7.
  if (saturates) assert.ok(q.maxW <= 64, `7-bit weights, max |w| ${q.maxW}`);
  else assert.equal(q.maxW, 127);
});

test('capped to AVX2 (vpmaddubsw), quantize keeps the 7-bit advice whatever the CPU has', (t) => {
  if (!nativeInfo().cpu.features.includes('avx2')) return t.skip('this CPU has no AVX2');
  const q = quantizeAuto(path.join(dir, 'small.avx2.onnx'), { ONEDNN_MAX_CPU_ISA: 'AVX2' });
  assert.equal(q.json.weightBits, 7);
  assert.match(q.stderr, /16-bit saturating.*reduce range/);
  assert.ok(q.maxW <= 64, `7-bit weights, max |w| ${q.maxW}`);
});

test('demo model: every method quantizes and onnxruntime runs it', async () => {
  assert.ok(fs.existsSync(DEMO_MODEL), `${DEMO_MODEL} is missing (it is committed under assets/demo)`);
  await quantizeEach(DEMO_MODEL, 'demo');
});
