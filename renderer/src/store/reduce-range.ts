// The wizard's reduce-range preset, from what the engine says about this CPU. RuntimeInfo is
// growing a `cpu` description and an int8 advice (another change, landing separately); this reads
// those when they are there, in the shapes they may take, and otherwise the ISA string that
// RuntimeInfo has always carried. Without VNNI (or AMX), u8 x s8 products go through a 16-bit
// saturating instruction: 7-bit weights (reduce range) avoid the overflow.

import type { RuntimeInfo } from '../../../engine/api/contract';

export interface ReduceRangePreset {
  on: boolean;
  reason: string;
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);

/** An advice object with a boolean reduceRange (and perhaps a reason), wherever it sits. */
function advice(info: Loose): { reduceRange: boolean; reason?: string } | undefined {
  const cpu = obj(info.cpu);
  for (const c of [info.int8Advice, info.advice, info.int8, cpu?.int8Advice, cpu?.advice, cpu?.int8]) {
    const a = obj(c);
    if (a && typeof a.reduceRange === 'boolean') return { reduceRange: a.reduceRange, reason: typeof a.reason === 'string' ? a.reason : typeof a.note === 'string' ? a.note : undefined };
  }
  return undefined;
}

/** Whether the CPU has VNNI/AMX, from a cpu feature description when there is one. */
function cpuVnni(info: Loose): boolean | undefined {
  const cpu = obj(info.cpu);
  if (!cpu) return undefined;
  for (const k of ['vnni', 'avx512Vnni', 'avx512_vnni', 'avxVnni', 'avx_vnni', 'amx', 'amxInt8', 'amx_int8']) if (cpu[k] === true) return true;
  const feats = cpu.features ?? cpu.flags;
  if (Array.isArray(feats)) return feats.some((f) => typeof f === 'string' && /vnni|amx/i.test(f));
  const fo = obj(feats);
  if (fo) return Object.entries(fo).some(([k, v]) => v === true && /vnni|amx/i.test(k));
  return undefined;
}

export function reduceRangePreset(info: RuntimeInfo | undefined): ReduceRangePreset {
  if (!info) return { on: true, reason: 'The CPU is not known yet: 7-bit weights are the safe choice.' };
  const loose = info as unknown as Loose;
  const a = advice(loose);
  if (a) return { on: a.reduceRange, reason: a.reason ?? (a.reduceRange ? 'The engine advises 7-bit weights on this CPU.' : 'The engine advises full 8-bit weights on this CPU.') };
  const vnni = cpuVnni(loose) ?? /vnni|amx/i.test(info.isa);
  return vnni
    ? { on: false, reason: `This CPU has VNNI (${info.isa}): int8 products accumulate in 32 bits, so full 8-bit weights are safe.` }
    : { on: true, reason: `This CPU has no VNNI (${info.isa}): int8 products pass through 16-bit saturating sums, so 7-bit weights avoid overflow.` };
}
