// reshape, transpose (from plain and blocked layouts), slice (negative steps), pad (constant,
// reflect, edge, negative = crop), copy, and resize (nearest, linear, cubic, tf_crop_and_resize).

import { test } from 'node:test';

import { PlanBuilder, assertClose, prod, rand, runPlan, strides, unravel } from './helpers';

test('reshape then transpose, and transpose straight from a conv (blocked) output', async () => {
  const x = rand(2 * 8 * 3 * 3, 1);
  const pb = new PlanBuilder();
  const xi = pb.input('x', [2, 8, 3, 3]);
  const r = pb.step('reshape', [xi], [2, 8, 9]);
  pb.output(pb.step('transpose', [r], [9, 2, 8], { perm: [2, 0, 1] }));
  const w = new Float32Array(64);
  for (let i = 0; i < 8; i++) w[i * 8 + i] = 2;
  const c = pb.step('conv', [xi, pb.constant('w', [8, 8, 1, 1], w)], [2, 8, 3, 3], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
  pb.output(pb.step('transpose', [c], [2, 3, 3, 8], { perm: [0, 2, 3, 1] }));
  const [t1, t2] = await runPlan(pb.plan, [x]);
  const ref1 = Array.from({ length: 144 }, (_, i) => { const [k, n, ch] = unravel(i, [9, 2, 8]); return x[(n * 8 + ch) * 9 + k]; });
  const ref2 = Array.from({ length: 144 }, (_, i) => { const [n, h, ww, ch] = unravel(i, [2, 3, 3, 8]); return 2 * x[((n * 8 + ch) * 3 + h) * 3 + ww]; });
  assertClose(t1, ref1, 'reshape+transpose');
  assertClose(t2, ref2, 'transpose of blocked');
});

test('slice with positive and negative steps', async () => {
  const xd = [4, 6, 5];
  const x = rand(prod(xd), 2);
  const pb = new PlanBuilder();
  const xi = pb.input('x', xd);
  pb.output(pb.step('slice', [xi], [2, 3, 5], { starts: [1, 0, 0], steps: [2, 2, 1] }));
  pb.output(pb.step('slice', [xi], [4, 2, 3], { starts: [3, 5, 4], steps: [-1, -3, -2] }));
  const [a, b] = await runPlan(pb.plan, [x]);
  const xs = strides(xd);
  const pick = (yd: number[], st: number[], sp: number[]) => Array.from({ length: prod(yd) }, (_, i) =>
    x[unravel(i, yd).reduce((o, v, d) => o + (st[d] + v * sp[d]) * xs[d], 0)]);
  assertClose(a, pick([2, 3, 5], [1, 0, 0], [2, 2, 1]), 'slice +');
  assertClose(b, pick([4, 2, 3], [3, 5, 4], [-1, -3, -2]), 'slice -');
});

for (const mode of ['constant', 'reflect', 'edge']) {
  test(`pad ${mode} (with a negative pad = crop)`, async () => {
    const xd = [2, 4, 5], pads = [0, 2, -1, 1, 1, 3];
    const yd = xd.map((d, i) => d + pads[i] + pads[i + 3]);
    const x = rand(prod(xd), 3);
    const pb = new PlanBuilder();
    pb.output(pb.step('pad', [pb.input('x', xd)], yd, { mode, pads, value: 0.75 }));
    const [got] = await runPlan(pb.plan, [x]);
    const xs = strides(xd);
    const ref = Array.from({ length: prod(yd) }, (_, i) => {
      let off = 0;
      for (const [d, o] of unravel(i, yd).entries()) {
        let c = o - pads[d];
        const n = xd[d];
        if (c < 0 || c >= n) {
          if (mode === 'constant') return 0.75;
          if (mode === 'edge') c = c < 0 ? 0 : n - 1;
          else c = c < 0 ? -c : 2 * (n - 1) - c;
        }
        off += c * xs[d];
      }
      return x[off];
    });
    assertClose(got, ref, `pad ${mode}`);
  });
}

test('copy of a graph input and of a constant', async () => {
  const x = rand(6, 4), k = rand(3, 5);
  const pb = new PlanBuilder();
  pb.output(pb.step('copy', [pb.input('x', [2, 3])], [2, 3]));
  pb.output(pb.step('copy', [pb.constant('k', [3], k)], [3]));
  const [a, b] = await runPlan(pb.plan, [x]);
  assertClose(a, x, 'copy input');
  assertClose(b, k, 'copy constant');
});

test('resize nearest asymmetric floor 2x upsample (known values)', async () => {
  const x = new Float32Array([1, 2, 3, 4]);
  const pb = new PlanBuilder();
  pb.output(pb.step('resize', [pb.input('x', [1, 1, 2, 2])], [1, 1, 4, 4],
    { mode: 'nearest', coord: 'asymmetric', nearest_mode: 'floor', scales: [1, 1, 2, 2] }));
  const [got] = await runPlan(pb.plan, [x]);
  assertClose(got, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], 'nearest');
});

