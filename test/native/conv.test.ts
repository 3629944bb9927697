// conv / deconv steps against direct JS loops: groups, depthwise, dilation, strides, asymmetric
// pads, bias, relu and sum post-ops.

import { test } from 'node:test';

import { PlanBuilder, assertClose, rand, runPlan } from './helpers';

interface ConvCase {
  n: number; c: number; h: number; w: number; m: number; kh: number; kw: number;
  group: number; strides: [number, number]; pads: [number, number, number, number]; dil: [number, number];
}

const outSize = (x: number, k: number, s: number, p0: number, p1: number, d: number) =>
  Math.floor((x + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;

function refConv(k: ConvCase, x: Float32Array, w: Float32Array, b: Float32Array | null) {
  const oh = outSize(k.h, k.kh, k.strides[0], k.pads[0], k.pads[2], k.dil[0]);
  const ow = outSize(k.w, k.kw, k.strides[1], k.pads[1], k.pads[3], k.dil[1]);
  const cg = k.c / k.group, mg = k.m / k.group;
  const y = new Float64Array(k.n * k.m * oh * ow);
  for (let n = 0; n < k.n; n++)
    for (let m = 0; m < k.m; m++) {
      const g = Math.floor(m / mg);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b ? b[m] : 0;
          for (let ci = 0; ci < cg; ci++)
            for (let ky = 0; ky < k.kh; ky++)
              for (let kx = 0; kx < k.kw; kx++) {
                const iy = oy * k.strides[0] - k.pads[0] + ky * k.dil[0];
                const ix = ox * k.strides[1] - k.pads[1] + kx * k.dil[1];
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                acc += x[((n * k.c + g * cg + ci) * k.h + iy) * k.w + ix] * w[((m * cg + ci) * k.kh + ky) * k.kw + kx];
              }
          y[((n * k.m + m) * oh + oy) * ow + ox] = acc;
        }
    }
  return { y, oh, ow };
}

const cases: [string, ConvCase][] = [
  ['plain 3x3 pad 1', { n: 1, c: 3, h: 9, w: 8, m: 8, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] }],
  ['grouped strided asymmetric pads', { n: 2, c: 8, h: 11, w: 10, m: 12, kh: 3, kw: 2, group: 4, strides: [2, 3], pads: [0, 1, 2, 0], dil: [1, 1] }],
  ['depthwise dilated', { n: 1, c: 16, h: 12, w: 12, m: 16, kh: 3, kw: 3, group: 16, strides: [1, 1], pads: [2, 2, 2, 2], dil: [2, 2] }],
  ['1x1 wide', { n: 1, c: 32, h: 5, w: 7, m: 24, kh: 1, kw: 1, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] }],
];

for (const [name, k] of cases) {
  for (const post of ['none', 'relu', 'sum+relu'] as const) {
    test(`conv ${name} (${post})`, async () => {
      const x = rand(k.n * k.c * k.h * k.w, 1);
      const w = rand(k.m * (k.c / k.group) * k.kh * k.kw, 2);
      const b = rand(k.m, 3);
      const { y, oh, ow } = refConv(k, x, w, b);
      const pb = new PlanBuilder();
      const xi = pb.input('x', [k.n, k.c, k.h, k.w]);
      const wi = pb.constant('w', [k.m, k.c / k.group, k.kh, k.kw], w);
      const bi = pb.constant('b', [k.m], b);
      const attrs: Record<string, number[] | number | string[]> = {
        strides: k.strides, pads: [k.pads[0], k.pads[1], k.pads[2], k.pads[3]], dilations: k.dil, group: k.group,
      };
      const inputs = [xi, wi, bi];
      const feeds = [x];
      let expected: Float64Array = y;
      if (post === 'relu') {
        attrs.post_ops = ['relu'];
        attrs.post_alpha = [0];
        attrs.post_beta = [0];
        expected = y.map((v) => Math.max(0, v));
      } else if (post === 'sum+relu') {
        const r = rand(y.length, 4);
        const ri = pb.input('residual', [k.n, k.m, oh, ow]);
        feeds.push(r);
        inputs.push(ri);
        attrs.post_ops = ['sum', 'relu'];
        attrs.post_alpha = [1, 0];
        attrs.post_beta = [0, 0];
        expected = y.map((v, i) => Math.max(0, v + r[i]));
      }
      const out = pb.step('conv', inputs, [k.n, k.m, oh, ow], attrs);
      pb.output(out);
      const [got] = await runPlan(pb.plan, feeds);
      assertClose(got, expected, `conv ${name} ${post}`);
    });
  }
}

