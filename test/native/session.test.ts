// ModelSession behaviour: batched plans recompiled per batch, profiling, threads, steps()/info(), plan
// writer validation and error paths (corrupt bytes, wrong inputs, disposed sessions).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'node:test';

import { createNativeSession, loadNativeAddon } from '../../engine/runtime/native';
import type { NativeInfo } from '../../engine/runtime/native-types';
import { serializePlan } from '../../engine/plan/plan-writer';
import { assertKernelFamily } from '../helpers/cpu';
import { PlanBuilder, assertClose, f32, rand } from './helpers';

/** x[N,4,5,5] -> conv 3x3 (8) relu -> maxpool 2x2 -> reshape [N, 8*2*2] -> matmul [32,3] -> softmax. */
function batchedPlan() {
  const w = rand(8 * 4 * 9, 1), m = rand(32 * 3, 2);
  const pb = new PlanBuilder();
  const x = pb.input('x', [1, 4, 5, 5], true);
  const c = pb.step('conv', [x, pb.constant('w', [8, 4, 3, 3], w)], [1, 8, 5, 5],
    { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, post_ops: ['relu'], post_alpha: [0], post_beta: [0] }, true);
  const p = pb.step('pool', [c], [1, 8, 2, 2], { alg: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] }, true);
  const r = pb.step('reshape', [p], [1, 32], {}, true);
  const mm = pb.step('matmul', [r, pb.constant('m', [32, 3], m)], [1, 3], {}, true);
  pb.output(pb.step('softmax', [mm], [1, 3], { axis: 1 }, true));
  return pb.plan;
}

test('batched plan: batch 3 equals three batch-1 runs; recompiles back and forth', async () => {
  const plan = batchedPlan();
  const s = await createNativeSession(plan, { threads: 0 });
  try {
    const xs = [rand(100, 3), rand(100, 4), rand(100, 5)];
    const singles: Float32Array[] = [];
    for (const x of xs) singles.push(f32((await s.run([x], 1)).outputs[0]));
    const all = new Float32Array(300);
    xs.forEach((x, i) => all.set(x, i * 100));
    const batched = f32((await s.run([all], 3)).outputs[0]);
    assert.equal(batched.length, 9);
    assertClose(batched, [...singles[0], ...singles[1], ...singles[2]], 'batch 3 vs 1');
    const again = f32((await s.run([xs[1]], 1)).outputs[0]);
    assertClose(again, singles[1], 'back to batch 1');
    // softmax rows sum to 1: the chain did something sensible
    assert.ok(Math.abs(again[0] + again[1] + again[2] - 1) < 1e-5);
  } finally {
    s.dispose();
  }
});

test('profiling returns one time per step; steps() reports oneDNN implementations', async () => {
  const plan = batchedPlan();
  const s = await createNativeSession(plan, { threads: 1 });
  try {
    await s.prepare(2);
    const steps = s.steps();
    assert.deepEqual(steps.map((q) => q.kind), ['conv', 'pool', 'reshape', 'matmul', 'softmax']);
    assertKernelFamily(steps[0].impl, 'conv');
    // A reshape of blocked data carries the reorder to plain; of plain data it is a view ('').
    assert.ok(steps[2].impl === '' || !steps[2].impl.includes('ref'), `reshape: ${steps[2].impl}`);
    const r = await s.run([rand(200, 6)], 2, true);
    assert.ok(r.stepMs instanceof Float64Array);
    assert.equal(r.stepMs.length, plan.steps.length);
    for (const ms of r.stepMs) assert.ok(ms >= 0 && Number.isFinite(ms));
    assert.ok(r.stepMs.reduce((a, b) => a + b, 0) > 0, 'the steps took some time');
    const plain = await s.run([rand(200, 6)], 2);
    assert.equal(plain.stepMs, undefined);
  } finally {
    s.dispose();
  }
});

test('thread counts 1 and 2 give the same result', async () => {
  const plan = batchedPlan();
  const x = rand(400, 7);
  const outs: Float32Array[] = [];
  for (const threads of [1, 2]) {
    const s = await createNativeSession(plan, { threads });
    outs.push(f32((await s.run([x], 4)).outputs[0]));
    s.dispose();
  }
  assertClose(outs[0], outs[1], 'threads');
});

