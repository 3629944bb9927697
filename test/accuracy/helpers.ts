// Shared by the accuracy tests: the qwb CLI as a child process (what a user runs), the demo's
// files, and per-tensor activation ranges read back from a QDQ model.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadModel } from '../../engine/onnx/load';
import type { Model } from '../../engine/ir/graph';

export const root = path.resolve(__dirname, '..', '..', '..');
export const demoModel = path.join(root, 'assets', 'demo', 'fashion_resnet.onnx');
export const sampleImages = path.join(root, 'assets', 'demo', 'sample-images-idx3-ubyte.gz');
export const sampleLabels = path.join(root, 'assets', 'demo', 'sample-labels-idx1-ubyte.gz');
/** The demo's normalisation (assets/demo/demo.json). */
export const NORM = ['--mean', '0.286', '--std', '0.353'];

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qwb-acc-${tag}-`));
}

export function qwb(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'qwb.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** qwb ... --json, parsed; fails with stderr when the command fails. */
export function qwbJson<T>(...args: string[]): T {
  const r = qwb(...args, '--json');
  if (r.code !== 0) throw new Error(`qwb ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as T;
}

export function load(file: string): Model {
  return loadModel(fs.readFileSync(file), { name: file, baseDir: path.dirname(file) });
}

/** Per-tensor activation ranges [min, max] of a u8 QDQ model, from its QuantizeLinear nodes. */
export function activationRanges(model: Model): Record<string, { min: number; max: number }> {
  const init = model.graph.initializers;
  const out: Record<string, { min: number; max: number }> = {};
  for (const n of model.graph.nodes) {
    if (n.opType !== 'QuantizeLinear') continue;
    const s = init.get(n.inputs[1]);
    if (!s || s.data.length !== 1) continue; // per-channel: weights
    const zp = n.inputs[2] ? Number(init.get(n.inputs[2])?.data[0] ?? 0) : 0;
    const scale = Number(s.data[0]);
    out[n.inputs[0]] = { min: -zp * scale, max: (255 - zp) * scale };
  }
  return out;
}
