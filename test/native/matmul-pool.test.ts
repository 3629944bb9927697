// matmul (batch broadcast, bias, constant and computed b) and pool (max, avg include/exclude pad,
// dilation) against JS references.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNativeSession } from '../../engine/runtime/native';
import { PlanBuilder, assertClose, f32, prod, rand, runPlan, strides, unravel } from './helpers';
import { assertKernelFamily, isaTest, nativeInfo } from '../helpers/cpu';

function refMatmul(ad: number[], a: Float32Array, bd: number[], b: Float32Array, yd: number[], bias?: Float32Array) {
  const R = yd.length, M = yd[R - 2], N = yd[R - 1], K = ad[ad.length - 1];
  const pa = [...Array(R - ad.length).fill(1), ...ad], pbd = [...Array(R - bd.length).fill(1), ...bd];
  const sa = strides(pa), sb = strides(pbd);
  const y = new Float64Array(prod(yd));
  for (let i = 0; i < y.length; i++) {
    const idx = unravel(i, yd);
    let offA = 0, offB = 0;
    for (let d = 0; d < R - 2; d++) {
      offA += (pa[d] === 1 ? 0 : idx[d]) * sa[d];
      offB += (pbd[d] === 1 ? 0 : idx[d]) * sb[d];
    }
    const m = idx[R - 2], n = idx[R - 1];
    let acc = bias ? bias[n] : 0;
    for (let k = 0; k < K; k++) acc += a[offA + m * K + k] * b[offB + k * N + n];
    y[i] = acc;
    void M;
  }
  return y;
}

for (const [name, ad, bd, yd, constB, withBias] of [
  ['2d constant b with bias', [5, 7], [7, 9], [5, 9], true, true],
  ['batched computed b', [3, 4, 6], [3, 6, 5], [3, 4, 5], false, false],
  ['broadcast a over batch', [4, 6], [2, 3, 6, 5], [2, 3, 4, 5], false, true],
  ['broadcast b batch dim', [2, 3, 4, 6], [1, 3, 6, 5], [2, 3, 4, 5], true, false],
] as [string, number[], number[], number[], boolean, boolean][]) {
  test(`matmul ${name}`, async () => {
    const a = rand(prod(ad), 1), b = rand(prod(bd), 2), bias = rand(yd[yd.length - 1], 3);
    const pb = new PlanBuilder();
    const ai = pb.input('a', ad);
    const feeds = [a];
    let bi: number;
    if (constB) bi = pb.constant('b', bd, b);
    else { bi = pb.input('b', bd); feeds.push(b); }
    const inputs = [ai, bi];
    if (withBias) inputs.push(pb.constant('bias', [yd[yd.length - 1]], bias));
    pb.output(pb.step('matmul', inputs, yd));
    const [got] = await runPlan(pb.plan, feeds);
    assertClose(got, refMatmul(ad, a, bd, b, yd, withBias ? bias : undefined), `matmul ${name}`);
  });
}

test('matmul with relu and sum post-ops', async () => {
  const a = rand(4 * 8, 4), b = rand(8 * 6, 5), r = rand(4 * 6, 6);
  const pb = new PlanBuilder();
  const out = pb.step('matmul', [pb.input('a', [4, 8]), pb.constant('b', [8, 6], b), -1, pb.input('r', [4, 6])], [4, 6],
    { post_ops: ['sum', 'relu'], post_alpha: [1, 0], post_beta: [0, 0] });
  pb.output(out);
  const [got] = await runPlan(pb.plan, [a, r]);
  const y = refMatmul([4, 8], a, [8, 6], b, [4, 6]).map((v, i) => Math.max(0, v + r[i]));
  assertClose(got, y, 'matmul post-ops');
});

function refPool(alg: string, xd: number[], x: Float32Array, k: number[], s: number[], p: number[], d: number[], yd: number[]) {
  const [N, C, H, W] = xd, [, , OH, OW] = yd;
  const y = new Float64Array(prod(yd));
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = alg === 'max' ? -Infinity : 0, cnt = 0;
          for (let ky = 0; ky < k[0]; ky++)
            for (let kx = 0; kx < k[1]; kx++) {
              const iy = oy * s[0] - p[0] + ky * d[0], ix = ox * s[1] - p[1] + kx * d[1];
              const inPadded = iy >= -p[0] && iy < H + p[2] && ix >= -p[1] && ix < W + p[3];
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                if (alg === 'avg_include_pad' && inPadded) cnt++;
                continue;
              }
              const v = x[((n * C + c) * H + iy) * W + ix];
              if (alg === 'max') acc = Math.max(acc, v);
              else { acc += v; cnt++; }
            }
          y[((n * C + c) * OH + oy) * OW + ox] = alg === 'max' ? acc : acc / cnt;
        }
  return y;
}

for (const alg of ['max', 'avg_include_pad', 'avg_exclude_pad']) {
  for (const [name, k, s, p, d] of [
    ['3x3 s2 p1', [3, 3], [2, 2], [1, 1, 1, 1], [1, 1]],
    ['2x3 asymmetric', [2, 3], [1, 2], [0, 1, 1, 0], [1, 1]],
    ['dilated', [2, 2], [1, 1], [1, 1, 1, 1], [2, 2]],
  ] as [string, number[], number[], number[], number[]][]) {
    if (alg !== 'max' && d[0] !== 1) continue; // ONNX AveragePool dilation is opset 19; keep to max
    test(`pool ${alg} ${name}`, async () => {
      const xd = [2, 5, 9, 8];
      const oh = Math.floor((xd[2] + p[0] + p[2] - ((k[0] - 1) * d[0] + 1)) / s[0]) + 1;
      const ow = Math.floor((xd[3] + p[1] + p[3] - ((k[1] - 1) * d[1] + 1)) / s[1]) + 1;
      const yd = [2, 5, oh, ow];
      const x = rand(prod(xd), 9);
      const pb = new PlanBuilder();
      pb.output(pb.step('pool', [pb.input('x', xd)], yd, { alg, kernel: k, strides: s, pads: p, dilations: d }));
      const [got] = await runPlan(pb.plan, [x]);
      assertClose(got, refPool(alg, xd, x, k, s, p, d, yd), `pool ${alg} ${name}`);
    });
  }
}

