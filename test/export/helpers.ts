// Shared by the export tests and the latency script: quantize the demo model, export, build the
// example against the .so, run it, and run the same input through the in-app ModelSession.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Service } from '../../engine/api/service';
import { NodeHost } from '../../engine/host/node-host';
import { ModelSession } from '../../engine/runtime/session';
import { floatData } from '../../engine/runtime/session-types';

export const DEMO_MODEL = path.resolve(__dirname, '..', '..', '..', 'assets', 'demo', 'fashion_resnet.onnx');
export const TRAIN_IMAGES = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
export const SAMPLE = [1, 28, 28];

export function service(): Service {
  return new Service(new NodeHost());
}

export function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Deterministic input for `batch` samples, in the range of normalised images. */
export function makeInput(batch: number, seed = 7): Float32Array {
  const n = batch * SAMPLE.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 4 - 2;
  }
  return x;
}

export function writeRaw(file: string, data: Float32Array): void {
  fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

let quantized: Promise<string> | undefined;

/** The demo model quantized (minmax on 64 training images) once per test process, into a temp
 *  folder of its own; every export test group shares it. */
export function quantizeDemo(): Promise<string> {
  quantized ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-export-int8-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'demo.int8.onnx');
    await service().quantizeModel({ modelPath: DEMO_MODEL, outPath: out, calib: TRAIN_IMAGES, calibCount: 64, method: 'minmax' });
    return out;
  })();
  return quantized;
}

/** Builds example.c in an export dir with the README's line; returns the binary. */
export async function buildExample(dir: string, library: string): Promise<string> {
  const r = await run('gcc', ['-O2', 'example.c', '-o', 'example', '-L.', `-l:${library}`, "-Wl,-rpath,$ORIGIN"], dir);
  if (r.code !== 0) throw new Error(`gcc example.c in ${dir} failed:\n${r.stderr}`);
  return path.join(dir, 'example');
}

/** The in-app session's output for the same input (same threads). */
export async function inApp(modelPath: string, batch: number, input: Float32Array, threads = 1): Promise<Float32Array> {
  const s = await ModelSession.load(modelPath, { threads });
  try {
    const r = await s.run({ input: { dims: [batch, ...SAMPLE], data: input } });
    return floatData(Object.values(r.outputs)[0], `${modelPath} output`);
  } finally {
    s.dispose();
  }
}
