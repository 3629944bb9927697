// The wizard's reduce-range preset: exactly the engine's advice for this machine (RuntimeInfo.int8,
// from the CPU's own feature bits and oneDNN's effective ISA: 7-bit weights only where u8 x s8
// products go through 16-bit saturating pair sums), with the engine's own one-sentence reason.

import type { RuntimeInfo } from '../../../engine/api/contract';

export interface ReduceRangePreset {
  on: boolean;
  reason: string;
}

export function reduceRangePreset(info: RuntimeInfo | undefined): ReduceRangePreset {
  if (!info) return { on: true, reason: 'The machine is not known yet: 7-bit weights are the safe choice.' };
  const reason = info.int8.reason.charAt(0).toUpperCase() + info.int8.reason.slice(1);
  return { on: info.int8.weightBits === 7, reason: `${reason}.` };
}
