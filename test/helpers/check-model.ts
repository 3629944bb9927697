// Runs one ONNX model through our ModelSession (fused and unfused) and through onnxruntime-node, and
// asserts every output agrees within the project's tolerance.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession, SessionOptions } from '../../engine/runtime/session-types';
import { assertClose, runOrt, type OracleTensor } from './oracle';

interface SessionModule {
  ModelSession: { load(model: string | Uint8Array, options?: SessionOptions): Promise<InferenceSession> };
}

const SESSION_JS = path.join(__dirname, '..', '..', 'engine', 'runtime', 'session.js');
const ADDON = path.join(__dirname, '..', '..', '..', 'build', 'Release', 'qwb_native.node');

/** Why end-to-end op tests cannot run here (no ModelSession build or no native addon), or undefined. */
export function sessionUnavailable(): string | undefined {
  if (!fs.existsSync(SESSION_JS)) return 'engine/runtime/session.ts is not built yet';
  if (!fs.existsSync(ADDON)) return 'build/Release/qwb_native.node is not built';
  return undefined;
}

function sessionModule(): SessionModule {
  // Loaded lazily so that the infer/evaluate tests run before the runtime exists.
  return require(SESSION_JS) as SessionModule;
}

export interface CheckOptions {
  relTol?: number;
  /** Which of our modes to run (default both). */
  modes?: ('fused' | 'unfused')[];
}

/** Runs `bytes` with `feeds` in onnxruntime and in our ModelSession, asserting agreement; returns ORT's outputs. */
export async function checkModel(bytes: Uint8Array, feeds: Record<string, OracleTensor>, label: string, opts: CheckOptions = {}): Promise<Record<string, OracleTensor>> {
  const expected = await runOrt(bytes, feeds);
  const { ModelSession } = sessionModule();
  for (const mode of opts.modes ?? ['fused', 'unfused']) {
    const session = await ModelSession.load(bytes, { threads: 1, fused: mode === 'fused' });
    try {
      const res = await session.run(feeds);
      for (const [name, exp] of Object.entries(expected)) {
        const got = res.outputs[name];
        if (!got) throw new Error(`${label} [${mode}]: output '${name}' missing`);
        assertClose(got, exp, opts.relTol ?? 1e-4, `${label} [${mode}] ${name}`);
      }
    } finally {
      session.dispose();
    }
  }
  return expected;
}
