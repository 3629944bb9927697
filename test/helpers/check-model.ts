// Runs one ONNX model through our ModelSession (fused and unfused) and through onnxruntime-node, and
// asserts every output agrees within the project's tolerance.

import * as path from 'node:path';
import type { InferenceSession, SessionOptions } from '../../engine/runtime/session-types';
import { assertClose, runOrt, type OracleTensor } from './oracle';

interface SessionModule {
  ModelSession: { load(model: string | Uint8Array, options?: SessionOptions): Promise<InferenceSession> };
}

// A missing build must fail the op tests, never skip them: the engine is loaded eagerly here.
const SESSION_JS = path.join(__dirname, '..', '..', 'engine', 'runtime', 'session.js');

function sessionModule(): SessionModule {
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
