// Accuracy-aware fallback on the demo (`qwb quantize --target-drop`): one activation range is
// deliberately ruined (a custom thresholds file clipping the stem's output to a twentieth of its range), so
// the fully INT8 model misses the target and the loop has to find the damaged layer and keep it in
// FP32. The written model must show it: the kept layers have no QuantizeLinear/DequantizeLinear on
// their weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { QuantizeResult } from '../../engine/api/contract';
import { activationRanges, demoModel, load, NORM, qwbJson, sampleImages, sampleLabels, tmpDir } from './helpers';

const dir = tmpDir('fallback');
const RUINED = '/stem/stem.2/Relu_output_0';
const TARGET = 0.5;

test('--target-drop keeps the damaged layer in FP32 and meets the target (or says it could not)', () => {
  const base = path.join(dir, 'minmax.int8.onnx');
  qwbJson('quantize', demoModel, '--calib', sampleImages, '--calib-count', '64', '--method', 'minmax', '--reduce-range', ...NORM, '--out', base);
  const ranges = activationRanges(load(base));
  assert.ok(ranges[RUINED], `${RUINED} is not a quantized activation of the demo any more; pick another tensor`);
  ranges[RUINED] = { min: ranges[RUINED].min / 20, max: ranges[RUINED].max / 20 };
  const thresholds = path.join(dir, 'ruined.json');
  fs.writeFileSync(thresholds, JSON.stringify(ranges));

  const out = path.join(dir, 'fallback.int8.onnx');
  const r = qwbJson<QuantizeResult>(
    'quantize', demoModel, '--method', 'custom', '--thresholds', thresholds, '--reduce-range', ...NORM,
    '--target-drop', String(TARGET), '--data', sampleImages, '--labels', sampleLabels, '--limit', '200', '--out', out,
  );
  const f = r.fallback!;
  assert.ok(f, 'no fallback report');
  assert.ok(f.steps[0].drop > TARGET, `the ruined range should cost more than ${TARGET} points, cost ${f.steps[0].drop}`);
  const last = f.steps[f.steps.length - 1];
  if (f.met) assert.ok(last.drop <= TARGET + 1e-9, `reported met with drop ${last.drop}`);
  else assert.ok(last.drop > TARGET, `reported not met with drop ${last.drop}`);
  assert.ok(f.keptFp32.length > 0, 'nothing was kept in FP32');
  assert.deepEqual(last.kept, f.keptFp32);
  assert.ok(f.latency.fp32 > 0 && f.latency.int8Final > 0);

  const model = load(out);
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let withWeights = 0;
  for (const name of f.keptFp32) {
    const node = model.graph.nodes.find((n) => n.name === name);
    assert.ok(node, `kept layer ${name} is not in the written model`);
    assert.ok(!r.quantizedNodes.includes(name), `${name} is both kept and quantized`);
    if (!['Conv', 'Gemm', 'MatMul'].includes(node.opType)) continue;
    withWeights++;
    const w = node.inputs[1];
    assert.ok(model.graph.initializers.has(w), `${name}: weight ${w} should be a plain FP32 initializer, is produced by ${producer.get(w)?.opType}`);
    assert.ok(!model.graph.nodes.some((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === w), `${name}: its weight is quantized`);
  }
  assert.ok(withWeights > 0, `expected a conv among the kept layers (${f.keptFp32.join(', ')})`);
});
