#!/usr/bin/env node
// Runs the compiled tests: every dist/test/**/*.test.js whose TypeScript source still exists,
// one file at a time (`node --test --test-concurrency=1`), streaming the runner's output.
// Usage: node scripts/run-tests.js [--zoo] [FILTER...]   (a FILTER keeps files whose path contains it;
// --zoo runs the heavy model-corpus files, *.zoo-test.js, instead: `npm run test:zoo`)
// Exits with the runner's code and ends with a plain `N passed, N failed` line. On a CPU above AVX2
// the kernel suites run again capped to AVX2 (see cappedRerunPlan), counted in that line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const distTest = path.join(root, 'dist', 'test');
const zoo = process.argv.includes('--zoo');
const suffix = zoo ? '.zoo-test.js' : '.test.js';
const filters = process.argv.slice(2).filter((a) => a !== '--zoo');

function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const files = walk(distTest, [])
  .filter((f) => {
    // Skip compiled leftovers of deleted or renamed test sources.
    const rel = path.relative(path.join(root, 'dist'), f).replace(/\.js$/, '.ts');
    return fs.existsSync(path.join(root, rel));
  })
  .filter((f) => filters.length === 0 || filters.some((s) => path.relative(root, f).includes(s)))
  .sort();

if (files.length === 0) {
  console.error(filters.length ? `no test files match ${filters.join(' ')}` : 'no compiled tests under dist/test (run: npx tsc -p tsconfig.json)');
  console.log('0 passed, 0 failed (0 skipped)');
  process.exit(1);
}

// The TAP reporter (non-TTY stdout) ends with `# pass N` / `# fail N`; the spec reporter (TTY)
// with `ℹ pass N` / `ℹ fail N`. Keep the last value of each seen.
function runFiles(list, env, label) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...list], {
      cwd: root,
      env,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    const counts = { pass: 0, fail: 0, skipped: 0 };
    let tail = '';
    const scanLine = (line) => {
      const m = /^\s*(?:#|ℹ)\s+(pass|fail|skipped)\s+(\d+)\s*$/.exec(line);
      if (m) counts[m[1]] = Number(m[2]);
    };
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail += d.toString('utf8');
      const lines = tail.split('\n');
      tail = lines.pop();
      for (const line of lines) scanLine(line);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    const forward = (sig) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (tail) scanLine(tail);
      if (label) console.log(`${label}: ${counts.pass} passed, ${counts.fail} failed (${counts.skipped} skipped)`);
      resolve({ ...counts, ok: !signal && code === 0 });
    });
  });
}

// oneDNN's effective ISA and the CPU's features, from the addon in a throwaway process (undefined
// when the addon is not built: the suites then fail on their own).
function nativeInfo() {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(JSON.stringify(require('./build/Release/qwb_native.node').info()))"], { cwd: root, encoding: 'utf8' });
  try {
    return r.status === 0 ? JSON.parse(r.stdout) : undefined;
  } catch {
    return undefined;
  }
}

// On a CPU above AVX2 (AVX-512, AMX, AVX-VNNI), the suites that exercise kernels run a second
// time with oneDNN capped to AVX2, which caps our own kernel choice with it: both paths stay green
// whichever machine a developer, a user or CI has. QWB_CAPPED_RERUN=0 turns it off;
// QWB_CAPPED_RERUN=SSE41 (any ONEDNN_MAX_CPU_ISA value) forces a re-run with that cap, e.g. to try the
// mechanism on an AVX2 machine.
const CAPPED_SUITES = ['test/native/', 'test/qdq/', 'test/quantize/'];
function cappedRerunPlan() {
  const forced = process.env.QWB_CAPPED_RERUN;
  if (forced === '0' || (filters.length > 0 && !forced)) return undefined;
  const pick = (f) => CAPPED_SUITES.some((s) => path.relative(path.join(root, 'dist'), f).startsWith(s));
  if (forced) return { cap: forced, isa: nativeInfo()?.isa ?? 'an unknown ISA', list: files.filter(pick) };
  if (process.env.ONEDNN_MAX_CPU_ISA) return { skip: `oneDNN is already capped (ONEDNN_MAX_CPU_ISA=${process.env.ONEDNN_MAX_CPU_ISA})` };
  const info = nativeInfo();
  if (!info) return { skip: 'the native addon did not load' };
  if (!info.cpu.features.includes('avx2')) return { skip: 'this CPU has no AVX2' };
  if (info.isa === 'avx2') return { skip: "oneDNN's effective ISA is already avx2 here" };
  return { cap: 'AVX2', isa: info.isa, list: files.filter(pick) };
}

(async () => {
  const main = await runFiles(files, process.env);
  let { pass, fail, skipped, ok } = main;
  const capped = cappedRerunPlan();
  if (capped && capped.skip) console.log(`capped AVX2 re-run of ${CAPPED_SUITES.join(', ')}: skipped, ${capped.skip}`);
  else if (capped && capped.list.length) {
    console.log(`capped ${capped.cap} re-run: oneDNN runs ${capped.isa} here; running ${capped.list.length} files again with ONEDNN_MAX_CPU_ISA=${capped.cap}`);
    const r = await runFiles(capped.list, { ...process.env, ONEDNN_MAX_CPU_ISA: capped.cap }, `capped ${capped.cap} re-run`);
    pass += r.pass;
    fail += r.fail;
    skipped += r.skipped;
    ok = ok && r.ok;
  }
  // Skips print their reason where they happen; the count keeps them visible here.
  console.log(`${pass} passed, ${fail} failed (${skipped} skipped)`);
  process.exit(ok ? 0 : 1);
})();
