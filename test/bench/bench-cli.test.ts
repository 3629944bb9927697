// `qwb bench` on the bundled demo model: the JSON keys the issue names, positive numbers, and
// per-layer rows that cover every ONNX node, totals that are the rows' sums. Timings themselves are
// never asserted (shared, noisy machines).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { loadModel } from '../../engine/onnx/load';
import { mergeProfiles, quantile, median } from '../../engine/runtime/profile';

const root = path.resolve(__dirname, '..', '..', '..');
const qwb = path.join(root, 'bin', 'qwb.js');
const demo = path.join(root, 'assets', 'demo', 'fashion_resnet.onnx');

function bench(...args: string[]) {
  const r = spawnSync(process.execPath, [qwb, 'bench', demo, '--json', '--iters', '3', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const positive = (v: unknown, what: string) => assert.ok(typeof v === 'number' && v > 0 && Number.isFinite(v), `${what} = ${v}`);

test('qwb bench --json reports warm-up, median, p90 and throughput', () => {
  const r = bench();
  positive(r.latency_ms.median, 'latency_ms.median');
  positive(r.latency_ms.p90, 'latency_ms.p90');
  positive(r.throughput_per_s, 'throughput_per_s');
  positive(r.warmup_ms, 'warmup_ms');
  // Throughput is items per second at the median batch latency (demo input: batch 1 by default).
  assert.equal(r.batch, 1);
  assert.ok(Math.abs(r.throughput_per_s - (1000 * r.batch) / r.latency_ms.median) < 1e-6 * r.throughput_per_s, `throughput ${r.throughput_per_s} vs median ${r.latency_ms.median} ms`);
  assert.equal(r.iters, 3);
  assert.equal(r.layers, undefined);
});

test('qwb bench --per-layer rows cover every ONNX node, with all three variants timed', () => {
  const r = bench('--per-layer', '--batch', '2');
  assert.equal(r.batch, 2);
  const model = loadModel(demo);
  const covered = new Set<string>(r.layers.flatMap((l: { nodes: string[] }) => l.nodes));
  for (const n of model.graph.nodes) assert.ok(covered.has(n.name), `node ${n.name} is in no row`);
  for (const l of r.layers) {
    assert.equal(typeof l.name, 'string');
    assert.equal(typeof l.op, 'string');
    for (const k of ['fp32_raw_ms', 'fp32_fused_ms', 'int8_ms']) assert.ok(l[k] === null || l[k] >= 0, `${l.name}.${k}`);
  }
  for (const k of ['fp32_raw_ms', 'fp32_fused_ms', 'int8_ms']) {
    assert.ok(r.layers.some((l: Record<string, number | null>) => (l[k] ?? 0) > 0), `no row has ${k}`);
  }
  // The totals are the rows' sums, variant by variant (a row dropped or counted twice shows here).
  for (const [k, total] of [['fp32_raw_ms', 'fp32_raw'], ['fp32_fused_ms', 'fp32_fused'], ['int8_ms', 'int8']]) {
    const sum = r.layers.reduce((a: number, l: Record<string, number | null>) => a + (l[k] ?? 0), 0);
    assert.ok(Math.abs(sum - r.totals_ms[total]) <= 1e-6 * Math.max(1, sum), `${k}: rows sum to ${sum}, totals_ms.${total} = ${r.totals_ms[total]}`);
  }
  // Every Conv of the model is quantized: its row has an INT8 time.
  for (const n of model.graph.nodes.filter((x) => x.opType === 'Conv')) {
    const row = r.layers.find((l: { nodes: string[] }) => l.nodes.includes(n.name));
    assert.ok(row.int8_ms !== null, `${n.name} has no int8 step`);
  }
});

test('mergeProfiles joins steps that share ONNX nodes across variants', () => {
  const step = (index: number, nodes: string[], ms: number) => ({ index, kind: 'x', name: nodes[0] ?? 'r', nodes, ms });
  const rows = mergeProfiles(
    {
      raw: [step(0, ['conv'], 2), step(1, ['bn'], 1), step(2, ['relu'], 1), step(3, ['fc'], 1)],
      fused: [step(0, ['conv', 'bn', 'relu'], 3), step(1, ['fc'], 1)],
      int8: [step(0, ['q_in'], 0.5), step(1, ['conv', 'relu', 'q_relu'], 1), step(2, [], 0.25), step(3, ['fc'], 1)],
    },
    ['conv', 'bn', 'relu', 'id', 'fc'],
    (n) => ({ conv: 'Conv', bn: 'BatchNormalization', relu: 'Relu', fc: 'Gemm', id: 'Identity' })[n],
  );
  assert.deepEqual(
    rows.map((r) => [r.name, r.nodes, r.ms]),
    [
      ['q_in', ['q_in'], { int8: 0.5 }],
      ['conv', ['conv', 'bn', 'relu', 'q_relu'], { raw: 4, fused: 3, int8: 1 }],
      ['r', ['r'], { int8: 0.25 }],
      ['id', ['id'], {}],
      ['fc', ['fc'], { raw: 1, fused: 1, int8: 1 }],
    ],
  );
  assert.equal(rows[1].op, 'Conv+BatchNormalization+Relu');
  assert.equal(median([3, 1, 2, 10]), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
});
