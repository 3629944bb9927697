// The real Electron window through Playwright's _electron, where Electron's binary is installed
// (set-up cannot download it on a closed network: then this is skipped, saying so). Checks the
// security checklist from main and from inside the page (our qwb:// page, isolation, sandbox, CSP
// refusing eval and the network, navigation and new windows refused, IPC arguments and engine
// params checked), opens the demo model through the utilityProcess engine, and survives a killed
// engine (a new one starts and the model is reloaded).

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
      assert.equal(win.url(), 'qwb://app/index.html', 'the page comes from our own scheme, not file://');
      // One page in the whole app, ours (no webview, no other window).
      assert.deepEqual(await app.evaluate(({ webContents }) => webContents.getAllWebContents().map((w) => w.getURL())), ['qwb://app/index.html']);
      // The CSP refuses eval and any connection; the network is closed to the page anyway.
      assert.equal(await win.evaluate(() => { try { (0, eval)('1'); return 'ran'; } catch { return 'refused'; } }), 'refused');
      assert.equal(await win.evaluate(async () => { try { await fetch('https://example.com/'); return 'fetched'; } catch { return 'refused'; } }), 'refused');
      // IPC arguments are checked in main, engine params by the same router checks as the web host.
      assert.match(await win.evaluate(async () => { try { await window.quant.chooseFolder(42); return 'accepted'; } catch (e) { return String((e as Error).message); } }), /title must be a string/);
      const reply = await win.evaluate(
        () =>
          new Promise<any>((resolve) => {
            const off = window.quant.onMessage((m: any) => {
              if (m.id === 901) {
                off();
                resolve(m);
              }
            });
            window.quant.send({ id: 901, method: 'inspectModel', params: { path: 3 } });
          }),
      );
      assert.equal(reply.error?.code, 'E_PROTOCOL');
      assert.match(reply.error?.message ?? '', /^inspectModel: params\.path must be a string/);
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
      // A killed engine process: the window says so, a new one starts, the model is reloaded.
      const enginePid = await app.evaluate(({ app: a }) => a.getAppMetrics().find((m) => m.type === 'Utility' && m.serviceName === 'Quant Workbench engine')?.pid);
      assert.ok(enginePid, 'the engine runs in a utility process');
      process.kill(enginePid, 'SIGKILL');
      const notice = win.getByRole('alert', { name: 'Engine process' });
      await notice.getByText('A new engine process is running: fashion_resnet.onnx was reloaded; your settings are kept.').waitFor({ timeout: 60_000 });
      const next = await app.evaluate(({ app: a }) => a.getAppMetrics().find((m) => m.type === 'Utility' && m.serviceName === 'Quant Workbench engine')?.pid);
      assert.ok(next && next !== enginePid);
      assert.deepEqual(errors, []);
    } finally {
      await app.close();
    }
  });
});