test('global average pool after a conv (blocked layout in, plain out)', async () => {
  const x = rand(1 * 3 * 6 * 6, 10), w = rand(16 * 3, 11);
  const pb = new PlanBuilder();
  const c = pb.step('conv', [pb.input('x', [1, 3, 6, 6]), pb.constant('w', [16, 3, 1, 1], w)], [1, 16, 6, 6],
    { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
  pb.output(pb.step('pool', [c], [1, 16, 1, 1], { alg: 'avg_include_pad', kernel: [6, 6], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }));
  const [got] = await runPlan(pb.plan, [x]);
  const ref = new Float64Array(16);
  for (let m = 0; m < 16; m++) {
    let acc = 0;
    for (let i = 0; i < 36; i++) for (let ci = 0; ci < 3; ci++) acc += x[ci * 36 + i] * w[m * 3 + ci];
    ref[m] = acc / 36;
  }
  assertClose(got, ref, 'gap');
});

/** conv 1x1 (16 channels, so oneDNN hands the pool a blocked layout) -> max pool with asymmetric
 *  pads and a partial last window (ceil mode folded into the end pads), and its JS reference. */
function convPoolCase() {
  const xd = [2, 3, 10, 8], cd = [2, 16, 10, 8];
  const x = rand(prod(xd), 21), w = rand(16 * 3, 22);
  // H: 10 + 1 + 2 - 3 = 10, /2 + 1 = 6 rows (the last window hangs over the end); W: 8 + 0 + 1 - 3 = 6, /2 + 1 = 4.
  const k = [3, 3], s = [2, 2], p = [1, 0, 2, 1], yd = [2, 16, 6, 4];
  const pb = new PlanBuilder();
  const c = pb.step('conv', [pb.input('x', xd), pb.constant('w', [16, 3, 1, 1], w)], cd,
    { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
  pb.output(pb.step('pool', [c], yd, { alg: 'max', kernel: k, strides: s, pads: p, dilations: [1, 1] }));
  const conv = new Float32Array(prod(cd));
  for (let n = 0; n < 2; n++)
    for (let m = 0; m < 16; m++)
      for (let i = 0; i < 80; i++) {
        let acc = 0;
        for (let ci = 0; ci < 3; ci++) acc += x[(n * 3 + ci) * 80 + i] * w[m * 3 + ci];
        conv[(n * 16 + m) * 80 + i] = acc;
      }
  return { plan: pb.plan, x, ref: refPool('max', cd, conv, k, s, p, [1, 1], yd) };
}

test('max pool of a blocked conv output matches the reference with the kernel this CPU selects', async () => {
  const c = convPoolCase();
  const session = await createNativeSession(c.plan, { threads: 2 });
  try {
    const got = f32((await session.run([c.x], 1)).outputs[0]);
    const impl = session.steps()[1].impl;
    // Our loop only where oneDNN chose nChw8c and AVX2 is allowed; oneDNN's pooling everywhere else.
    if (impl.startsWith('qwb:')) assert.ok(nativeInfo().ownAvx2Kernels, `our loop ran although AVX2 kernels are not allowed: ${impl}`);
    else assertKernelFamily(impl, 'pool');
    assertClose(got, c.ref, 'blocked max pool');
  } finally {
    session.dispose();
  }
});

isaTest('on the AVX2 path, max pool of nChw8c data runs our AVX2 loop and matches the reference', 'AVX2', __filename, async () => {
  const c = convPoolCase();
  const session = await createNativeSession(c.plan, { threads: 2 });
  try {
    const got = f32((await session.run([c.x], 1)).outputs[0]);
    assert.match(session.steps()[1].impl, /^qwb:maxpool_8c:avx2$/, 'the pool runs our blocked loop');
    assertClose(got, c.ref, 'blocked max pool');
  } finally {
    session.dispose();
  }
});

test('a pool whose end pads do not give the declared output size is refused, whatever the CPU', async () => {
  const c = convPoolCase();
  // The old ceil-mode spelling: end pad 1 gives 5 rows by the floor rule, not the 6 declared.
  const bad = structuredClone(c.plan);
  bad.steps[1].attrs.pads = [1, 0, 1, 1];
  await assert.rejects(async () => {
    const session = await createNativeSession(bad, { threads: 2 });
    try {
      await session.run([c.x], 1);
    } finally {
      session.dispose();
    }
  }, /pool 'pool_1'.*spatial axis 0: input 10 with pads 1\+1, kernel 3 \(dilation 1\) and stride 2 gives 5 outputs, but y declares 6/);
});

isaTest('on the SSE4.1 path (oneDNN capped below AVX2), max pool runs oneDNN, not our loop, and matches', 'SSE41', __filename, async () => {
  const c = convPoolCase();
  const session = await createNativeSession(c.plan, { threads: 2 });
  try {
    const got = f32((await session.run([c.x], 1)).outputs[0]);
    const impl = session.steps()[1].impl;
    assert.doesNotMatch(impl, /^qwb:/, 'our AVX2 loop must not run under a cap below AVX2');
    assertKernelFamily(impl, 'pool');
    assertClose(got, c.ref, 'oneDNN max pool');
  } finally {
    session.dispose();
  }
});
