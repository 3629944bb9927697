// The preprocessing flags shared by quantize, eval and compare: --size H,W --mean M[,M,M]
// --std S[,S,S] --gray|--rgb|--bgr. Absent flags stay absent so the model's recorded metadata
// (written by quantize) can supply them.

import type { Backend, PreprocessOptions } from '../api/contract';
import { floatList, lastOption, UsageError, type ParsedArgs } from './args';

export const PREPROCESS_VALUED = ['size', 'mean', 'std'] as const;
export const PREPROCESS_FLAGS = ['gray', 'rgb', 'bgr'] as const;

export function preprocessOptions(p: ParsedArgs): PreprocessOptions {
  const out: PreprocessOptions = {};
  const size = lastOption(p, 'size');
  if (size !== undefined) {
    const v = size.split(/[,x]/).map(Number);
    if (v.length !== 2 || v.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`--size needs H,W (positive integers), got '${size}'`);
    out.size = [v[0], v[1]];
  }
  const mean = lastOption(p, 'mean');
  if (mean !== undefined) out.mean = floatList(mean, '--mean');
  const std = lastOption(p, 'std');
  if (std !== undefined) out.std = floatList(std, '--std');
  const colors = PREPROCESS_FLAGS.filter((c) => p.flags.has(c));
  if (colors.length > 1) throw new UsageError(`give one of --gray, --rgb, --bgr (got ${colors.map((c) => `--${c}`).join(' ')})`);
  if (colors.length) out.color = colors[0];
  return out;
}

export function backendOption(p: ParsedArgs): Backend | undefined {
  const b = lastOption(p, 'backend');
  if (b === undefined) return undefined;
  if (b !== 'qwb' && b !== 'ort') throw new UsageError(`--backend must be qwb or ort, got '${b}'`);
  return b;
}

export function numberOption(p: ParsedArgs, name: string): number | undefined {
  const v = lastOption(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}
