// The seeded fuzz suite (issue 12): 500 mutated ONNX models and 200 bad data files, generated here
// (never committed) from a small valid conv net, each run through info / run / quantize / eval in
// a real engine process with a time and a memory limit. Every case must end in a typed error that
// names the problem, or in a result; where ours runs a mutated model and ONNX Runtime runs it too,
// the outputs must agree. None may crash, hang, exceed the memory limit or surface a raw JS error.
// The counts print at the end; QWB_FUZZ_LOG=FILE writes every error (JSON lines) for reading them,
// QWB_FUZZ_ONNX / QWB_FUZZ_DATA change the case counts.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';

import sharp from 'sharp';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

import { parseNpy } from '../../engine/data/npy';
import { closeness } from '../helpers/tolerance';
import { smallConvNet } from '../quantize/helpers';
import { writeNpy } from '../data/helpers';
import { makeTensor } from '../../engine/ir/tensor';
import { saveModel } from '../../engine/onnx/save';
import { IrBuilder, int, ints } from '../engine/ir-builder';
import { EngineDriver, type Outcome } from './fuzz/engine-driver';
import { dataCases } from './fuzz/mutate-data';
import { onnxCases } from './fuzz/mutate-onnx';

const SEED = 20261202;
const ONNX_CASES = Number(process.env.QWB_FUZZ_ONNX ?? 500);
const DATA_CASES = Number(process.env.QWB_FUZZ_DATA ?? 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-fuzz-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// What a typed error may not look like: JavaScript's own messages leaking through.
const RAW = /Cannot read propert|is not a function|is not iterable|undefined is not|Invalid typed array length|Invalid array length|Maximum call stack|out of memory|RangeError: |TypeError: |^\s*at /;
const ALLOWED = new Set(['E_MODEL', 'E_DATA', 'E_USAGE', 'E_LIMIT', 'E_IO']);

interface Tally {
  cases: number;
  calls: number;
  ok: number;
  errors: Record<string, number>;
  failures: string[];
  agreedWithOrt: number;
}

function judge(t: Tally, label: string, o: Outcome): void {
  t.calls++;
  if (o.kind === 'ok') {
    t.ok++;
    return;
  }
  if (o.kind !== 'error') {
    t.failures.push(`${label}: ${o.kind}: ${o.detail}`);
    return;
  }
  t.errors[o.error.code] = (t.errors[o.error.code] ?? 0) + 1;
  if (process.env.QWB_FUZZ_LOG) fs.appendFileSync(process.env.QWB_FUZZ_LOG, `${JSON.stringify({ label, code: o.error.code, message: o.error.message })}\n`);
  if (!ALLOWED.has(o.error.code)) t.failures.push(`${label}: error code ${o.error.code}: ${o.error.message}`);
  else if (!o.error.message || RAW.test(o.error.message)) t.failures.push(`${label}: raw error: ${o.error.message}`);
}

/** A second base over the same [N, 1, 28, 28] input: shape arithmetic and layout ops (Reshape,
 *  Transpose, Slice, Concat, Gather, MatMul, Softmax) whose integer constants the mutations hit. */
function shapeOpsNet(): Uint8Array {
  const b = new IrBuilder();
  b.input('input', ['N', 1, 28, 28]);
  b.init('shape', makeTensor('int64', [3], [0, 28, 28]));
  b.init('perm_src', makeTensor('int64', [1], [1]));
  b.init('starts', makeTensor('int64', [1], [2]));
  b.init('ends', makeTensor('int64', [1], [26]));
  b.init('axes', makeTensor('int64', [1], [2]));
  b.init('idx', makeTensor('int64', [4], [0, 5, 9, 20]));
  b.rand('w', [24, 10], -0.5, 0.5);
  b.node('Reshape', ['input', 'shape'], ['r'], {}, 'reshape');
  b.node('Transpose', ['r'], ['t'], { perm: ints([0, 2, 1]) }, 'transpose');
  b.node('Slice', ['t', 'starts', 'ends', 'axes'], ['s'], {}, 'slice');
  b.node('Concat', ['s', 's'], ['c'], { axis: int(1) }, 'concat');
  b.node('Gather', ['c', 'idx'], ['g'], { axis: int(1) }, 'gather');
  b.node('MatMul', ['g', 'w'], ['m'], {}, 'matmul');
  b.node('ReduceMean', ['m'], ['rm'], { axes: ints([1]), keepdims: int(0) }, 'mean');
  b.node('Softmax', ['rm'], ['logits'], { axis: int(1) }, 'softmax');
  b.output('logits');
  return saveModel(b.model);
}

async function ortOutput(file: string, x: Float32Array): Promise<Float32Array | undefined> {
  try {
    const s = await ort.InferenceSession.create(file);
    try {
      const r = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [2, 1, 28, 28]) });
      return Float32Array.from(r[s.outputNames[0]].data as ArrayLike<number>);
    } finally {
      await s.release();
    }
  } catch {
    return undefined;
  }
}