test('concurrent runs on one session are queued, not interleaved', async () => {
  const s = await createNativeSession(batchedPlan(), { threads: 0 });
  try {
    const xs = [rand(100, 8), rand(200, 9), rand(100, 10)];
    const rs = await Promise.all([s.run([xs[0]], 1), s.run([xs[1]], 2), s.run([xs[2]], 1)]);
    assert.deepEqual(rs.map((r) => r.outputs[0].length), [3, 6, 3]);
    // Each queued result equals the same run made alone (an interleaving would corrupt any of them).
    for (const [i, batch] of [[0, 1], [1, 2], [2, 1]] as const) {
      const alone = await s.run([xs[i]], batch);
      assertClose(f32(rs[i].outputs[0]), alone.outputs[0], `queued run ${i}`);
    }
  } finally {
    s.dispose();
  }
});

test('info() names oneDNN, the ISA, the core count and the CPU features that /proc/cpuinfo lists', () => {
  const info = loadNativeAddon().info();
  assert.match(info.onednn, /^2\.6\.\d+$/);
  assert.ok(info.isa.length > 0 && info.isa !== 'unknown');
  assert.ok(info.cores >= 1);
  assert.ok(info.cpu.vendor.length > 0, 'vendor');
  // The kernel's own reading of cpuid (with what it enabled) is the independent oracle.
  // Flags every kernel since 4.x names must match exactly; the newer ones (avx512_bf16 5.2,
  // avx_vnni 5.13, AMX 5.16) only where the kernel lists them (an older kernel may not know them).
  const core = ['sse4_1', 'avx2', 'fma', 'avx512f', 'avx512dq', 'avx512bw', 'avx512vl', 'avx512_vnni'];
  const newer = ['avx512_bf16', 'avx_vnni', 'amx_tile', 'amx_int8', 'amx_bf16'];
  const flags = new Set((/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
  assert.deepEqual(info.cpu.features.filter((f) => core.includes(f)), core.filter((f) => flags.has(f)), 'features vs /proc/cpuinfo');
  for (const f of newer) if (flags.has(f)) assert.ok(info.cpu.features.includes(f), `/proc/cpuinfo lists ${f}, cpuid did not`);
  assert.deepEqual(info.cpu.features.filter((f) => !core.includes(f) && !newer.includes(f)), [], 'only tracked flags');
  const vnni = flags.has('avx512_vnni') || flags.has('avx_vnni') || flags.has('amx_int8');
  if (!vnni) assert.equal(info.int8Accumulation, '16bit-pairs', 'no VNNI/AMX flag: saturating pairs');
  if (!process.env.ONEDNN_MAX_CPU_ISA && vnni) assert.notEqual(info.int8Accumulation, '16bit-pairs', 'VNNI/AMX and no cap: 32-bit accumulation');
  assert.equal(info.ownAvx2Kernels, flags.has('avx2') && /^avx2|^avx512/.test(info.isa));
});

/** info() of a fresh process with oneDNN capped to `cap`. */
function cappedInfo(cap: string): NativeInfo {
  const addon = require.resolve('../../engine/runtime/native');
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(addon)}).loadNativeAddon().info()))`], {
    encoding: 'utf8',
    env: { ...process.env, ONEDNN_MAX_CPU_ISA: cap },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as NativeInfo;
}

test('a oneDNN cap lowers the ISA, the int8 accumulation and our own kernel choice with it', (t) => {
  const info = loadNativeAddon().info();
  if (!info.cpu.features.includes('avx2')) return t.skip('this CPU has no AVX2');
  const avx2 = cappedInfo('AVX2');
  assert.equal(avx2.isa, 'avx2');
  assert.deepEqual(avx2.cpu.features, info.cpu.features, 'the CPU does not change under a cap');
  assert.equal(avx2.int8Accumulation, '16bit-pairs', 'oneDNN capped to AVX2 runs vpmaddubsw whatever the CPU has');
  assert.equal(avx2.ownAvx2Kernels, true);
  const sse = cappedInfo('SSE41');
  assert.equal(sse.isa, 'sse41');
  assert.equal(sse.ownAvx2Kernels, false, 'capped below AVX2: our AVX2 loops are off too');
});


test('corrupt plan bytes reject with a message', async () => {
  const addon = loadNativeAddon();
  await assert.rejects(addon.createSession(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { threads: 0 }), /bad magic/);
  const good = serializePlan(batchedPlan());
  await assert.rejects(addon.createSession(good.slice(0, good.length - 3), { threads: 0 }), /truncated/);
  const s = await addon.createSession(good, { threads: 0 });
  // raw-bytes session: the native side checks input lengths
  await assert.rejects(s.run([new Float32Array(7)], 1), /has 7 elements, expected 100/);
  s.dispose();
});

test('wrong inputs and disposed sessions are errors, not crashes', async () => {
  const s = await createNativeSession(batchedPlan(), { threads: 0 });
  await assert.rejects(s.run([new Float32Array(99)], 1), /input 0 \('x'\) has 99 elements, expected 100/);
  await assert.rejects(s.run([], 1), /expected 1 inputs, got 0/);
  await assert.rejects(s.run([new Float32Array(100)], 0), /batch must be a positive integer/);
  s.dispose();
  await assert.rejects(s.run([new Float32Array(100)], 1), /disposed/);
  assert.throws(() => s.steps(), /disposed/);
});

test('a step the runtime cannot build rejects naming the step', async () => {
  const pb = new PlanBuilder();
  pb.output(pb.step('eltwise', [pb.input('x', [2, 2])], [2, 2], { alg: 'nonsense' }));
  const s = await createNativeSession(pb.plan, { threads: 0 });
  await assert.rejects(s.run([new Float32Array(4)], 1), /step eltwise 'eltwise_0': unknown eltwise alg 'nonsense'/);
  s.dispose();
  const pb2 = new PlanBuilder();
  pb2.output(pb2.step('frobnicate', [pb2.input('x', [2])], [2]));
  const s2 = await createNativeSession(pb2.plan, { threads: 0 });
  await assert.rejects(s2.prepare(1), /unknown step kind 'frobnicate'/);
  s2.dispose();
  // oneDNN refusing a shape: conv whose output dims contradict the attributes
  const pb3 = new PlanBuilder();
  pb3.output(pb3.step('conv', [pb3.input('x', [1, 2, 4, 4]), pb3.constant('w', [3, 2, 3, 3], rand(54, 1))], [1, 3, 9, 9],
    { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }));
  const s3 = await createNativeSession(pb3.plan, { threads: 0 });
  await assert.rejects(s3.prepare(1), /step conv 'conv_0': oneDNN invalid_arguments/);
  s3.dispose();
});

test('plan writer rejects bad ids, double producers and wrong constant sizes', () => {
  const pb = new PlanBuilder();
  const x = pb.input('x', [2]);
  const y = pb.step('eltwise', [x], [2], { alg: 'relu' });
  pb.output(y);
  const bad1 = structuredClone(pb.plan);
  bad1.steps[0].inputs = [7];
  assert.throws(() => serializePlan(bad1), /step 0 eltwise 'eltwise_0' input id 7 is out of range/);
  const bad2 = structuredClone(pb.plan);
  bad2.steps.push({ ...bad2.steps[0], name: 'again' });
  assert.throws(() => serializePlan(bad2), /step 1 eltwise 'again' produces 'eltwise_0_out' \(#1\), already produced by step 0/);
  const bad3 = structuredClone(pb.plan);
  bad3.tensors.push({ name: 'k', dtype: 'f32', dims: [3], batched: false, data: new Uint8Array(8) });
  assert.throws(() => serializePlan(bad3), /constant 'k' \(#2\) has 8 bytes, dims \[3\] of f32 need 12/);
  const bad4 = structuredClone(pb.plan);
  bad4.outputs = [5];
  assert.throws(() => serializePlan(bad4), /graph output id 5 is out of range/);
});

test('plan bytes: header, and constant data 64-byte aligned', () => {
  const pb = new PlanBuilder();
  const k = pb.constant('k', [3], new Float32Array([1, 2, 3]));
  pb.output(pb.step('copy', [k], [3]));
  const bytes = serializePlan(pb.plan);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(dv.getUint32(0, true), 0x50425751);
  assert.equal(dv.getUint32(4, true), 2);
  // first tensor: name 'k' (4+1), dtype, batched, rank, dims[1], has_data, then byte_length
  let off = 12 + 4 + 1 + 1 + 1 + 4 + 8 + 1;
  assert.equal(Number(dv.getBigUint64(off, true)), 12);
  off += 8;
  const dataAt = Math.ceil(off / 64) * 64;
  assert.equal(dv.getFloat32(dataAt, true), 1);
  assert.equal(dv.getFloat32(dataAt + 8, true), 3);
});
