// 200 quantize-and-run cycles in one engine process grow its resident memory by less than 10%:
// a window that quantizes again and again must not leak plans, sessions, oneDNN primitives or
// buffers. A small in-code model (Conv-Relu-Flatten-Gemm on 8x8 inputs) keeps each cycle to a few
// tens of ms. RSS is read from /proc after a warm-up, then after the 200 cycles. The warm-up is
// long because the first ~200 cycles of a fresh process grow it by ~30 MiB that are not a leak:
// V8 sizes its young generation up (heapTotal +8-10 MiB, measured with --expose-gc: the live heap
// stays ~9 MiB), oneDNN's caches (primitives, up to 1024 by default; their JIT code) fill and the
// allocator's pools settle; after that the same loop grows ~1 MiB per 100 cycles (AMD EPYC,
// 1,000 cycles in-process). The curve every 50 cycles is printed.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { formatNpy } from '../../engine/data/npy';
import { ModelBuilder, randomData } from '../helpers/onnx-builder';
import { startTestEngine, tempDir, type TestEngine } from './engine-helpers';

const WARMUP = 300;
const CYCLES = 200;

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

function smallModel(): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', ['N', 1, 8, 8]);
  b.initializer('w', [8, 1, 3, 3], randomData(72, 1));
  b.initializer('bias', [8], randomData(8, 2));
  b.initializer('fw', [10, 512], randomData(5120, 3, -0.1, 0.1));
  b.initializer('fb', [10], randomData(10, 4));
  b.node('Conv', ['x', 'w', 'bias'], ['c'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
  b.node('Relu', ['c'], ['r']);
  b.node('Flatten', ['r'], ['f'], { axis: 1 });
  b.node('Gemm', ['f', 'fw', 'fb'], ['y'], { transB: 1 });
  b.output('y', ['N', 10]);
  return b.toBytes();
}

describe('engine process memory', { skip: fs.existsSync('/proc/self/status') ? undefined : 'needs /proc (Linux)' }, () => {
  let eng: TestEngine;
  let tmp: string;
  before(() => {
    eng = startTestEngine();
    tmp = tempDir('qwb-memory-');
  });
  after(() => {
    eng.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`${CYCLES} quantize-and-run cycles grow the engine's RSS by less than 10%`, async () => {
    const model = path.join(tmp, 'small.onnx');
    fs.writeFileSync(model, smallModel());
    const calib = path.join(tmp, 'calib.npy');
    fs.writeFileSync(calib, formatNpy([16, 1, 8, 8], randomData(16 * 64, 5, 0, 1)));
    const input = path.join(tmp, 'in.npy');
    fs.writeFileSync(input, formatNpy([4, 1, 8, 8], randomData(4 * 64, 6, 0, 1)));
    const methods = ['minmax', 'percentile', 'entropy', 'mse'] as const;
    const cycle = async (i: number) => {
      const out = path.join(tmp, 'small.int8.onnx');
      const q = await eng.client.call('quantizeModel', { modelPath: model, outPath: out, calib, calibCount: 16, method: methods[i % methods.length] });
      assert.equal(q.calibrationSamples, 16);
      const r = await eng.client.call('runModel', { modelPath: out, input, output: path.join(tmp, 'out.npy') });
      assert.deepEqual(r.outputs[0].dims, [4, 10]);
    };
    await eng.client.call('runtimeInfo', undefined);
    const pid = eng.pid()!;
    const atStart = rssKb(pid);
    const curve: number[] = [atStart];
    for (let i = 0; i < WARMUP; i++) {
      await cycle(i);
      if ((i + 1) % 50 === 0) curve.push(rssKb(pid));
    }
    const warm = rssKb(pid);
    const t0 = Date.now();
    for (let i = 0; i < CYCLES; i++) {
      await cycle(i);
      if ((i + 1) % 50 === 0) curve.push(rssKb(pid));
    }
    const s = (Date.now() - t0) / 1000;
    const end = rssKb(pid);
    assert.equal(eng.pid(), pid, 'one engine process did every cycle');
    const growth = (end - warm) / warm;
    process.stdout.write(
      `# engine RSS: ${(atStart / 1024).toFixed(1)} MiB at start, ${(warm / 1024).toFixed(1)} MiB after ${WARMUP} warm-up cycles, ${(end / 1024).toFixed(1)} MiB after ${CYCLES} more (${(growth * 100).toFixed(1)}%); ${((s * 1000) / CYCLES).toFixed(0)} ms per cycle\n` +
        `# every 50 cycles (MiB): ${curve.map((k) => (k / 1024).toFixed(1)).join(' ')}\n`,
    );
    assert.ok(growth < 0.1, `RSS grew ${(growth * 100).toFixed(1)}% over ${CYCLES} cycles (${warm} -> ${end} kB)`);
  });
});
