import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { adviseWeightBits, QuantConfigError, resolveQuantConfig, type QuantConfigInput } from '../../engine/quant/config';

test('defaults: minmax, per-channel 8-bit weights, u8 activations, 512 first samples', () => {
  const c = resolveQuantConfig();
  assert.equal(c.method, 'minmax');
  assert.equal(c.percentile, 99.99);
  assert.deepEqual(c.weights, { perChannel: true, bits: 8 });
  assert.deepEqual(c.activations, { type: 'u8' });
  assert.deepEqual(c.exclude, { names: [], opTypes: [] });
  assert.deepEqual(c.calibration, { count: 512 });
});

test('explicit values are kept', () => {
  const c = resolveQuantConfig({
    method: 'percentile',
    percentile: 99.9,
    weights: { perChannel: false, bits: 7 },
    activations: { type: 's8' },
    exclude: { names: ['fc'], opTypes: ['Gemm'] },
    calibration: { count: 64, seed: 7 },
  });
  assert.equal(c.percentile, 99.9);
  assert.deepEqual(c.weights, { perChannel: false, bits: 7 });
  assert.deepEqual(c.calibration, { count: 64, seed: 7 });
  assert.deepEqual(c.exclude.opTypes, ['Gemm']);
});

test('validation errors name the field and the bad value', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ method: 'kl' }, /method = "kl"/],
    [{ method: 'percentile', percentile: 999 }, /percentile = 999/],
    [{ method: 'entropy', percentile: 99 }, /percentile = 99.*only with method "percentile"/],
    [{ method: 'custom' }, /thresholdsFile = undefined.*required/],
    [{ thresholdsFile: 't.json' }, /thresholdsFile = "t.json"/],
    [{ weights: { bits: 4 } }, /weights\.bits = 4/],
    [{ activations: { type: 'int8' } }, /activations\.type = "int8"/],
    [{ exclude: { names: ['a', ''] } }, /exclude\.names\[1\] = ""/],
    [{ calibration: { count: 0 } }, /calibration\.count = 0/],
    [{ calibration: { count: 8, seed: -1 } }, /calibration\.seed = -1/],
    [{ histogramBins: 1001 }, /histogramBins = 1001/],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => resolveQuantConfig(input as QuantConfigInput), (e: unknown) => e instanceof QuantConfigError && re.test(e.message));
  }
});

test('custom method with a thresholds file resolves', () => {
  assert.equal(resolveQuantConfig({ method: 'custom', thresholdsFile: 't.json' }).thresholdsFile, 't.json');
});

test('reduce range: automatic with a warning only where int8 pairs saturate, an explicit choice wins', () => {
  const auto = adviseWeightBits({ accumulation: '16bit-pairs' });
  assert.equal(auto.bits, 7);
  assert.match(auto.warning ?? '', /16-bit saturating/);
  for (const accumulation of ['vnni', 'amx'] as const) {
    const a = adviseWeightBits({ accumulation });
    assert.equal(a.bits, 8, accumulation);
    assert.equal(a.warning, undefined, `no warning with ${accumulation}`);
    assert.match(a.reason, /32 bits/);
  }
  const forced = adviseWeightBits({ accumulation: '16bit-pairs', requested: 8 });
  assert.equal(forced.bits, 8);
  assert.equal(forced.warning, undefined);
  assert.match(forced.reason, /may saturate/);
  assert.equal(adviseWeightBits({ accumulation: 'vnni', requested: 7 }).bits, 7);
});
