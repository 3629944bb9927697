// What can be checked of the Electron shell without its binary (test/e2e/electron.test.ts runs
// the real window where the binary exists):
// - Electron's security checklist as main applies it (electron/policy.ts): webPreferences, the
//   CSP (header and the page's meta), our own scheme instead of file:// and what it serves,
//   navigation, network requests, the IPC sender rule, every IPC argument against its channel's
//   schema (engine messages then meet the same router checks as the web host's socket);
// - the bundled main uses them, the preload is one file that requires only electron;
// - electron-builder's configuration passes its own validator, packs what the app needs outside the
//   asar, names libdnnl, and sets the fuses.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { CHANNELS } from '../../electron/channels';
import { appFile, checkIpcArgs, CONTENT_SECURITY_POLICY, INDEX_URL, IPC_ARGS, navigationAllowed, requestAllowed, senderAllowed, WEB_PREFERENCES } from '../../electron/policy';

const ROOT = path.join(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, 'dist', 'electron');
const WINDOW = path.join(ROOT, 'dist', 'window');

/** The directives of a CSP, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('Electron shell: the security checklist (policy)', () => {
  it('webPreferences: isolation, sandbox, no Node anywhere in the page, web security, no webview or experiments', () => {
    assert.equal(WEB_PREFERENCES.contextIsolation, true);
    assert.equal(WEB_PREFERENCES.sandbox, true);
    assert.equal(WEB_PREFERENCES.nodeIntegration, false);
    assert.equal(WEB_PREFERENCES.nodeIntegrationInWorker, false);
    assert.equal(WEB_PREFERENCES.nodeIntegrationInSubFrames, false);
    assert.equal(WEB_PREFERENCES.webSecurity, true);
    assert.equal(WEB_PREFERENCES.allowRunningInsecureContent, false);
    assert.equal(WEB_PREFERENCES.webviewTag, false);
    assert.equal(WEB_PREFERENCES.experimentalFeatures, false);
    assert.ok(!('enableBlinkFeatures' in WEB_PREFERENCES) && !('preload' in WEB_PREFERENCES));
  });

  it('CSP: nothing but our own scripts and styles, no inline or eval, connects nowhere; the page’s meta policy is as strict', () => {
    const header = directives(CONTENT_SECURITY_POLICY);
    assert.deepEqual(header.get('default-src'), ["'none'"]);
    assert.deepEqual(header.get('script-src'), ["'self'"]);
    assert.deepEqual(header.get('connect-src'), ["'none'"]);
    assert.deepEqual(header.get('object-src'), ["'none'"]);
    assert.deepEqual(header.get('frame-ancestors'), ["'none'"]);
    const html = fs.readFileSync(path.join(WINDOW, 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(meta, 'the built page carries a CSP meta');
    const page = directives(meta);
    assert.deepEqual(page.get('default-src'), ["'none'"]);
    assert.deepEqual(page.get('script-src'), ["'self'"]);
    // No inline code or eval, no wildcard or web source (the meta's ws://127.0.0.1:* is browser
    // mode's socket; in Electron the header's connect-src 'none' applies as well).
    for (const csp of [CONTENT_SECURITY_POLICY, meta]) {
      for (const [name, values] of directives(csp)) {
        for (const v of values) assert.ok(!/unsafe-|^\*$|^https?:|^data:$/.test(v) || (name === 'img-src' && v === 'data:'), `${name} ${v} in ${csp}`);
      }
    }
    // The build has no inline script the policy would have to allow.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('the page comes from qwb://app, and only files of the renderer build are served from it', () => {
    assert.equal(INDEX_URL, 'qwb://app/index.html');
    assert.equal(appFile('qwb://app/index.html', WINDOW), path.join(WINDOW, 'index.html'));
    assert.equal(appFile('qwb://app/', WINDOW), path.join(WINDOW, 'index.html'));
    assert.equal(appFile('qwb://app', WINDOW), path.join(WINDOW, 'index.html'));
    const asset = fs.readdirSync(path.join(WINDOW, 'assets'))[0];
    assert.equal(appFile(`qwb://app/assets/${asset}?v=1#x`, WINDOW), path.join(WINDOW, 'assets', asset));
    assert.ok(fs.existsSync(appFile(`qwb://app/assets/${asset}`, WINDOW)!));
    for (const bad of [
      'qwb://app/../../etc/passwd',
      'qwb://app/..%2f..%2f..%2fpackage.json',
      'qwb://app/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      'qwb://app/%00',
      'qwb://app/a%5c..%5c..%5cx',
      'qwb://app/%E0%A4%A',
      'qwb://evil/index.html',
      'qwb://app.evil/index.html',
      'file:///etc/passwd',
      'https://app/index.html',
      'not a url',
    ]) {
      const f = appFile(bad, WINDOW);
      assert.ok(f === undefined || f.startsWith(WINDOW + path.sep), `${bad} -> ${f}`);
      if (bad.includes('passwd') || bad.includes('package.json')) assert.ok(!f || !fs.existsSync(f), `${bad} reached ${f}`);
    }
    assert.equal(appFile('qwb://evil/index.html', WINDOW), undefined);
    assert.equal(appFile('file:///etc/passwd', WINDOW), undefined);
    assert.equal(appFile('qwb://app/%00', WINDOW), undefined);
  });

  it('navigation only to our page; the page makes no network request', () => {
    assert.ok(navigationAllowed(INDEX_URL));
    assert.ok(navigationAllowed(`${INDEX_URL}#compare`));
    for (const url of [`${INDEX_URL}?x=1`, 'qwb://app/other.html', 'qwb://evil/index.html', `file://${path.join(WINDOW, 'index.html')}`, 'https://example.com/', 'http://127.0.0.1:5180/', 'javascript:alert(1)', 'about:blank']) {
      assert.equal(navigationAllowed(url), false, url);
    }
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:5180/api/session', 'ws://127.0.0.1:5180/api/engine', 'wss://evil.example/', 'ftp://x/']) assert.equal(requestAllowed(url), false, url);
    for (const url of ['qwb://app/assets/x.js', 'data:image/png;base64,AAAA']) assert.equal(requestAllowed(url), true, url);
  });

  it('IPC is answered only for our window’s top frame showing our page', () => {
    assert.ok(senderAllowed({ ownWindow: true, topFrame: true, frameUrl: INDEX_URL }));
    assert.ok(!senderAllowed({ ownWindow: false, topFrame: true, frameUrl: INDEX_URL }), 'another window');
    assert.ok(!senderAllowed({ ownWindow: true, topFrame: false, frameUrl: INDEX_URL }), 'an iframe, even of our page');
    assert.ok(!senderAllowed({ ownWindow: true, topFrame: true, frameUrl: undefined }), 'a frame that is gone');
    assert.ok(!senderAllowed({ ownWindow: true, topFrame: true, frameUrl: 'https://evil.example/' }), 'our window after a navigation');
  });

  it('every IPC channel has an argument schema; wrong types, extra or missing arguments are refused with a sentence', () => {
    assert.deepEqual(Object.keys(IPC_ARGS).sort(), Object.values(CHANNELS).filter((c) => c !== CHANNELS.engineMessage && c !== CHANNELS.menu).sort());
    // What the preload sends.
    for (const [channel, args] of [
      [CHANNELS.engineSend, [{ id: 1, method: 'runtimeInfo' }]],
      [CHANNELS.session, []],
      [CHANNELS.openModel, []],
      [CHANNELS.chooseFolder, ['Export to', '/home/me/exports']],
      [CHANNELS.chooseFolder, ['Export to', undefined]],
      [CHANNELS.chooseFile, ['Thresholds file']],
      [CHANNELS.showInFolder, ['/home/me/exports/m.so']],
    ] as [string, unknown[]][]) {
      assert.equal(checkIpcArgs(channel, args), undefined, `${channel} ${JSON.stringify(args)}`);
    }
    for (const [channel, args, re] of [
      [CHANNELS.chooseFolder, [42], /^qwb:choose-folder: title must be a string without NUL characters, got 42$/],
      [CHANNELS.chooseFolder, ['t', 'relative/dir'], /defaultPath must be an absolute path, got "relative\/dir"/],
      [CHANNELS.chooseFolder, ['t', '/a', 'extra'], /takes at most 2 argument\(s\) \(title, defaultPath\), got 3/],
      [CHANNELS.chooseFolder, [], /title is required|title must be/],
      [CHANNELS.chooseFile, ['x'.repeat(201)], /title must be at most 200 characters, got 201/],
      [CHANNELS.showInFolder, ['relative.so'], /path must be an absolute path/],
      [CHANNELS.showInFolder, ['/a\u0000/b'], /path must be a string without NUL characters/],
      [CHANNELS.showInFolder, [{ path: '/a' }], /path must be a string/],
      [CHANNELS.session, ['x'], /takes no arguments, got 1/],
      [CHANNELS.engineSend, ['{"id":1}'], /message must be a message object, got "\{\\"id\\":1\}"/],
      [CHANNELS.engineSend, [], /message must be a message object, got nothing/],
      ['qwb:eval', ['1+1'], /not a channel of the workbench/],
    ] as [string, unknown[], RegExp][]) {
      const problem = checkIpcArgs(channel, args);
      assert.ok(problem, `${channel} ${JSON.stringify(args)} was accepted`);
      assert.match(problem, re);
    }
  });
});

describe('Electron shell (static)', () => {
  it('main applies the policy: own scheme, sandbox for all, checked IPC, no window.open, navigation or webviews', () => {
    const js = fs.readFileSync(path.join(OUT, 'main.js'), 'utf8');
    for (const s of [
      'registerSchemesAsPrivileged',
      'protocol.handle(',
      'enableSandbox()',
      'loadURL(INDEX_URL)',
      'setWindowOpenHandler(() => ({ action: "deny" }))',
      'will-navigate',
      'will-frame-navigate',
      'will-redirect',
      'will-attach-webview',
      'setPermissionRequestHandler',
      'setPermissionCheckHandler',
      'webRequest.onBeforeRequest',
      'utilityProcess.fork',
      '...WEB_PREFERENCES',
    ]) {
      assert.ok(js.includes(s), s);
    }
    assert.ok(!js.includes('loadFile('), 'the page is not loaded from file://');
    assert.ok(!js.includes('openExternal'), 'no shell.openExternal');
    assert.ok((js.match(/checkIpcArgs\(channel, args\d*\)/g) ?? []).length >= 2, 'both one-way messages and calls check their arguments');
    assert.ok((js.match(/senderAllowed\)?\(/g) ?? []).length >= 1);
  });

  it('the preload is one file that requires only electron, exposing one bridge', () => {
    const js = fs.readFileSync(path.join(OUT, 'preload.js'), 'utf8');
    assert.deepEqual([...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], ['electron']);
    assert.equal([...js.matchAll(/exposeInMainWorld\(/g)].length, 1);
    assert.ok(js.includes('getPathForFile'));
    assert.ok(!/exposeInMainWorld\([^)]*ipcRenderer/.test(js), 'ipcRenderer itself is not exposed');
    for (const m of ['inspectModel', 'quantizeModel', 'previewData']) assert.ok(js.includes(`"${m}"`), `${m} in the preload's method list`);
  });

  it('electron-builder config: valid, AppImage + deb, addon and native sources unpacked, libdnnl as a dependency, fuses set', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };
    const config = (require(path.join(OUT, 'builder.config.js')) as { default: Record<string, any> }).default;
    await validateConfiguration(config, new DebugLogger(false));
    await assert.rejects(validateConfiguration({ ...config, linux: { ...config.linux, nonsense: 1 } }, new DebugLogger(false)), /Invalid configuration/);
    await assert.rejects(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, new DebugLogger(false)), /Invalid configuration/);
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.ok(config.asarUnpack.includes('build/Release/**') && config.asarUnpack.includes('native/**'));
    assert.ok(config.deb.depends.includes('libdnnl2'));
    assert.equal(config.extraResources[0].to, 'export-runtime');
    assert.equal(config.extraMetadata.main, (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main);
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
