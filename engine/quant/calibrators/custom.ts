// Custom calibration: ranges imported from a JSON file instead of computed (the seeds' MXNet
// "custom collector", without user code). Accepted forms, mixable per key:
//   { "conv1_out": { "min": -1.5, "max": 6.0 }, "fc_out": 8.25 }
// A bare number t is a symmetric threshold, i.e. [-t, t] (a ReLU output then still gets zero
// point 0 through activationParams' nonNegative option).
// No data is needed, so collect() ignores its batches; the file is read and checked up front so a
// typo fails before any model work.

import * as fs from 'node:fs';
import { CalibrationError, type ActivationBatch, type Calibrator, type TensorRange } from './types';

export interface CustomOptions {
  /** Path of the JSON thresholds file (used in messages, and read unless `text` is given). */
  file: string;
  /** The file's contents, for callers that read files through a host. */
  text?: string;
  /** The tensors the planner calibrates: keys outside it are errors. */
  tensors: readonly string[];
  /** false (default): every tensor in `tensors` must have a range. true: missing ones are omitted
   *  from compute() and the planner keeps them in FP32. */
  allowMissing?: boolean;
}

function fewNames(names: readonly string[], n = 5): string {
  const shown = names.slice(0, n).map((s) => `"${s}"`).join(', ');
  return names.length > n ? `${shown}, ... (${names.length} in all)` : shown || '(none)';
}

/** Parses and checks a thresholds file; errors name the file and the offending key. */
export function parseThresholds(text: string, file: string): Map<string, TensorRange> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CalibrationError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CalibrationError(`${file}: expected an object of tensor name -> {"min": a, "max": b} or threshold`);
  }
  const out = new Map<string, TensorRange>();
  for (const [key, v] of Object.entries(doc as Record<string, unknown>)) {
    const where = `${file}: key "${key}"`;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || v <= 0) throw new CalibrationError(`${where}: threshold ${v} must be a finite number > 0`);
      out.set(key, checkSpan({ min: -v, max: v }, where));
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new CalibrationError(`${where}: expected {"min": a, "max": b} or a number, got ${JSON.stringify(v)}`);
    }
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'min' && k !== 'max');
    if (extra.length) throw new CalibrationError(`${where}: unexpected field(s) ${extra.map((k) => `"${k}"`).join(', ')} (only "min" and "max")`);
    for (const f of ['min', 'max'] as const) {
      if (typeof o[f] !== 'number' || !Number.isFinite(o[f])) {
        throw new CalibrationError(`${where}: "${f}" must be a finite number, got ${JSON.stringify(o[f])}`);
      }
    }
    const min = o.min as number;
    const max = o.max as number;
    if (min >= max) throw new CalibrationError(`${where}: min ${min} must be less than max ${max}`);
    out.set(key, checkSpan({ min, max }, where));
  }
  return out;
}

// float32 scales: a range whose step (span / 255) underflows to 0 or is not a normal float32, or
// whose ends overflow float32, cannot be encoded; such values once became scale 1.0 silently.
const FLT_MIN_NORMAL = 1.1754943508222875e-38;
const FLT_MAX = 3.4028234663852886e38;
function checkSpan(r: TensorRange, where: string): TensorRange {
  const span = Math.max(r.max, 0) - Math.min(r.min, 0);
  if (Math.abs(r.min) > FLT_MAX || Math.abs(r.max) > FLT_MAX) throw new CalibrationError(`${where}: range [${r.min}, ${r.max}] overflows float32`);
  if (span / 255 < FLT_MIN_NORMAL) throw new CalibrationError(`${where}: range [${r.min}, ${r.max}] is too narrow for a float32 scale (span / 255 = ${span / 255})`);
  return r;
}

export class CustomCalibrator implements Calibrator {
  readonly method = 'custom' as const;
  private readonly ranges: Map<string, TensorRange>;

  constructor(private readonly opts: CustomOptions) {
    let text = opts.text;
    if (text === undefined) {
      try {
        text = fs.readFileSync(opts.file, 'utf8');
      } catch (e) {
        throw new CalibrationError(`${opts.file}: cannot read thresholds file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    this.ranges = parseThresholds(text, opts.file);
    const known = new Set(opts.tensors);
    const unknown = [...this.ranges.keys()].filter((k) => !known.has(k));
    if (unknown.length) {
      throw new CalibrationError(
        `${opts.file}: unknown tensor name(s) ${fewNames(unknown)}; tensors to calibrate include ${fewNames(opts.tensors)}`,
      );
    }
    if (!opts.allowMissing) {
      const missing = opts.tensors.filter((t) => !this.ranges.has(t));
      if (missing.length) throw new CalibrationError(`${opts.file}: no range for tensor(s) ${fewNames(missing)}`);
    }
  }

  collect(_batch: ActivationBatch): void {
    // Ranges come from the file; the data pass is not needed.
  }

  compute(): Map<string, TensorRange> {
    const out = new Map<string, TensorRange>();
    for (const [k, r] of this.ranges) out.set(k, { ...r });
    return out;
  }
}
