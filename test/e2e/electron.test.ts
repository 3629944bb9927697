// The real Electron window through Playwright's _electron, where Electron's binary is installed
// (set-up cannot download it on a closed network: then this is skipped, saying so). Checks the
// security settings from inside the page and opens the demo model through the utilityProcess engine.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { _electron } from 'playwright-core';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const location: any;

const ROOT = path.join(__dirname, '..', '..', '..');

function electronPath(): { path?: string; reason?: string } {
  try {
    const p = require('electron') as unknown;
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p };
    return { reason: `Electron's binary is missing (${String(p)})` };
  } catch (e) {
    return { reason: `Electron's binary is not installed (it cannot be downloaded here; set-up skips it): ${(e as Error).message.split('\n')[0]}` };
  }
}

const bin = electronPath();

describe('Electron window', { skip: bin.reason }, () => {
  it('opens sandboxed and isolated, blocks navigation, and runs the demo through its engine process', async () => {
    const app = await _electron.launch({ executablePath: bin.path, args: [ROOT, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])], cwd: ROOT });
    try {
      const win = await app.firstWindow();
      const errors: string[] = [];
      win.on('pageerror', (e) => errors.push(e.message));
      win.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await win.getByRole('heading', { name: 'Quantize a model to INT8' }).waitFor();
      assert.equal(await win.evaluate(() => typeof window.require), 'undefined');
      assert.equal(await win.evaluate(() => typeof window.process), 'undefined');
      assert.deepEqual(await win.evaluate(() => Object.keys(window.quant).sort()), ['chooseFile', 'chooseFolder', 'onMenu', 'openModelDialog', 'pathForFile', 'send', 'session', 'showInFolder']);
      const before = win.url();
      await win.evaluate(() => {
        location.href = 'https://example.com/';
      });
      await win.waitForTimeout(300);
      assert.equal(win.url(), before, 'navigation away is refused');
      assert.equal(await win.evaluate(() => window.open('https://example.com/') === null), true, 'new windows are refused');
      await win.getByRole('button', { name: 'Try the demo model' }).click();
      await win.getByRole('heading', { name: 'fashion_resnet.onnx', level: 1 }).waitFor({ timeout: 60_000 });
      assert.deepEqual(errors, []);
    } finally {
      await app.close();
    }
  });
});
