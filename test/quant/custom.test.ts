import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CalibrationError, CustomCalibrator, parseThresholds } from '../../engine/quant/calibrators';

test('both forms parse: {min, max} and a symmetric threshold', () => {
  const m = parseThresholds('{"a": {"min": -1, "max": 6}, "b": 2.5}', 't.json');
  assert.deepEqual(m.get('a'), { min: -1, max: 6 });
  assert.deepEqual(m.get('b'), { min: -2.5, max: 2.5 });
});

test('errors name the file and the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"a": ', /^t\.json: not valid JSON/],
    ['[1, 2]', /^t\.json: expected an object/],
    ['{"a": "3"}', /^t\.json: key "a": expected .* got "3"/],
    ['{"a": -1}', /^t\.json: key "a": threshold -1/],
    ['{"a": {"min": 2, "max": 1}}', /^t\.json: key "a": min 2 must be less than max 1/],
    // Thresholds that once became scale 1.0 in silence (top-1 93% -> 17%).
    ['{"a": 0}', /^t\.json: key "a": threshold 0 must be a finite number > 0/],
    ['{"a": 1e-300}', /^t\.json: key "a": range \[-1e-300, 1e-300\] is too narrow for a float32 scale/],
    ['{"a": 1e300}', /^t\.json: key "a": range \[-1e\+300, 1e\+300\] overflows float32/],
    ['{"a": {"min": 3, "max": 3}}', /^t\.json: key "a": min 3 must be less than max 3/],
    ['{"a": {"min": 0}}', /^t\.json: key "a": "max" must be a finite number/],
    ['{"a": {"min": 0, "max": 1, "mx": 2}}', /^t\.json: key "a": unexpected field\(s\) "mx"/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseThresholds(text, 't.json'), (e: unknown) => e instanceof CalibrationError && re.test(e.message), text);
  }
});

test('unknown tensor names are an error listing a few known names', () => {
  const tensors = ['conv1_out', 'conv2_out', 'relu1', 'relu2', 'pool', 'fc1', 'fc2'];
  assert.throws(
    () => new CustomCalibrator({ file: 'th.json', text: '{"conv1": 1}', tensors }),
    (e: unknown) =>
      e instanceof CalibrationError &&
      /th\.json: unknown tensor name\(s\) "conv1"; tensors to calibrate include "conv1_out", "conv2_out", "relu1", "relu2", "pool", \.\.\. \(7 in all\)/.test(
        e.message,
      ),
  );
});

test('missing tensors are an error unless allowed', () => {
  assert.throws(() => new CustomCalibrator({ file: 'th.json', text: '{"a": 1}', tensors: ['a', 'b'] }), /th\.json: no range for tensor\(s\) "b"/);
  const c = new CustomCalibrator({ file: 'th.json', text: '{"a": 1}', tensors: ['a', 'b'], allowMissing: true });
  assert.deepEqual([...c.compute().keys()], ['a']);
});

test('reads the file from disk; a missing file is reported with its path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-custom-'));
  try {
    const file = path.join(dir, 'th.json');
    fs.writeFileSync(file, JSON.stringify({ x: { min: 0, max: 6 } }));
    const c = new CustomCalibrator({ file, tensors: ['x'] });
    c.collect(new Map([['x', Float32Array.of(100)]])); // ignored: ranges come from the file
    assert.deepEqual(c.compute().get('x'), { min: 0, max: 6 });
    const gone = path.join(dir, 'nope.json');
    assert.throws(() => new CustomCalibrator({ file: gone, tensors: ['x'] }), (e: unknown) => e instanceof Error && e.message.startsWith(`${gone}: cannot read`) && /ENOENT/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
