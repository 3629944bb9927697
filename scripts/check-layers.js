#!/usr/bin/env node
// The layer check of `npm test`: dependency-cruiser with .dependency-cruiser.js (ARCHITECTURE.md's
// rules) over the source folders that exist (renderer/ and electron/ join when they are added).
// Exits non-zero on any violation.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const dirs = ['engine', 'renderer', 'electron'].filter((d) => fs.existsSync(path.join(root, d)));
const bin = path.join(root, 'node_modules', '.bin', 'depcruise');
const r = spawnSync(bin, ['--config', '.dependency-cruiser.js', '--output-type', 'err', ...dirs], { cwd: root, stdio: 'inherit' });
if (r.error) {
  console.error(`check-layers: cannot run ${bin}: ${r.error.message}`);
  process.exit(1);
}
if (r.status !== 0) console.error('check-layers: layer rules of ARCHITECTURE.md violated (see .dependency-cruiser.js); fix the imports, do not list exceptions');
process.exit(r.status ?? 1);
