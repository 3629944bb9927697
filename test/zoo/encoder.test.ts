// The corpus' BERT-style encoder (tools/export_zoo.py: int64 input_ids and attention_mask, opset
// 17) through the CLI as a user runs it: `qwb quantize` on an .npz of random sequences, the INT8
// model's plan (int8 projections with fused bias/GELU, no int8 work left in FP32), the argmax
// agreement of INT8 with FP32 over 1,000 random sequences (and ONNX Runtime on the same QDQ file as
// the reference for what INT8 should give), and `qwb bench` at sequence length 128.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { loadModel } from '../../engine/onnx/load';
import { ModelSession } from '../../engine/runtime/session';
import { floatData } from '../../engine/runtime/session-types';
import { ensureExported, ROOT, ZOO } from './corpus';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const CLI = path.join(ROOT, 'bin', 'qwb.js');
const MODEL = path.join(ZOO, 'bert_encoder.onnx');
const DIR = path.join(ZOO, 'results');
const SEQ = 32;
const VOCAB = 2000;

function qwb(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20 * 60_000 });
  assert.equal(r.status, 0, `qwb ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

/** n random sequences: ids uniform over the vocabulary, every other one padded after a random length. */
function sequences(n: number, seed: number): { ids: BigInt64Array; mask: BigInt64Array } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const ids = new BigInt64Array(n * SEQ);
  const mask = new BigInt64Array(n * SEQ);
  for (let b = 0; b < n; b++) {
    const len = b % 2 ? 4 + Math.floor(next() * (SEQ - 4)) : SEQ;
    for (let t = 0; t < SEQ; t++) {
      ids[b * SEQ + t] = BigInt(t < len ? Math.floor(next() * VOCAB) : 0);
      mask[b * SEQ + t] = t < len ? 1n : 0n;
    }
  }
  return { ids, mask };
}

function writeNpz(file: string, arrays: Record<string, BigInt64Array>, n: number): void {
  // numpy writes the archive: the format's own oracle.
  const tmp = Object.entries(arrays).map(([k, v]) => {
    const f = `${file}.${k}.bin`;
    fs.writeFileSync(f, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    return [k, f] as const;
  });
  const code = `import numpy as np, sys\nnp.savez(sys.argv[1], ${tmp.map(([k, f]) => `${k}=np.fromfile('${f}', dtype='<i8').reshape(${n}, ${SEQ})`).join(', ')})`;
  const r = spawnSync('/usr/bin/python3', ['-c', code, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const [, f] of tmp) fs.rmSync(f);
}

function argmax(logits: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < logits.length / classes; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

test('BERT-style encoder: qwb quantize from an .npz, INT8 plan, argmax agreement on 1,000 sequences, qwb bench at 128 tokens', { timeout: 30 * 60_000 }, async () => {
  ensureExported(['bert_encoder']);
  fs.mkdirSync(DIR, { recursive: true });
  const calib = path.join(DIR, 'bert-calib.npz');
  const c = sequences(64, 11);
  writeNpz(calib, { input_ids: c.ids, attention_mask: c.mask }, 64);
  const int8 = path.join(DIR, 'bert_encoder.cli.int8.onnx');
  const q = JSON.parse(qwb('quantize', MODEL, '--calib', calib, '--method', 'minmax', '--out', int8, '--json')) as { quantizedNodes: string[] };
  assert.ok(q.quantizedNodes.length >= 24, `${q.quantizedNodes.length} nodes quantized`);

  // The INT8 plan: projections and feed-forward as int8 matmuls (bias inside), GELU fused into ff1.
  const qdq = loadModel(fs.readFileSync(int8));
  const s8 = await ModelSession.load(qdq, { threads: 0 });
  const fp = await ModelSession.load(MODEL, { threads: 0 });
  const o = await ort.InferenceSession.create(int8);
  try {
    const plan = await s8.compile({ input_ids: [50, SEQ], attention_mask: [50, SEQ] });
    const int8Matmuls = plan.steps.filter((st) => st.kind === 'matmul' && plan.tensors[st.inputs[0]].dtype !== 'f32');
    assert.ok(int8Matmuls.length >= 24, `${int8Matmuls.length} int8 matmuls`);
    assert.ok(int8Matmuls.every((st) => st.inputs[2] >= 0), 'every int8 projection carries its bias');
    assert.ok(int8Matmuls.some((st) => (st.attrs.post_ops as string[] | undefined)?.includes('gelu_erf')), 'GELU fused into the int8 feed-forward matmul');
    // 1,000 random sequences, 50 at a time.
    let agreeFp = 0;
    let agreeOrt = 0;
    const N = 1000;
    for (let b = 0; b < N / 50; b++) {
      const { ids, mask } = sequences(50, 1000 + b);
      const feeds = { input_ids: { dims: [50, SEQ], data: ids }, attention_mask: { dims: [50, SEQ], data: mask } };
      const a = argmax(floatData((await s8.run(feeds)).outputs.logits, 'INT8 logits'), 8);
      const f = argmax(floatData((await fp.run(feeds)).outputs.logits, 'FP32 logits'), 8);
      const r = await o.run({ input_ids: new ort.Tensor('int64', ids, [50, SEQ]), attention_mask: new ort.Tensor('int64', mask, [50, SEQ]) });
      const g = argmax(r.logits.data as Float32Array, 8);
      a.forEach((v, i) => {
        if (v === f[i]) agreeFp++;
        if (v === g[i]) agreeOrt++;
      });
    }
    console.log(`bert_encoder: INT8 argmax agrees with FP32 on ${agreeFp}/${N} random sequences, with ONNX Runtime on the same QDQ file on ${agreeOrt}/${N}`);
    // Random weights leave the 8 logits close together, so the argmax is sensitive: measured 0.961 here (AVX2, 7-bit weights).
    assert.ok(agreeFp / N >= 0.93, `INT8 vs FP32 argmax agreement ${agreeFp / N}`);
    assert.ok(agreeOrt / N >= 0.97, `INT8 vs ONNX Runtime (same QDQ) argmax agreement ${agreeOrt / N}`);
  } finally {
    s8.dispose();
    fp.dispose();
    await o.release();
  }

  // qwb bench at 128 tokens: FP32 raw, fused and INT8 (quantized on the fly on random ids) per layer.
  const bench = JSON.parse(qwb('bench', MODEL, '--shape', 'input_ids=1x128', '--shape', 'attention_mask=1x128', '--per-layer', '--iters', '3', '--json')) as {
    inputDims: Record<string, number[]>;
    totals_ms: { fp32_raw: number; fp32_fused: number; int8: number };
  };
  assert.deepEqual(bench.inputDims.input_ids, [1, 128]);
  for (const k of ['fp32_raw', 'fp32_fused', 'int8'] as const) assert.ok(bench.totals_ms[k] > 0, `${k} timed`);
});
