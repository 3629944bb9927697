// Small QDQ graphs run three ways: our int8 path (default), our fake-quant reference (int8: false)
// and onnxruntime-node (graph optimisations off: Q/DQ as float ops, i.e. fake-quant too). The int8
// output must be within one quantization step of the reference (plus what a fused residual sum
// saves: the skipped rounding of the conv output), and within two steps of onnxruntime. The plans
// are inspected: int8 steps with u8 inputs, no quantize/dequantize between int8 ops.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ModelSession } from '../../engine/runtime/session';
import type { Plan, PlanStep } from '../../engine/plan/plan';
import { randomData } from '../helpers/onnx-builder';
import { runOrt } from '../helpers/oracle';
import { stepStats } from '../helpers/tolerance';
import { QdqBuilder } from './qdq-builder';
import { floatData } from '../../engine/runtime/session-types';

const X = { scale: 2 / 255, zp: 128 };

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

interface Case {
  bytes: Uint8Array;
  dims: number[];
  /** Allowed |int8 - reference| and |int8 - ORT|. */
  tolRef: number;
  tolOrt: number;
  /** The output's quantization step (absent: a float output). */
  step?: number;
  /** Least fraction of elements on the very same quantized value as ORT (default 0.95). */
  exact?: number;
}

async function runCase(label: string, c: Case): Promise<Plan> {
  const data = randomData(c.dims.reduce((a, b) => a * b, 1), 11, -1, 1);
  const feeds = { x: { dims: c.dims, data } };
  const int8 = await ModelSession.load(c.bytes, { threads: 1 });
  const ref = await ModelSession.load(c.bytes, { threads: 1, int8: false });
  try {
    const plan = await int8.compile({ x: c.dims });
    const a = floatData((await int8.run(feeds)).outputs.y, `${label} int8`);
    const r = floatData((await ref.run(feeds)).outputs.y, `${label} fake-quant`);
    const o = (await runOrt(c.bytes, feeds)).y.data;
    const dRef = maxDiff(a, r);
    const dOrt = maxDiff(a, o);
    console.log(`${label}: max |int8 - fake-quant| ${dRef.toExponential(3)} (tol ${c.tolRef.toExponential(3)}), max |int8 - ORT| ${dOrt.toExponential(3)}, ref vs ORT ${maxDiff(r, o).toExponential(3)}`);
    assert.ok(dRef <= c.tolRef, `${label}: int8 vs fake-quant reference ${dRef} > ${c.tolRef}`);
    assert.ok(dOrt <= c.tolOrt, `${label}: int8 vs onnxruntime ${dOrt} > ${c.tolOrt}`);
    if (c.step) {
      // Within a step everywhere is not enough: a one-step bias would pass that. Nearly every
      // element must be ORT's very value, with no systematic lean, and our fake-quant reference
      // (float Q/DQ steps, like ORT with optimisations off) must be ORT's value too.
      const vsOrt = stepStats(a, o, c.step), refVsOrt = stepStats(r, o, c.step);
      console.log(`${label}: vs ORT ${(vsOrt.exact * 100).toFixed(1)}% exact, bias ${vsOrt.bias.toFixed(3)} steps; reference vs ORT ${(refVsOrt.exact * 100).toFixed(1)}% exact`);
      assert.ok(vsOrt.exact >= (c.exact ?? 0.95), `${label}: only ${(vsOrt.exact * 100).toFixed(1)}% of int8 outputs equal ORT's`);
      assert.ok(Math.abs(vsOrt.bias) <= 0.05, `${label}: int8 leans ${vsOrt.bias.toFixed(3)} steps against ORT`);
      assert.ok(refVsOrt.exact >= 0.99 && refVsOrt.worst <= 1 + 1e-3, `${label}: fake-quant reference vs ORT: ${(refVsOrt.exact * 100).toFixed(1)}% exact, worst ${refVsOrt.worst.toFixed(2)} steps`);
    }
    // The reference path really is different work: its Q/DQ are steps.
    const refPlan = await ref.compile({ x: c.dims });
    assert.ok(refPlan.steps.filter((s) => s.kind === 'dequantize').length > plan.steps.filter((s) => s.kind === 'dequantize').length);
    return plan;
  } finally {
    int8.dispose();
    ref.dispose();
  }
}

function dtypeIn(plan: Plan, s: PlanStep, i = 0): string {
  return plan.tensors[s.inputs[i]].dtype;
}

const EPS = 1e-5;

test('QDQ Conv+Relu runs as one int8 conv (u8 in, u8 out, relu post-op)', async () => {
  const q = new QdqBuilder();
  q.b.input('x', [1, 4, 9, 9]).output('y');
  const c = q.conv(q.qdq('x', X), 4, 8, 1);
  const r = q.node('Relu', [c]);
  const Y = { scale: 0.02, zp: 0 };
  q.outputY(r, Y);
  const plan = await runCase('conv+relu', { bytes: q.b.toBytes(), dims: [1, 4, 9, 9], tolRef: Y.scale + EPS, tolOrt: 2 * Y.scale + EPS, step: Y.scale });
  assert.deepEqual(plan.steps.map((s) => s.kind), ['quantize', 'conv', 'dequantize']);
  const conv = plan.steps[1];
  assert.equal(dtypeIn(plan, conv), 'u8');
  assert.equal(plan.tensors[conv.inputs[1]].dtype, 's8');
  assert.equal(plan.tensors[conv.inputs[1]].quant?.scales.length, 8, 'per-channel weight scales');
  assert.equal(plan.tensors[conv.outputs[0]].dtype, 'u8');
  assert.deepEqual(conv.attrs.post_ops, ['relu']);
});