test(`fuzz: ${ONNX_CASES} mutated ONNX models and ${DATA_CASES} bad data files through the engine process`, { timeout: 30 * 60_000 }, async () => {
  const base = smallConvNet(path.join(dir, 'base.onnx'));
  const bases = [new Uint8Array(fs.readFileSync(base)), shapeOpsNet()];
  const x = new Float32Array(2 * 784).map((_, i) => Math.sin(i) * 0.8);
  const xFile = path.join(dir, 'x.npy');
  writeNpy(xFile, '<f4', [2, 1, 28, 28], new Uint8Array(x.buffer));
  const calib = path.join(dir, 'calib.npy');
  writeNpy(calib, '<f4', [8, 1, 28, 28], new Uint8Array(new Float32Array(8 * 784).map((_, i) => Math.cos(i)).buffer));
  const driver = new EngineDriver({ timeoutMs: 20_000, memoryMb: 1500, env: { QWB_MAX_MEMORY: '2G' } });
  const tally: Tally = { cases: 0, calls: 0, ok: 0, errors: {}, failures: [], agreedWithOrt: 0 };
  try {
    // --- models ---
    for (const [i, c] of onnxCases(bases, ONNX_CASES, SEED).entries()) {
      const caseDir = path.join(dir, `m${i}`);
      fs.mkdirSync(caseDir);
      for (const [name, f] of Object.entries(c.files ?? {})) {
        if (f instanceof Uint8Array) fs.writeFileSync(path.join(caseDir, name), f);
        else fs.symlinkSync(f.symlink, path.join(caseDir, name));
      }
      const model = path.join(caseDir, 'model.onnx');
      fs.writeFileSync(model, c.bytes);
      tally.cases++;
      judge(tally, `${c.name} info`, await driver.call('inspectModel', { path: model }));
      const out = path.join(caseDir, 'y.npy');
      const run = await driver.call('runModel', { modelPath: model, input: xFile, output: out });
      judge(tally, `${c.name} run`, run);
      if (run.kind === 'ok') {
        // Ours ran the mutant: where ONNX Runtime runs it too, both must compute the same.
        const ref = await ortOutput(model, x);
        if (ref) {
          const got = parseNpy(new Uint8Array(fs.readFileSync(out)), out).data as Float32Array;
          const cl = closeness(got, ref, 1e-3);
          if (cl.failure) tally.failures.push(`${c.name} run: differs from ONNX Runtime: ${cl.failure}`);
          else tally.agreedWithOrt++;
        }
      }
      if (i % 4 === 0) {
        judge(tally, `${c.name} quantize`, await driver.call('quantizeModel', { modelPath: model, outPath: path.join(caseDir, 'q.onnx'), calib, calibCount: 4, method: ['minmax', 'entropy', 'mse', 'percentile'][i % 4 === 0 ? (i / 4) % 4 : 0] }));
      }
      fs.rmSync(caseDir, { recursive: true, force: true });
    }
    // --- data ---
    const png = await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer();
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    const norm = { mean: [0.286], std: [0.353], color: 'gray' as const };
    for (const c of dataCases(dataDir, DATA_CASES, SEED + 1, png)) {
      tally.cases++;
      if (c.use === 'evaluate') judge(tally, `${c.name} eval`, await driver.call('evaluate', { modelPath: base, data: c.data, labels: c.labels, preprocess: norm, limit: 16 }));
      else if (c.use === 'calibrate') judge(tally, `${c.name} quantize`, await driver.call('quantizeModel', { modelPath: base, outPath: path.join(dataDir, 'q.onnx'), calib: c.data, calibCount: 8, preprocess: norm }));
      else judge(tally, `${c.name} custom`, await driver.call('quantizeModel', { modelPath: base, outPath: path.join(dataDir, 'q.onnx'), method: 'custom', thresholdsFile: c.thresholds }));
    }
  } finally {
    driver.close();
  }
  const codes = Object.entries(tally.errors).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `fuzz: ${tally.cases} cases (${ONNX_CASES} models, ${DATA_CASES} data files), ${tally.calls} engine calls: ${tally.ok} results ` +
      `(${tally.agreedWithOrt} runs also checked against ONNX Runtime), errors by code: ${codes}; ${tally.failures.length} failures ` +
      `(crash, hang, memory, raw or untyped error, wrong result); engine started ${driver.restarts} time(s)`,
  );
  assert.deepEqual(tally.failures, [], `${tally.failures.length} fuzz failures:\n${tally.failures.slice(0, 40).join('\n')}`);
});
