#!/usr/bin/env node
// Runs the compiled tests: every dist/test/**/*.test.js whose TypeScript source still exists,
// one file at a time (`node --test --test-concurrency=1`), streaming the runner's output.
// Usage: node scripts/run-tests.js [FILTER...]   (a FILTER keeps files whose path contains it)
// Exits with the runner's code and ends with a plain `N passed, N failed` line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const distTest = path.join(root, 'dist', 'test');
const filters = process.argv.slice(2);

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
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(p);
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
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'pipe'],
});

// The TAP reporter (non-TTY stdout) ends with `# pass N` / `# fail N`; the spec reporter (TTY)
// with `ℹ pass N` / `ℹ fail N`. Keep the last value of each seen.
let pass = null;
let fail = null;
let tail = '';
function scan(chunk) {
  tail += chunk;
  const lines = tail.split('\n');
  tail = lines.pop();
  for (const line of lines) scanLine(line);
}
function scanLine(line) {
  const m = /^\s*(?:#|ℹ)\s+(pass|fail)\s+(\d+)\s*$/.exec(line);
  if (m) {
    if (m[1] === 'pass') pass = Number(m[2]);
    else fail = Number(m[2]);
  }
}
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  scan(d.toString('utf8'));
});
child.stderr.on('data', (d) => process.stderr.write(d));
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('close', (code, signal) => {
  if (tail) scanLine(tail);
  console.log(`${pass ?? 0} passed, ${fail ?? 0} failed`);
  if (signal) process.exit(1);
  process.exit(code ?? 1);
});