test('QDQ residual Add+Relu becomes a sum post-op on an int8 conv', async () => {
  const q = new QdqBuilder();
  q.b.input('x', [1, 4, 8, 8]).output('y');
  const x = q.qdq('x', X);
  // Scales wide enough that no conv output saturates: the fused sum skips that clamp.
  const A = { scale: 0.04, zp: 128 };
  const a = q.qdq(q.conv(x, 4, 4, 2), A);
  const b = q.qdq(q.conv(x, 4, 4, 3), { scale: 0.045, zp: 120 });
  const s = q.node('Relu', [q.node('Add', [a, b])]);
  const Y = { scale: 0.05, zp: 0 };
  q.outputY(s, Y);
  // The fused conv skips the rounding of its own output (scale 0.045 or A): half such a step more,
  // and fewer outputs land on exactly ORT's value (measured 88%).
  const plan = await runCase('residual', { bytes: q.b.toBytes(), dims: [1, 4, 8, 8], tolRef: Y.scale + 0.045 / 2 + EPS, tolOrt: 2 * Y.scale + 0.045 / 2 + EPS, step: Y.scale, exact: 0.8 });
  assert.deepEqual(plan.steps.map((s) => s.kind), ['quantize', 'conv', 'conv', 'dequantize']);
  const fused = plan.steps[2];
  assert.deepEqual(fused.attrs.post_ops, ['sum', 'relu']);
  assert.equal(dtypeIn(plan, fused, 3), 'u8', 'sum_src is the other conv int8 output');
});

test('QDQ Conv -> MaxPool -> Conv stays int8 (int8 pool, no dequantize/quantize between)', async () => {
  const q = new QdqBuilder();
  q.b.input('x', [1, 3, 8, 8]).output('y');
  const P = { scale: 0.02, zp: 100 };
  const c1 = q.qdq(q.conv(q.qdq('x', X), 3, 6, 4), P);
  const p = q.qdq(q.node('MaxPool', [c1], { kernel_shape: [2, 2], strides: [2, 2] }), P);
  const c2 = q.conv(p, 6, 5, 5);
  const Y = { scale: 0.03, zp: 128 };
  q.outputY(c2, Y);
  const plan = await runCase('conv-maxpool-conv', { bytes: q.b.toBytes(), dims: [1, 3, 8, 8], tolRef: Y.scale + EPS, tolOrt: 2 * Y.scale + EPS, step: Y.scale });
  assert.deepEqual(plan.steps.map((s) => s.kind), ['quantize', 'conv', 'pool', 'conv', 'dequantize']);
  assert.equal(dtypeIn(plan, plan.steps[2]), 'u8');
  assert.equal(dtypeIn(plan, plan.steps[3]), 'u8');
});

test('QDQ Gemm (transB, per-channel, s32 bias) with a float output: int8 matmul writing f32', async () => {
  const q = new QdqBuilder();
  q.b.input('x', [3, 16]).output('y');
  const x = q.qdq('x', X);
  const { w, bias } = q.weight([8, 16], 0, X.scale, 6);
  q.b.node('Gemm', [x, w, bias!], ['y'], { transB: 1 });
  // f32 output: the int8 primitive dequantizes; only float rounding separates it from the reference.
  const plan = await runCase('gemm', { bytes: q.b.toBytes(), dims: [3, 16], tolRef: 1e-4, tolOrt: 1e-4 });
  assert.deepEqual(plan.steps.map((s) => s.kind), ['quantize', 'matmul']);
  const mm = plan.steps[1];
  assert.equal(dtypeIn(plan, mm), 'u8');
  assert.deepEqual(plan.tensors[mm.inputs[1]].dims, [16, 8]);
  assert.equal(plan.tensors[mm.inputs[1]].quant?.axis, 1);
  assert.equal(plan.tensors[mm.outputs[0]].dtype, 'f32');
});

test('QDQ Concat of two int8 convs with different scales: int8 concat', async () => {
  const q = new QdqBuilder();
  q.b.input('x', [1, 3, 6, 6]).output('y');
  const x = q.qdq('x', X);
  const a = q.qdq(q.conv(x, 3, 4, 8), { scale: 0.02, zp: 128 });
  const b = q.qdq(q.conv(x, 3, 2, 9), { scale: 0.025, zp: 110 });
  const cat = q.node('Concat', [a, b], { axis: 1 });
  const Y = { scale: 0.025, zp: 120 };
  q.outputY(cat, Y);
  const plan = await runCase('concat', { bytes: q.b.toBytes(), dims: [1, 3, 6, 6], tolRef: Y.scale + EPS, tolOrt: 2 * Y.scale + EPS, step: Y.scale });
  assert.deepEqual(plan.steps.map((s) => s.kind), ['quantize', 'conv', 'conv', 'concat', 'dequantize']);
  const cat8 = plan.steps[3];
  assert.deepEqual(cat8.inputs.map((i) => plan.tensors[i].dtype), ['u8', 'u8']);
  assert.equal(plan.tensors[cat8.outputs[0]].quant?.scales[0], Math.fround(Y.scale));
});
