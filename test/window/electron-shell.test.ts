// What can be checked of the Electron shell without its binary: the electron-builder configuration
// passes electron-builder's own validator and packs what the app needs outside the asar, the
// bundled preload needs nothing but electron, and main keeps the security settings.
// (test/e2e/electron.test.ts runs the real window where the binary exists.)

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.join(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, 'dist', 'electron');

describe('Electron shell (static)', () => {
  it('electron-builder config: valid, AppImage + deb, addon and native sources unpacked, libdnnl as a dependency', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };
    const config = (require(path.join(OUT, 'builder.config.js')) as { default: Record<string, any> }).default;
    await validateConfiguration(config, new DebugLogger(false));
    await assert.rejects(validateConfiguration({ ...config, linux: { ...config.linux, nonsense: 1 } }, new DebugLogger(false)), /Invalid configuration/);
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.ok(config.asarUnpack.includes('build/Release/**') && config.asarUnpack.includes('native/**'));
    assert.ok(config.deb.depends.includes('libdnnl2'));
    assert.equal(config.extraResources[0].to, 'export-runtime');
    assert.equal(config.extraMetadata.main, (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main);
  });

  it('the preload is one file that requires only electron, exposing one bridge', () => {
    const js = fs.readFileSync(path.join(OUT, 'preload.js'), 'utf8');
    assert.deepEqual([...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], ['electron']);
    assert.equal([...js.matchAll(/exposeInMainWorld\(/g)].length, 1);
    assert.ok(js.includes('getPathForFile'));
    for (const m of ['inspectModel', 'quantizeModel', 'previewData']) assert.ok(js.includes(`"${m}"`), `${m} in the preload's method list`);
  });

  it('main keeps context isolation, the sandbox, no Node in the page, and refuses navigation', () => {
    const js = fs.readFileSync(path.join(OUT, 'main.js'), 'utf8');
    for (const s of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webviewTag: false', 'setWindowOpenHandler(() => ({ action: "deny" }))', 'will-navigate', 'setPermissionRequestHandler', 'utilityProcess.fork']) {
      assert.ok(js.includes(s), s);
    }
    const html = fs.readFileSync(path.join(ROOT, 'dist', 'window', 'index.html'), 'utf8');
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'/);
  });
});
