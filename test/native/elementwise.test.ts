// eltwise (every alg), binary with broadcasting on either side (and pow), concat, softmax,
// reduce and batchnorm against JS references. Several cases run after a conv so that the step
// sees a blocked layout.

import { test } from 'node:test';

import { PlanBuilder, assertClose, prod, rand, runPlan, strides, unravel } from './helpers';

function erf(v: number): number {
  const n = 2000, h = v / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const algs: [string, number, number, (x: number) => number][] = [
  ['relu', 0.1, 0, (x) => (x > 0 ? x : 0.1 * x)],
  ['clip', -0.3, 0.4, (x) => Math.min(0.4, Math.max(-0.3, x))],
  ['sigmoid', 0, 0, sigmoid],
  ['tanh', 0, 0, Math.tanh],
  ['hardsigmoid', 0.2, 0.5, (x) => Math.max(0, Math.min(1, 0.2 * x + 0.5))],
  ['hardswish', 0, 0, (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))],
  ['gelu_erf', 0, 0, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))],
  ['gelu_tanh', 0, 0, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ['erf', 0, 0, erf],
  ['elu', 0.7, 0, (x) => (x > 0 ? x : 0.7 * (Math.exp(x) - 1))],
  ['linear', 2, -1, (x) => 2 * x - 1],
  ['exp', 0, 0, Math.exp],
  ['log', 0, 0, (x) => Math.log(x)],
  ['sqrt', 0, 0, (x) => Math.sqrt(x)],
  ['abs', 0, 0, Math.abs],
  ['square', 0, 0, (x) => x * x],
  ['softplus', 0, 0, (x) => Math.log(1 + Math.exp(x))],
  ['swish', 1.5, 0, (x) => x * sigmoid(1.5 * x)],
];

for (const [alg, alpha, beta, f] of algs) {
  test(`eltwise ${alg}`, async () => {
    const dims = [2, 3, 4, 5];
    const x = rand(prod(dims), 3).map((v) => (alg === 'log' || alg === 'sqrt' ? Math.abs(v) * 3 + 0.01 : v * 3));
    const pb = new PlanBuilder();
    pb.output(pb.step('eltwise', [pb.input('x', dims)], dims, { alg, alpha, beta }));
    const [got] = await runPlan(pb.plan, [x]);
    assertClose(got, Array.from(x, f), `eltwise ${alg}`);
  });
}

function refBinary(alg: string, ad: number[], a: Float32Array, bd: number[], b: Float32Array, yd: number[]) {
  const pa = [...Array(yd.length - ad.length).fill(1), ...ad], pbd = [...Array(yd.length - bd.length).fill(1), ...bd];
  const sa = strides(pa), sb = strides(pbd);
  const f: Record<string, (x: number, y: number) => number> = {
    add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
    max: Math.max, min: Math.min, pow: Math.pow,
  };
  return Array.from({ length: prod(yd) }, (_, i) => {
    const idx = unravel(i, yd);
    let oa = 0, ob = 0;
    idx.forEach((v, d) => { oa += (pa[d] === 1 ? 0 : v) * sa[d]; ob += (pbd[d] === 1 ? 0 : v) * sb[d]; });
    return f[alg](a[oa], b[ob]);
  });
}

for (const alg of ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow']) {
  for (const [name, ad, bd, yd] of [
    ['same dims', [2, 3, 4], [2, 3, 4], [2, 3, 4]],
    ['b broadcast (rank lower)', [2, 3, 4], [4], [2, 3, 4]],
    ['a broadcast (channel)', [1, 3, 1, 1], [2, 3, 4, 5], [2, 3, 4, 5]],
    ['both broadcast', [3, 1], [1, 4], [3, 4]],
  ] as [string, number[], number[], number[]][]) {
    test(`binary ${alg} ${name}`, async () => {
      let a = rand(prod(ad), 5), b = rand(prod(bd), 6);
      if (alg === 'div') b = b.map((v) => (v >= 0 ? v + 0.5 : v - 0.5));
      if (alg === 'pow') a = a.map((v) => Math.abs(v) + 0.1);
      const pb = new PlanBuilder();
      pb.output(pb.step('binary', [pb.input('a', ad), pb.input('b', bd)], yd, { alg }));
      const [got] = await runPlan(pb.plan, [a, b]);
      assertClose(got, refBinary(alg, ad, a, bd, b, yd), `binary ${alg} ${name}`);
    });
  }
}