test('conv sum post-op in place on an internal residual (not read later)', async () => {
  // x -> conv1 (relu) -> t; conv2(x) + t -> y: t's buffer can be taken over by conv2.
  const k: ConvCase = { n: 1, c: 4, h: 6, w: 6, m: 8, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
  const x = rand(4 * 36, 5), w1 = rand(8 * 4 * 9, 6), w2 = rand(8 * 4 * 9, 7);
  const t = refConv(k, x, w1, null).y.map((v) => Math.max(0, v));
  const y = refConv(k, x, w2, null).y.map((v, i) => v + t[i]);
  const pb = new PlanBuilder();
  const xi = pb.input('x', [1, 4, 6, 6]);
  const attrs = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 };
  const ti = pb.step('conv', [xi, pb.constant('w1', [8, 4, 3, 3], w1), -1], [1, 8, 6, 6], { ...attrs, post_ops: ['relu'], post_alpha: [0], post_beta: [0] });
  const yi = pb.step('conv', [xi, pb.constant('w2', [8, 4, 3, 3], w2), -1, ti], [1, 8, 6, 6], { ...attrs, post_ops: ['sum'], post_alpha: [1], post_beta: [0] });
  pb.output(yi);
  const [got] = await runPlan(pb.plan, [x]);
  assertClose(got, y, 'conv residual');
});

test('conv 1d with stride and erf post-op (unfused tail)', async () => {
  const x = rand(2 * 3 * 10, 8), w = rand(4 * 3 * 3, 9);
  const k: ConvCase = { n: 2, c: 3, h: 1, w: 10, m: 4, kh: 1, kw: 3, group: 1, strides: [1, 2], pads: [0, 1, 0, 1], dil: [1, 1] };
  const { y, ow } = refConv(k, x, w, null);
  const pb = new PlanBuilder();
  const out = pb.step('conv', [pb.input('x', [2, 3, 10]), pb.constant('w', [4, 3, 3], w)], [2, 4, ow],
    { strides: [2], pads: [1, 1], dilations: [1], group: 1, post_ops: ['erf'], post_alpha: [0], post_beta: [0] });
  pb.output(out);
  const [got] = await runPlan(pb.plan, [x]);
  // erf via the Abramowitz-Stegun 7.1.26 approximation is too coarse; use a series-free check:
  const erf = (v: number) => {
    // high-precision erf by numerical integration (Simpson, 2000 steps)
    const n = 2000, h = v / n;
    let s = 0;
    for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
    return (2 / Math.sqrt(Math.PI)) * s * h / 3;
  };
  assertClose(got, y.map(erf), 'conv1d erf');
});

function refDeconv(n: number, c: number, h: number, w: number, m: number, kh: number, kw: number, g: number,
  s: [number, number], p: [number, number, number, number], d: [number, number], x: Float32Array, wt: Float32Array, b: Float32Array) {
  const oh = (h - 1) * s[0] - p[0] - p[2] + (kh - 1) * d[0] + 1;
  const ow = (w - 1) * s[1] - p[1] - p[3] + (kw - 1) * d[1] + 1;
  const cg = c / g, mg = m / g;
  const y = new Float64Array(n * m * oh * ow);
  for (let b0 = 0; b0 < n; b0++)
    for (let mo = 0; mo < m; mo++) for (let i = 0; i < oh * ow; i++) y[(b0 * m + mo) * oh * ow + i] = b[mo];
  for (let b0 = 0; b0 < n; b0++)
    for (let ci = 0; ci < c; ci++) {
      const gi = Math.floor(ci / cg);
      for (let iy = 0; iy < h; iy++)
        for (let ix = 0; ix < w; ix++) {
          const xv = x[((b0 * c + ci) * h + iy) * w + ix];
          for (let mo = 0; mo < mg; mo++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const oy = iy * s[0] - p[0] + ky * d[0], ox = ix * s[1] - p[1] + kx * d[1];
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                y[((b0 * m + gi * mg + mo) * oh + oy) * ow + ox] += xv * wt[((ci * mg + mo) * kh + ky) * kw + kx];
              }
        }
    }
  return { y, oh, ow };
}

for (const [name, g, s, p, d] of [
  ['stride 2', 1, [2, 2], [1, 1, 1, 1], [1, 1]],
  ['grouped asymmetric dilated', 2, [2, 1], [0, 1, 1, 0], [1, 2]],
] as [string, number, [number, number], [number, number, number, number], [number, number]][]) {
  test(`deconv ${name}`, async () => {
    const n = 1, c = 4, h = 5, w = 6, m = 6, kh = 3, kw = 3;
    const x = rand(n * c * h * w, 11), wt = rand(c * (m / g) * kh * kw, 12), b = rand(m, 13);
    const { y, oh, ow } = refDeconv(n, c, h, w, m, kh, kw, g, s, p, d, x, wt, b);
    const pb = new PlanBuilder();
    const out = pb.step('deconv', [pb.input('x', [n, c, h, w]), pb.constant('w', [c, m / g, kh, kw], wt), pb.constant('b', [m], b)],
      [n, m, oh, ow], { strides: s, pads: p, dilations: d, group: g });
    pb.output(out);
    const [got] = await runPlan(pb.plan, [x]);
    assertClose(got, y, `deconv ${name}`);
  });
}
