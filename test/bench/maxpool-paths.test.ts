// The f32 max-pool path each machine runs, measured against the other paths on ResNet's stem pool
// and printed (timings are information only: shared machines). Asserted: which kernel runs where.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatPoolPaths, measurePoolPaths } from '../../tools/bench/maxpool-paths';
import { nativeInfo } from '../helpers/cpu';

test('max pool paths: our AVX2 loop only on the AVX2 path, oneDNN everywhere else (timings printed)', () => {
  const info = nativeInfo();
  const rows = measurePoolPaths(20);
  console.log(`max pool, 3x3/2 over 64x112x112 f32 after a 1x1 conv, on ${info.cpu.brand || info.cpu.vendor} (${info.cpu.features.join(' ')}):\n${formatPoolPaths(rows)}`);
  const byVariant = new Map(rows.map((r) => [r.variant.split(' ')[0], r]));
  assert.doesNotMatch(byVariant.get('oneDNN')!.impl, /^qwb:/, 'QWB_OWN_KERNELS=0 leaves the pool to oneDNN');
  const dflt = byVariant.get('default')!;
  // avx2 and avx2_vnni blocks f32 by 8 channels; AVX-512 by 16, where oneDNN's own pooling runs.
  if (info.isa.startsWith('avx2')) assert.equal(dflt.impl, 'qwb:maxpool_8c:avx2', 'on the AVX2 path our loop runs by default');
  else assert.doesNotMatch(dflt.impl, /^qwb:/, `on ${info.isa} oneDNN picks its own layout and pooling`);
  const capped = byVariant.get('AVX2');
  if (capped) assert.equal(capped.impl, 'qwb:maxpool_8c:avx2', 'capped to AVX2, our loop runs');
  for (const r of rows) assert.ok(r.poolMs > 0, `${r.variant}: ${r.poolMs} ms`);
});
