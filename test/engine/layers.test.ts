// The layer rules of .dependency-cruiser.js (run by `npm test` over the real tree) checked on a
// small fixture tree that breaks each rule once and also holds the imports the rules allow: so the
// rules for renderer/ and electron/ are known to bite before those folders have code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

const FIXTURE: Record<string, string> = {
  'engine/ops/b.ts': 'export const b = 1;\n',
  'engine/ir/a.ts': "import { b } from '../ops/b';\nexport const a = b;\n",
  'engine/api/job.ts': 'export interface X { x: number }\n',
  'engine/api/contract.ts': "import type { X } from './job';\nexport type Y = X;\nexport const SERVICE_METHODS = ['x'] as const;\n",
  'engine/passes/p.ts': "import type { Y } from '../api/contract';\nexport const p: Y | undefined = undefined;\n",
  'engine/runtime/r.ts': "import { app } from 'electron';\nexport const r = app;\n",
  'engine/newlayer/z.ts': "import { b } from '../ops/b';\nexport const z = b;\n",
  'engine/data/c1.ts': "import { c2 } from './c2';\nexport const c1 = () => c2;\n",
  'engine/data/c2.ts': "import { c1 } from './c1';\nexport const c2 = () => c1;\n",
  'engine/host/entry.ts': 'export const entry = 1;\n',
  'renderer/ok.ts': "import type { Y } from '../engine/api/contract';\nexport const ok: Y | undefined = undefined;\n",
  'renderer/r1.ts': "import * as fs from 'node:fs';\nexport const r1 = fs;\n",
  'renderer/r2.ts': "import { b } from '../engine/ops/b';\nexport const r2 = b;\n",
  'renderer/r3.ts': "import { SERVICE_METHODS } from '../engine/api/contract';\nexport const r3 = SERVICE_METHODS;\n",
  'renderer/r4.ts': "import { ipcRenderer } from 'electron';\nexport const r4 = ipcRenderer;\n",
  'electron/preload.ts': "import type { Y } from '../engine/api/contract';\nimport { entry } from '../engine/host/entry';\nexport const pre: Y | number = entry;\n",
  'electron/main.ts': "import { b } from '../engine/ops/b';\nimport { ok } from '../renderer/ok';\nexport const m = [b, ok];\n",
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', strict: true }, include: ['**/*.ts'] }),
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

test('every layer rule of .dependency-cruiser.js fires on its violation and only there', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-layers-'));
  try {
    for (const [file, text] of Object.entries(FIXTURE)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.copyFileSync(path.join(root, '.dependency-cruiser.js'), path.join(dir, '.dependency-cruiser.js'));
    const bin = path.join(root, 'node_modules', '.bin', 'depcruise');
    const r = spawnSync(bin, ['--config', '.dependency-cruiser.js', '--output-type', 'json', 'engine', 'renderer', 'electron'], { cwd: dir, encoding: 'utf8' });
    assert.ok(r.stdout, r.stderr);
    const violations: Violation[] = JSON.parse(r.stdout).summary.violations;
    const got = new Set(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`));
    const expected = [
      'engine-ir-no-upward-import: engine/ir/a.ts -> engine/ops/b.ts',
      'contract-is-a-leaf: engine/api/contract.ts -> engine/api/job.ts',
      'engine-no-electron: engine/runtime/r.ts -> electron',
      'engine-module-in-a-layer: engine/newlayer/z.ts -> engine/ops/b.ts',
      'engine-no-cycles: engine/data/c1.ts -> engine/data/c2.ts',
      'renderer-no-node: renderer/r1.ts -> fs',
      'renderer-only-contract-types: renderer/r2.ts -> engine/ops/b.ts',
      'renderer-contract-as-types: renderer/r3.ts -> engine/api/contract.ts',
      'renderer-no-electron: renderer/r4.ts -> electron',
      'electron-shell-only: electron/main.ts -> engine/ops/b.ts',
      'electron-no-renderer: electron/main.ts -> renderer/ok.ts',
    ];
    for (const e of expected) assert.ok(got.has(e), `expected violation ${e}; got:\n${[...got].join('\n')}`);
    // The imports the rules allow: the contract from any layer (as types from the renderer), the
    // engine-host entry from electron/.
    for (const v of violations) {
      assert.ok(!['renderer/ok.ts', 'electron/preload.ts', 'engine/passes/p.ts'].includes(v.from), `allowed import flagged: ${v.rule.name}: ${v.from} -> ${v.to}`);
    }
    // The form npm test runs (scripts/check-layers.js): the err reporter, exiting non-zero.
    const err = spawnSync(bin, ['--config', '.dependency-cruiser.js', '--output-type', 'err', 'engine', 'renderer', 'electron'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(err.status, 0, 'depcruise exits non-zero on violations');
    assert.match(err.stdout, /dependency violations/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
