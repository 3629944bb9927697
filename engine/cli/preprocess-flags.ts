// The preprocessing flags shared by quantize, eval and compare: --size H,W --mean M[,M,M]
// --std S[,S,S] --gray|--rgb|--bgr (declared once in table.ts). Absent flags stay absent so the
// model's recorded metadata (written by quantize) can supply them.

import type { Backend, PreprocessOptions } from '../api/contract';
import { floatList, UsageError, type Args } from './args';

const COLORS = ['gray', 'rgb', 'bgr'] as const;

export function preprocessOptions(p: Args): PreprocessOptions {
  const out: PreprocessOptions = {};
  const size = p.string('size');
  if (size !== undefined) {
    const v = size.split(/[,x]/).map(Number);
    if (v.length !== 2 || v.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`--size needs H,W (positive integers), got '${size}'`);
    out.size = [v[0], v[1]];
  }
  const mean = p.string('mean');
  if (mean !== undefined) out.mean = floatList(mean, '--mean');
  const std = p.string('std');
  if (std !== undefined) out.std = floatList(std, '--std');
  const colors = COLORS.filter((c) => p.flag(c));
  if (colors.length > 1) throw new UsageError(`give one of --gray, --rgb, --bgr (got ${colors.map((c) => `--${c}`).join(' ')})`);
  if (colors.length) out.color = colors[0];
  return out;
}

/** --backend (its choices are checked by the parser). */
export function backendOption(p: Args): Backend | undefined {
  return p.string('backend') as Backend | undefined;
}