test('resize linear align_corners (known values)', async () => {
  const x = new Float32Array([0, 3]);
  const pb = new PlanBuilder();
  pb.output(pb.step('resize', [pb.input('x', [1, 1, 1, 2])], [1, 1, 1, 4],
    { mode: 'linear', coord: 'align_corners', scales: [1, 1, 1, 2] }));
  const [got] = await runPlan(pb.plan, [x]);
  assertClose(got, [0, 1, 2, 3], 'linear align_corners');
});

/** Independent 1-D ONNX Resize reference (edge-clamped taps), applied axis by axis (separable). */
function resize1d(src: number[], outLen: number, scale: number, mode: string, coord: string, nm: string, A: number, excl: boolean): number[] {
  const L = src.length;
  const at = (i: number) => src[Math.min(L - 1, Math.max(0, i))];
  const out: number[] = [];
  for (let j = 0; j < outLen; j++) {
    let x: number;
    if (coord === 'half_pixel') x = (j + 0.5) / scale - 0.5;
    else if (coord === 'pytorch_half_pixel') x = outLen > 1 ? (j + 0.5) / scale - 0.5 : 0;
    else if (coord === 'align_corners') x = outLen === 1 ? 0 : (j * (L - 1)) / (outLen - 1);
    else if (coord === 'tf_half_pixel_for_nn') x = (j + 0.5) / scale;
    else x = j / scale;
    if (mode === 'nearest') {
      let i: number;
      if (nm === 'floor') i = Math.floor(x);
      else if (nm === 'ceil') i = Math.ceil(x);
      else if (x - Math.floor(x) === 0.5) i = nm === 'round_prefer_ceil' ? Math.ceil(x) : Math.floor(x);
      else i = Math.round(x);
      out.push(at(i));
    } else if (mode === 'linear') {
      const xc = Math.min(Math.max(x, 0), L - 1), i0 = Math.floor(xc), t = xc - i0;
      out.push(at(i0) * (1 - t) + at(i0 + 1) * t);
    } else {
      const i0 = Math.floor(x), t = x - i0;
      const w = (d: number) => { d = Math.abs(d); return d <= 1 ? (A + 2) * d ** 3 - (A + 3) * d ** 2 + 1 : d < 2 ? A * d ** 3 - 5 * A * d ** 2 + 8 * A * d - 4 * A : 0; };
      let acc = 0, ws = 0;
      for (let k = -1; k <= 2; k++) {
        const i = i0 + k;
        const wk = excl && (i < 0 || i >= L) ? 0 : w(t - k);
        acc += wk * at(i);
        ws += wk;
      }
      out.push(excl ? acc / ws : acc);
    }
  }
  return out;
}

for (const [mode, coord, nm, excl] of [
  ['nearest', 'half_pixel', 'round_prefer_floor', 0], ['nearest', 'asymmetric', 'round_prefer_ceil', 0],
  ['nearest', 'tf_half_pixel_for_nn', 'ceil', 0], ['nearest', 'align_corners', 'floor', 0],
  ['linear', 'half_pixel', '', 0], ['linear', 'pytorch_half_pixel', '', 0], ['linear', 'asymmetric', '', 0],
  ['cubic', 'half_pixel', '', 0], ['cubic', 'align_corners', '', 1],
] as [string, string, string, number][]) {
  test(`resize ${mode} ${coord} ${nm} exclude_outside=${excl} (up H, down W)`, async () => {
    const xd = [1, 2, 5, 7], yd = [1, 2, 8, 4], scales = [1, 1, 8 / 5, 4 / 7];
    const x = rand(prod(xd), 6);
    const pb = new PlanBuilder();
    pb.output(pb.step('resize', [pb.input('x', xd)], yd, { mode, coord, nearest_mode: nm || 'round_prefer_floor', scales, cubic_coeff_a: -0.75, exclude_outside: excl }));
    const [got] = await runPlan(pb.plan, [x]);
    const ref: number[] = [];
    for (let c = 0; c < 2; c++) {
      const rows: number[][] = [];
      for (let h = 0; h < 5; h++) rows.push(resize1d(Array.from(x.subarray((c * 5 + h) * 7, (c * 5 + h + 1) * 7)), 4, scales[3], mode, coord, nm, -0.75, !!excl));
      const cols: number[][] = [];
      for (let w = 0; w < 4; w++) cols.push(resize1d(rows.map((r) => r[w]), 8, scales[2], mode, coord, nm, -0.75, !!excl));
      for (let h = 0; h < 8; h++) for (let w = 0; w < 4; w++) ref.push(cols[w][h]);
    }
    assertClose(got, ref, `resize ${mode} ${coord}`);
  });
}

test('resize tf_crop_and_resize with extrapolation', async () => {
  const x = new Float32Array([0, 1, 2, 3]);
  const pb = new PlanBuilder();
  // roi 0.5..1.5 over a length-4 axis: coordinates 1.5, 2.5, 3.5, 4.5 -> the last is outside.
  pb.output(pb.step('resize', [pb.input('x', [1, 4])], [1, 4],
    { mode: 'linear', coord: 'tf_crop_and_resize', scales: [1, 1], roi: [0, 0.5, 1, 1.5], extrapolation_value: -9 }));
  const [got] = await runPlan(pb.plan, [x]);
  // x = 0.5*3 + j*(1.0*3)/3 = 1.5 + j
  assertClose(got, [1.5, 2.5, -9, -9], 'tf_crop_and_resize');
});
