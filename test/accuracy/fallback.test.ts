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
  // One ruined range at a 0.5-point target is recoverable: the loop must meet it, and it must have
  // found the damage (the conv reading the ruined tensor, or the stem producing it).
  assert.ok(f.met, `target ${TARGET} not met: steps ${JSON.stringify(f.steps)}`);
  assert.ok(last.drop <= TARGET + 1e-9, `reported met with drop ${last.drop}`);
  assert.ok(f.keptFp32.length > 0, 'nothing was kept in FP32');
  const fp32Model = load(demoModel);
  const near = new Set(fp32Model.graph.nodes.filter((n) => n.outputs.includes(RUINED) || n.inputs.includes(RUINED) || n.name === '/stem/stem.0/Conv').map((n) => n.name));
  assert.ok(f.keptFp32.some((k) => near.has(k)), `kept ${f.keptFp32.join(', ')}, none next to the ruined tensor (${[...near].join(', ')})`);
  // The written file, measured by ONNX Runtime on the same images: the drop holds independently.
  const limit = ['--data', sampleImages, '--labels', sampleLabels, '--limit', '200', '--backend', 'ort'];
  const ortInt8 = qwbJson<{ top1: number }>('eval', out, ...limit);
  const ortFp32 = qwbJson<{ top1: number }>('eval', demoModel, ...limit, ...NORM);
  const ortDrop = (ortFp32.top1 - ortInt8.top1) * 100;
  assert.ok(ortDrop <= TARGET + 0.5, `ONNX Runtime on the written model: drop ${ortDrop.toFixed(2)} points (ours reported ${last.drop.toFixed(2)})`);
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