/** A 1x1 conv with identity weights: puts the activation into oneDNN's blocked layout. */
function identityConv(pb: PlanBuilder, x: number, dims: number[]): number {
  const c = dims[1];
  const w = new Float32Array(c * c);
  for (let i = 0; i < c; i++) w[i * c + i] = 1;
  return pb.step('conv', [x, pb.constant(`eye${pb.plan.tensors.length}`, [c, c, 1, 1], w)], dims,
    { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
}

test('binary on blocked activations: per-channel bias on either side, full-size add', async () => {
  const dims = [2, 16, 5, 5];
  const x = rand(prod(dims), 7), bias = rand(16, 8), r = rand(prod(dims), 9);
  const pb = new PlanBuilder();
  const c1 = identityConv(pb, pb.input('x', dims), dims);
  const bi = pb.constant('bias', [16, 1, 1], bias);
  const s1 = pb.step('binary', [bi, c1], dims, { alg: 'sub' }); // broadcast on src0, not commutative
  const s2 = pb.step('binary', [s1, bi], dims, { alg: 'mul' });
  const s3 = pb.step('binary', [s2, pb.input('r', dims)], dims, { alg: 'add' });
  pb.output(s3);
  const [got] = await runPlan(pb.plan, [x, r]);
  const ref = Array.from(x, (v, i) => {
    const ch = Math.floor(i / 25) % 16;
    return (bias[ch] - v) * bias[ch] + r[i];
  });
  assertClose(got, ref, 'blocked binary chain');
});

test('concat on axis 1 (blocked inputs) and axis 2 (plain)', async () => {
  const d1 = [1, 8, 3, 3], d2 = [1, 16, 3, 3];
  const a = rand(prod(d1), 10), b = rand(prod(d2), 11);
  const pb = new PlanBuilder();
  const ca = identityConv(pb, pb.input('a', d1), d1);
  const cb = identityConv(pb, pb.input('b', d2), d2);
  pb.output(pb.step('concat', [ca, cb], [1, 24, 3, 3], { axis: 1 }));
  const p = pb.input('p', [2, 3, 2]), q = pb.input('q', [2, 3, 1]);
  pb.output(pb.step('concat', [p, q], [2, 3, 3], { axis: 2 }));
  const pv = rand(12, 12), qv = rand(6, 13);
  const [got1, got2] = await runPlan(pb.plan, [a, b, pv, qv]);
  assertClose(got1, [...a, ...b], 'concat axis 1');
  const ref2: number[] = [];
  for (let r = 0; r < 6; r++) ref2.push(pv[2 * r], pv[2 * r + 1], qv[r]);
  assertClose(got2, ref2, 'concat axis 2');
});

for (const log of [0, 1]) {
  test(`softmax log=${log} on a middle axis`, async () => {
    const dims = [2, 5, 3];
    const x = rand(prod(dims), 14).map((v) => v * 4);
    const pb = new PlanBuilder();
    pb.output(pb.step('softmax', [pb.input('x', dims)], dims, { axis: 1, log }));
    const [got] = await runPlan(pb.plan, [x]);
    const ref = new Float64Array(x.length);
    for (let n = 0; n < 2; n++)
      for (let k = 0; k < 3; k++) {
        let mx = -Infinity, s = 0;
        for (let c = 0; c < 5; c++) mx = Math.max(mx, x[(n * 5 + c) * 3 + k]);
        for (let c = 0; c < 5; c++) s += Math.exp(x[(n * 5 + c) * 3 + k] - mx);
        for (let c = 0; c < 5; c++) {
          const v = x[(n * 5 + c) * 3 + k] - mx;
          ref[(n * 5 + c) * 3 + k] = log ? v - Math.log(s) : Math.exp(v) / s;
        }
      }
    assertClose(got, ref, 'softmax');
  });
}

const reducers: Record<string, (v: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
  prod: (v) => v.reduce((a, b) => a * b, 1),
  sum_square: (v) => v.reduce((a, b) => a + b * b, 0),
  l1: (v) => v.reduce((a, b) => a + Math.abs(b), 0),
  l2: (v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)),
  log_sum_exp: (v) => Math.log(v.reduce((a, b) => a + Math.exp(b), 0)),
};

for (const alg of Object.keys(reducers)) {
  for (const [axes, keepdims] of [[[1, 3], 1], [[0, 2], 0]] as [number[], number][]) {
    test(`reduce ${alg} axes [${axes}] keepdims ${keepdims}`, async () => {
      const xd = [2, 3, 4, 5];
      const x = rand(prod(xd), 15).map((v) => (alg === 'prod' ? 1 + v * 0.3 : v));
      const kd = xd.map((d, i) => (axes.includes(i) ? 1 : d));
      const yd = keepdims ? kd : xd.filter((_, i) => !axes.includes(i));
      const pb = new PlanBuilder();
      pb.output(pb.step('reduce', [pb.input('x', xd)], yd, { alg, axes, keepdims }));
      const [got] = await runPlan(pb.plan, [x]);
      const groups: number[][] = Array.from({ length: prod(kd) }, () => []);
      const ks = strides(kd);
      for (let i = 0; i < x.length; i++) {
        const idx = unravel(i, xd);
        let o = 0;
        idx.forEach((v, d) => { o += (axes.includes(d) ? 0 : v) * ks[d]; });
        groups[o].push(x[i]);
      }
      assertClose(got, groups.map(reducers[alg]), `reduce ${alg}`);
    });
  }
}

test('batchnorm on a blocked activation and on a rank-2 plain input', async () => {
  const dims = [2, 16, 3, 3];
  const x = rand(prod(dims), 16);
  const scale = rand(16, 17), bias = rand(16, 18), mean = rand(16, 19), v = rand(16, 20).map((q) => Math.abs(q) + 0.1);
  const pb = new PlanBuilder();
  const c = identityConv(pb, pb.input('x', dims), dims);
  const params = [pb.constant('s', [16], scale), pb.constant('b', [16], bias), pb.constant('m', [16], mean), pb.constant('v', [16], v)];
  pb.output(pb.step('batchnorm', [c, ...params], dims, { epsilon: 1e-3 }));
  const x2 = rand(3 * 16, 21);
  pb.output(pb.step('batchnorm', [pb.input('x2', [3, 16]), ...params], [3, 16], { epsilon: 1e-3 }));
  const [got, got2] = await runPlan(pb.plan, [x, x2]);
  const bn = (val: number, ch: number) => scale[ch] * (val - mean[ch]) / Math.sqrt(v[ch] + 1e-3) + bias[ch];
  assertClose(got, Array.from(x, (val, i) => bn(val, Math.floor(i / 9) % 16)), 'batchnorm 4d');
  assertClose(got2, Array.from(x2, (val, i) => bn(val, i % 16)), 'batchnorm 2d');
});
