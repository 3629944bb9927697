// Each calibrator on synthetic data: a unit Gaussian with three rare outliers (|x| 30..40).
// minmax must keep the outliers; percentile, entropy and mse must clip them, and mse must really
// lower the quantization error versus minmax (measured by fake-quantizing the data).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  createCalibrator,
  EntropyCalibrator,
  HistogramSet,
  MinMaxCalibrator,
  MseCalibrator,
  PercentileCalibrator,
  entropyRange,
  klOptimalBins,
  type TensorRange,
} from '../../engine/quant/calibrators';
import { resolveQuantConfig } from '../../engine/quant/config';
import { activationParams, fakeQuantize } from '../../engine/quant/params';
import { StreamingHistogram } from '../../engine/quant/histogram';
import { gaussianWithOutliers, meanSquaredError } from './synthetic';

const N = 100000;
const X = gaussianWithOutliers(N, 42, [40, -35, 30]);
const RELU = X.map((v) => Math.max(0, v));

function batches(x: Float32Array, name: string, size = 25000): Array<Map<string, Float32Array>> {
  const out = [];
  for (let i = 0; i < x.length; i += size) out.push(new Map([[name, x.subarray(i, i + size)]]));
  return out;
}

function quantMse(x: Float32Array, r: TensorRange, type: 'u8' | 's8'): number {
  return meanSquaredError(x, fakeQuantize(x, activationParams(r, { type })));
}

// One histogram pass shared by all histogram methods (also what the demo does).
const shared = new HistogramSet({ bins: 8192 });
for (const b of batches(X, 'x')) shared.collect(b);
for (const b of batches(RELU, 'relu')) shared.collect(b);

test('minmax keeps the outliers', () => {
  const c = new MinMaxCalibrator();
  for (const b of batches(X, 'x')) c.collect(b);
  assert.deepEqual(c.compute().get('x'), { min: -35, max: 40 });
});

test('percentile clips the outliers, both tails for u8, |x| for s8', () => {
  const u8 = new PercentileCalibrator({ percentile: 99.9, activations: 'u8', histograms: shared }).compute().get('x')!;
  // Unit Gaussian 0.1% / 99.9% quantiles are -/+3.09.
  assert.ok(u8.max > 2.8 && u8.max < 3.4, `u8 max ${u8.max}`);
  assert.ok(u8.min < -2.8 && u8.min > -3.4, `u8 min ${u8.min}`);
  const s8 = new PercentileCalibrator({ percentile: 99.9, activations: 's8', histograms: shared }).compute().get('x')!;
  // |x| 99.9% quantile is 3.29.
  assert.ok(s8.max > 3.1 && s8.max < 3.5 && s8.min === -s8.max, `s8 ${JSON.stringify(s8)}`);
  // ReLU output: lower bound stays exactly 0.
  const relu = new PercentileCalibrator({ percentile: 99.9, activations: 'u8', histograms: shared }).compute().get('relu')!;
  assert.equal(relu.min, 0);
  assert.ok(relu.max < 4);
  assert.throws(() => new PercentileCalibrator({ percentile: 40, activations: 'u8' }), /percentile/);
});

test('entropy clips the outliers to a few sigma', () => {
  for (const activations of ['s8', 'u8'] as const) {
    const r = new EntropyCalibrator({ activations, histograms: shared }).compute().get('x')!;
    assert.ok(r.max >= 3 && r.max <= 8, `${activations} entropy threshold ${r.max} not in [3, 8] sigma`);
    assert.ok(r.min <= -3 && r.min >= -8, `${activations} entropy min ${r.min}`);
  }
  // One-sided (ReLU) data: lower bound 0, upper clipped.
  const relu = new EntropyCalibrator({ activations: 'u8', histograms: shared }).compute().get('relu')!;
  assert.equal(relu.min, 0);
  assert.ok(relu.max >= 2 && relu.max <= 10, `relu entropy ${relu.max}`);
});

test('entropy degenerate inputs: all zeros, a single spike, a narrow distribution', () => {
  const zeros = new StreamingHistogram({ bins: 256 });
  zeros.add(new Float32Array(100));
  assert.deepEqual(entropyRange(zeros, { activations: 'u8' }), { min: 0, max: 0 });
  const spike = new StreamingHistogram({ bins: 256 });
  spike.add(new Float32Array(100).fill(5));
  // All mass in one bin: no clipping can help, the spike must stay representable.
  const r = entropyRange(spike, { activations: 'u8' });
  assert.equal(r.max, 5);
  const negSpike = new StreamingHistogram({ bins: 256 });
  negSpike.add(new Float32Array(100).fill(-5));
  assert.equal(entropyRange(negSpike, { activations: 's8' }).min, -5);
  // Fewer used bins than quantized levels: keep everything.
  assert.equal(klOptimalBins(Float64Array.of(1, 2, 3, 0, 0), 128), 3);
});

test('mse clips the outliers and beats minmax on measured quantization error', () => {
  for (const activations of ['s8', 'u8'] as const) {
    const r = new MseCalibrator({ activations, histograms: shared }).compute().get('x')!;
    assert.ok(r.max < 40 && r.min > -35, `${activations} mse range ${JSON.stringify(r)} keeps the outliers`);
    const mse = quantMse(X, r, activations);
    const naive = quantMse(X, { min: -35, max: 40 }, activations);
    assert.ok(mse < naive * 0.9, `${activations}: mse range error ${mse} vs minmax ${naive}`);
  }
  const relu = new MseCalibrator({ activations: 'u8', histograms: shared }).compute().get('relu')!;
  assert.equal(relu.min, 0);
  assert.ok(quantMse(RELU, relu, 'u8') <= quantMse(RELU, { min: 0, max: 40 }, 'u8'));
});

test('without outliers mse and entropy do not clip more than a Gaussian tail', () => {
  const clean = gaussianWithOutliers(20000, 3, []);
  const h = new HistogramSet({ bins: 2048 });
  h.observe('c', clean);
  const m = new MseCalibrator({ activations: 's8', histograms: h }).compute().get('c')!;
  assert.ok(m.max > 2.5, `mse threshold ${m.max}`);
  const e = new EntropyCalibrator({ activations: 's8', histograms: h }).compute().get('c')!;
  assert.ok(e.max > 2.5, `entropy threshold ${e.max}`);
});

test('createCalibrator builds the configured method over shared histograms', () => {
  for (const method of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
    const c = createCalibrator(resolveQuantConfig({ method }), { tensors: ['x'], histograms: new HistogramSet({ bins: 1024 }) });
    assert.equal(c.method, method);
    c.collect(new Map([['x', Float32Array.of(-1, 0, 2)]]));
    const r = c.compute().get('x')!;
    assert.ok(r.min >= -1 && r.max <= 2 && r.min <= 0 && r.max > 0, `${method}: ${JSON.stringify(r)}`);
  }
  const custom = createCalibrator(resolveQuantConfig({ method: 'custom', thresholdsFile: 'mem.json' }), {
    tensors: ['x'],
    thresholdsText: '{"x": 3}',
  });
  assert.deepEqual(custom.compute().get('x'), { min: -3, max: 3 });
});

test('a non-finite activation names the tensor', () => {
  const h = new HistogramSet({ bins: 64 });
  assert.throws(() => h.collect(new Map([['conv1', Float32Array.of(1, NaN)]])), /tensor "conv1".*NaN/);
});
