// Interop: the QDQ models ONNX Runtime's own quantize_static made (../shared/fixtures/ort-qdq, see
// its README) run through our int8 path. Per model: top-1 agreement with ONNX Runtime's stored
// outputs on the 4 sample inputs (all 4 must agree), relative error printed; onnxruntime-node on this
// machine as a second reference; the plan's convs are int8 with no dequantize -> quantize round trip.
// Also the FP32 fixture within 1e-4 of its stored output, and fp32 vs int8 timing (information only).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { parseNpy } from '../../engine/data/npy';
import { ModelSession } from '../../engine/runtime/session';
import type { Plan } from '../../engine/plan/plan';
import { assertClose } from '../helpers/oracle';
import { sessionUnavailable } from '../helpers/check-model';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const DIR = path.join(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'ort-qdq');
const skip = sessionUnavailable() ?? (fs.existsSync(DIR) ? undefined : `${DIR} is missing`);

function npy(file: string): { dims: number[]; data: Float32Array } {
  const a = parseNpy(new Uint8Array(fs.readFileSync(path.join(DIR, file))), file);
  return { dims: a.shape, data: Float32Array.from(a.data as ArrayLike<number>) };
}

function argmaxRows(data: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / classes; r++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (data[r * classes + j] > data[r * classes + best]) best = j;
    out.push(best);
  }
  return out;
}

function relError(got: Float32Array, ref: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(got[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / m;
}

async function ortRun(file: string, x: { dims: number[]; data: Float32Array }): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path.join(DIR, file), { intraOpNumThreads: 2 });
  try {
    const res = await s.run({ input: new ort.Tensor('float32', x.data, x.dims) });
    return Float32Array.from(res.logits.data as ArrayLike<number>);
  } finally {
    await s.release();
  }
}

/** Asserts the plan is int8 where it should be: int8 convs, one quantize at the input and one
 *  dequantize at the output, and no dequantize feeding a quantize. */
function checkInt8Plan(plan: Plan, label: string): void {
  const convs = plan.steps.filter((s) => s.kind === 'conv');
  assert.ok(convs.length > 0, `${label}: no conv steps`);
  for (const c of convs) {
    assert.ok(['u8', 's8'].includes(plan.tensors[c.inputs[0]].dtype), `${label}: conv '${c.name}' reads ${plan.tensors[c.inputs[0]].dtype}`);
    assert.equal(plan.tensors[c.inputs[1]].dtype, 's8', `${label}: conv '${c.name}' weight`);
  }
  const producedBy = new Map<number, string>();
  for (const s of plan.steps) for (const o of s.outputs) producedBy.set(o, s.kind);
  for (const s of plan.steps) {
    if (s.kind === 'quantize') assert.notEqual(producedBy.get(s.inputs[0]), 'dequantize', `${label}: dequantize -> quantize round trip at '${s.name}'`);
  }
  assert.equal(plan.steps.filter((s) => s.kind === 'quantize').length, 1, `${label}: quantize steps`);
  assert.equal(plan.steps.filter((s) => s.kind === 'dequantize').length, 1, `${label}: dequantize steps`);
  assert.equal(plan.steps.filter((s) => s.kind === 'binary').length, 0, `${label}: residual adds should be sum post-ops`);
}

const MODELS = ['mobilenetv2_050.qdq_minmax_perchannel', 'mobilenetv2_050.qdq_entropy_pertensor', 'resnet18_c10.qdq_minmax_perchannel', 'resnet18_c10.qdq_entropy_pertensor'];

for (const name of MODELS) {
  test(`ORT-made QDQ model ${name}: int8 top-1 agrees with ONNX Runtime on 4 samples`, { skip }, async () => {
    const x = npy(`${name.split('.')[0]}.sample_input.npy`);
    const stored = npy(`${name}.ort_output.npy`);
    const session = await ModelSession.load(path.join(DIR, `${name}.onnx`), { threads: 2 });
    const reference = await ModelSession.load(path.join(DIR, `${name}.onnx`), { threads: 2, int8: false });
    try {
      const plan = await session.compile({ input: x.dims });
      checkInt8Plan(plan, name);
      const got = (await session.run({ input: x })).outputs.logits.data;
      const fq = (await reference.run({ input: x })).outputs.logits.data;
      const local = await ortRun(`${name}.onnx`, x);
      const classes = stored.dims[1];
      const top = argmaxRows(got, classes);
      console.log(
        `${name}: rel error int8 vs stored ORT ${relError(got, stored.data).toFixed(4)}, vs local ORT ${relError(got, local).toFixed(4)}, ` +
          `fake-quant vs stored ${relError(fq, stored.data).toFixed(4)}; top-1 ours ${top.join(',')} stored ${argmaxRows(stored.data, classes).join(',')} local ${argmaxRows(local, classes).join(',')}`,
      );
      assert.equal(top.length, 4);
      assert.deepEqual(top, argmaxRows(stored.data, classes), `${name}: top-1 vs ONNX Runtime's stored output`);
      assert.deepEqual(top, argmaxRows(local, classes), `${name}: top-1 vs onnxruntime-node here`);
      assert.deepEqual(argmaxRows(fq, classes), top, `${name}: fake-quant reference top-1`);
    } finally {
      session.dispose();
      reference.dispose();
    }
  });
}

test('FP32 fixture mobilenetv2_050 matches its stored ONNX Runtime output within 1e-4', { skip }, async () => {
  const x = npy('mobilenetv2_050.sample_input.npy');
  const stored = npy('mobilenetv2_050.fp32.ort_output.npy');
  const session = await ModelSession.load(path.join(DIR, 'mobilenetv2_050.fp32.onnx'), { threads: 2 });
  try {
    const plan = await session.compile({ input: x.dims });
    assert.ok(plan.steps.every((s) => s.inputs.every((i) => i < 0 || plan.tensors[i].quant === undefined)), 'an FP32 model has no quantized tensors');
    assertClose((await session.run({ input: x })).outputs.logits, stored, 1e-4, 'mobilenetv2_050.fp32');
  } finally {
    session.dispose();
  }
});

test('timing: resnet18_c10 fp32 (fake-quant reference) vs int8, batch 4, 2 threads (information)', { skip }, async () => {
  const x = npy('resnet18_c10.sample_input.npy');
  const file = path.join(DIR, 'resnet18_c10.qdq_minmax_perchannel.onnx');
  const times: Record<string, number> = {};
  for (const [label, int8] of [['fp32 (Q/DQ as steps, ops in FP32)', false], ['int8', true]] as const) {
    const s = await ModelSession.load(file, { threads: 2, int8 });
    try {
      await s.run({ input: x }); // compile + warm up
      const runs = 5;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < runs; i++) await s.run({ input: x });
      times[label] = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
    } finally {
      s.dispose();
    }
  }
  console.log(`resnet18_c10 batch 4, 2 threads: ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  assert.ok(Object.values(times).every((t) => t > 0));
});
