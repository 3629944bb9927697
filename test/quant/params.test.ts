import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  activationParams,
  dequantizeWeights,
  fakeQuantize,
  quantizeBias,
  quantizeTensor,
  quantizeValue,
  quantizeWeights,
  roundHalfEven,
  weightChannelAxis,
  weightParams,
} from '../../engine/quant/params';

test('roundHalfEven: ties go to the even neighbour, others to nearest', () => {
  const cases: Array<[number, number]> = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2],
    [2.4999, 2], [2.5001, 3], [-2.5001, -3], [7, 7], [126.5, 126], [127.5, 128],
  ];
  for (const [x, want] of cases) assert.equal(roundHalfEven(x) + 0, want, `round(${x})`);
});

test('u8 asymmetric: 0 is exact, zero point within [0, 255]', () => {
  const p = activationParams({ min: -1, max: 3 }, { type: 'u8' });
  assert.equal(p.scale, Math.fround(4 / 255));
  assert.equal(p.zeroPoint, 64); // round(1 / (4/255)) = round(63.75)
  assert.equal(quantizeValue(0, p.scale, p.zeroPoint, p.qmin, p.qmax), p.zeroPoint);
  assert.equal(fakeQuantize([0], p)[0], 0);
  // Range not containing 0 is widened to include it.
  const pos = activationParams({ min: 2, max: 6 }, { type: 'u8' });
  assert.equal(pos.zeroPoint, 0);
  assert.equal(pos.scale, Math.fround(6 / 255));
  const neg = activationParams({ min: -6, max: -2 }, { type: 'u8' });
  assert.equal(neg.zeroPoint, 255);
  // Saturation at both ends.
  assert.deepEqual([...quantizeTensor([-100, 100], p)], [0, 255]);
});

test('after ReLU: u8 with zero point 0, even from a symmetric threshold', () => {
  const p = activationParams({ min: -4, max: 4 }, { type: 'u8', nonNegative: true });
  assert.equal(p.zeroPoint, 0);
  assert.equal(p.scale, Math.fround(4 / 255));
  assert.equal(activationParams({ min: 0, max: 6 }, { type: 'u8' }).zeroPoint, 0);
});

test('s8 symmetric: scale from max |x|, zero point 0', () => {
  const p = activationParams({ min: -2, max: 1.27 }, { type: 's8' });
  assert.equal(p.scale, Math.fround(2 / 127));
  assert.equal(p.zeroPoint, 0);
  assert.deepEqual([...quantizeTensor([-2, 2, -1000, 0], p)], [-127, 127, -128, 0]);
});

test('all-zero range gives a positive scale and exact zeros', () => {
  for (const type of ['u8', 's8'] as const) {
    const p = activationParams({ min: 0, max: 0 }, { type });
    assert.ok(p.scale > 0);
    assert.equal(p.zeroPoint, 0);
    assert.equal(fakeQuantize([0], p)[0], 0);
  }
  assert.throws(() => activationParams({ min: 1, max: -1 }, { type: 'u8' }), /invalid range/);
});

test('per-channel weight scales on axis 0 (Conv) and per-tensor', () => {
  // [2, 1, 1, 3]: channel 0 max|w| = 2, channel 1 max|w| = 0.5
  const w = [1.5, -2, 0.5, 0.2, -0.5, 0.1];
  const dims = [2, 1, 1, 3];
  const p = weightParams(w, dims, { perChannel: true, bits: 8, axis: weightChannelAxis('Conv', { rank: 4 }) });
  assert.equal(p.axis, 0);
  assert.deepEqual([...p.scales], [Math.fround(2 / 127), Math.fround(0.5 / 127)]);
  const q = quantizeWeights(w, dims, p);
  assert.deepEqual([...q], [95, -127, 32, 51, -127, 25]); // 95.25, 31.75, 50.8, 25.4
  const back = dequantizeWeights(q, dims, p);
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(back[i] - w[i]) <= p.scales[i < 3 ? 0 : 1] / 2 + 1e-9);

  const t = weightParams(w, dims, { perChannel: false, bits: 8 });
  assert.equal(t.axis, null);
  assert.deepEqual([...t.scales], [Math.fround(2 / 127)]);
  // An all-zero channel still gets a usable scale.
  assert.ok(weightParams([0, 0, 1, 1], [2, 2], { perChannel: true, bits: 8, axis: 0 }).scales[0] > 0);
});

test('per-channel on a non-leading axis (Gemm B [K, N], MatMul)', () => {
  const w = [1, 10, -2, 20, 3, -30]; // [3, 2]: column maxima 3 and 30
  const axis = weightChannelAxis('Gemm', { rank: 2 });
  assert.equal(axis, 1);
  assert.equal(weightChannelAxis('Gemm', { rank: 2, transB: true }), 0);
  assert.equal(weightChannelAxis('MatMul', { rank: 3 }), 2);
  const p = weightParams(w, [3, 2], { perChannel: true, bits: 8, axis });
  assert.deepEqual([...p.scales], [Math.fround(3 / 127), Math.fround(30 / 127)]);
  assert.throws(() => weightParams(w, [3, 2], { perChannel: true, bits: 8 }), /axis undefined/);
});

test('7-bit weights (reduce range) stay in [-64, 63]', () => {
  const w = [-1, -0.3, 0, 0.25, 1, 0.999];
  const p = weightParams(w, [6], { perChannel: false, bits: 7 });
  assert.equal(p.qmin, -64);
  assert.equal(p.qmax, 63);
  assert.equal(p.scales[0], Math.fround(1 / 63));
  const q = quantizeWeights(w, [6], p);
  assert.deepEqual([...q], [-63, -19, 0, 16, 63, 63]); // -18.9, 15.75, 62.94
  assert.ok(Math.max(...q) <= 63 && Math.min(...q) >= -64);
});

test('bias to int32 with scale s_x * s_w[c]', () => {
  const sx = 0.02;
  const sw = Float32Array.of(0.01, 0.5);
  const b = quantizeBias([0.001, -0.25], sx, sw);
  assert.deepEqual([...b.scales], [Math.fround(Math.fround(sx) * sw[0]), Math.fround(Math.fround(sx) * sw[1])]);
  assert.equal(b.data[0], Math.round(0.001 / b.scales[0])); // 5
  assert.equal(b.data[1], -25);
  // Saturation to int32.
  assert.equal(quantizeBias([1e9], 1e-6, [1e-6]).data[0], 2147483647);
  assert.throws(() => quantizeBias([1, 2, 3], 1, [1, 1]), /3 channels but there are 2/);
});
