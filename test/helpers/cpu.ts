// CPU-aware test helpers. Tests assert behaviour and kernel *families* (the ISA oneDNN runs here),
// never one ISA's kernel name. A test about one ISA's path runs that path on any newer CPU by
// re-running itself in a child process with oneDNN capped (ONEDNN_MAX_CPU_ISA), which also caps our
// own kernel selection (native/runtime/cpu-features.h); it is skipped, with the reason printed,
// only on a CPU that lacks the ISA.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { loadNativeAddon } from '../../engine/runtime/native';
import type { NativeInfo } from '../../engine/runtime/native-types';

export function nativeInfo(): NativeInfo {
  return loadNativeAddon().info();
}

/** oneDNN kernel names on this machine carry the effective ISA's family ("avx2" for avx2 and
 *  avx2_vnni, "avx512" for every avx512_core variant and AMX, "sse41" ...). */
export function kernelFamily(info = nativeInfo()): RegExp {
  if (info.isa.startsWith('avx512')) return /avx512/;
  if (info.isa.startsWith('avx2')) return /avx2/;
  // Below AVX2 oneDNN 2.6 runs many convolutions as its jit gemm, which names no ISA.
  return new RegExp(`${info.isa}|gemm:jit`);
}

/** Asserts a oneDNN implementation name is a real kernel of this machine's family, not a reference
 *  (or unknown) implementation. */
export function assertKernelFamily(impl: string, what: string, info = nativeInfo()): void {
  assert.doesNotMatch(impl, /(^|[^a-z])ref([^a-z]|$)|^$/, `${what}: runs a reference implementation (${impl || 'none'})`);
  assert.match(impl, kernelFamily(info), `${what}: kernel '${impl}' is not of this machine's family (oneDNN ISA ${info.isa})`);
}

/** The ISAs a test may pin, as ONEDNN_MAX_CPU_ISA spells them and as our features name them. */
const ISA = {
  SSE41: { feature: 'sse4_1', onednn: 'sse41' },
  AVX2: { feature: 'avx2', onednn: 'avx2' },
} as const;
export type PinnedIsa = keyof typeof ISA;

/** Order of oneDNN ISAs by what they include (avx2_vnni above avx2, every avx512 and AMX above). */
function isaRank(isa: string): number {
  if (isa.startsWith('avx512')) return 4;
  if (isa.startsWith('avx2')) return isa === 'avx2' ? 3 : 3.5;
  if (isa === 'avx') return 2;
  return isa === 'sse41' ? 1 : 0;
}

/** Where a test about `isa`'s path runs: here (oneDNN already dispatches exactly that ISA), in a
 *  child capped to it (a newer CPU, or a cap above it), or nowhere (the CPU lacks it, or a cap
 *  already sits below it). */
export function isaPlacement(isa: PinnedIsa, info = nativeInfo()): { here: true } | { child: true } | { skip: string } {
  const want = ISA[isa];
  if (!info.cpu.features.includes(want.feature)) return { skip: `this CPU has no ${want.feature} (features: ${info.cpu.features.join(' ') || 'none'})` };
  if (info.isa === want.onednn) return { here: true };
  if (isaRank(info.isa) < isaRank(want.onednn)) return { skip: `oneDNN is capped to ${info.isa} here (ONEDNN_MAX_CPU_ISA=${process.env.ONEDNN_MAX_CPU_ISA ?? 'unset'})` };
  return { child: true };
}

/**
 * A test of the `isa` path: runs `body` here when oneDNN dispatches exactly that ISA, otherwise runs
 * this same test in a child process with ONEDNN_MAX_CPU_ISA=isa and asserts it passed there.
 * `file` is the caller's __filename.
 */
export function isaTest(name: string, isa: PinnedIsa, file: string, body: () => Promise<void>): void {
  test(name, async (t) => {
    const where = isaPlacement(isa);
    if ('skip' in where) {
      console.log(`# skipped '${name}': ${where.skip}`);
      t.skip(where.skip);
      return;
    }
    if ('here' in where) return body();
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = `^${escaped}$`;
    // The file itself, run as a plain script (node:test still runs and reports it); without the
    // parent runner's NODE_TEST_CONTEXT, which would make the child skip its tests.
    const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--test-reporter=tap', `--test-name-pattern=${pattern}`, file], {
      encoding: 'utf8',
      env: { ...env, ONEDNN_MAX_CPU_ISA: isa },
      timeout: 5 * 60_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `capped to ${isa} in a child process, '${name}' failed:\n${out}`);
    // Tests the pattern leaves out count as skipped; this one must have passed, unskipped.
    assert.match(r.stdout, /^# pass 1$/m, `capped to ${isa} in a child process, '${name}' did not run:\n${out}`);
    assert.match(r.stdout, new RegExp(`^ok \\d+ - ${escaped}$`, 'm'), `capped to ${isa} in a child process, '${name}' was skipped:\n${out}`);
  });
}
