// The browser-mode host, over real HTTP and WebSocket connections with a real engine process: the
// token is required everywhere (wrong or missing: refused), Host and Origin are checked, uploads
// stay inside the workspace and under the cap, exports come back as a .tar.gz (listed by tar).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import WebSocket from 'ws';

import type { ExportResult, FromEngineMessage } from '../../engine/api/contract';
import { sameToken } from '../../engine/host/web/guard';
import { startWebHost, type WebHost } from '../../engine/host/web/server';
import { safeSegments } from '../../engine/host/web/uploads';
import { tempDir } from './engine-helpers';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, pathname: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function socket(port: number, query: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/engine${query}`, { headers: { Origin: origin } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, params?: unknown): Promise<FromEngineMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data)) as FromEngineMessage;
      if ('id' in m && m.id === id && !('progress' in m)) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('browser-mode web host', () => {
  let host: WebHost;
  let renderer: string;
  let origin: string;
  before(async () => {
    renderer = tempDir('qwb-renderer-');
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>qwb</title>');
    host = await startWebHost({ port: 0, rendererDir: renderer, maxUploadBytes: 1000 });
    origin = `http://127.0.0.1:${host.port}`;
  });
  after(async () => {
    await host.close();
    fs.rmSync(renderer, { recursive: true, force: true });
  });

  it('compares tokens in constant time and only equal ones pass', () => {
    assert.ok(sameToken('abc', 'abc'));
    assert.ok(!sameToken('abd', 'abc'));
    assert.ok(!sameToken('ab', 'abc'));
    assert.ok(!sameToken(undefined, 'abc'));
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the window only with the token, with a CSP and a per-port cookie', async () => {
    assert.equal((await request(host.port, '/')).status, 403);
    assert.equal((await request(host.port, '/?token=wrong')).status, 403);
    assert.equal((await request(host.port, `/?token=${host.token}x`)).status, 403);
    const ok = await request(host.port, `/?token=${host.token}`);
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-security-policy']), /default-src 'none'.*script-src 'self'/);
    const cookie = String(ok.headers['set-cookie']).split(';')[0];
    assert.equal(cookie, `qwb_token_${host.port}=${host.token}`);
    assert.equal((await request(host.port, '/api/session', { headers: { cookie } })).status, 200);
    assert.equal((await request(host.port, '/api/session', { headers: { cookie: `qwb_token_${host.port}=nope` } })).status, 403);
  });

  it('refuses a wrong Host (DNS rebinding) and a foreign Origin even with the token', async () => {
    assert.equal((await request(host.port, `/?token=${host.token}`, { headers: { host: `evil.example:${host.port}` } })).status, 421);
    assert.equal((await request(host.port, `/?token=${host.token}`, { headers: { host: `127.0.0.1:${host.port + 1}` } })).status, 421);
    assert.equal((await request(host.port, `/api/session?token=${host.token}`, { headers: { origin: 'http://evil.example' } })).status, 403);
    assert.equal((await request(host.port, `/?token=${host.token}`, { headers: { host: `localhost:${host.port}` } })).status, 200);
  });

  it('refuses the engine socket without the token, with a wrong one, or from another origin', async () => {
    await assert.rejects(socket(host.port, '', origin), /refused 403/);
    await assert.rejects(socket(host.port, '?token=wrong', origin), /refused 403/);
    await assert.rejects(socket(host.port, `?token=${host.token}`, 'http://evil.example'), /refused 403/);
    await assert.rejects(socket(host.port, `?token=${host.token}`, `http://127.0.0.1:${host.port + 1}`), /refused 403/);
  });

  it('relays the engine protocol over the socket; only SERVICE_METHODS pass', async () => {
    const ws = await socket(host.port, `?token=${host.token}`, origin);
    try {
      const info = await call(ws, 1, 'runtimeInfo');
      assert.ok('result' in info && (info.result as { cores: number }).cores > 0);
      const bad = await call(ws, 2, 'require', { id: 'child_process' });
      assert.ok('error' in bad && bad.error.code === 'E_PROTOCOL');
    } finally {
      ws.close();
    }
  });

  it('uploads into the workspace: names sanitised, never outside, capped', async () => {
    const headers = { origin, 'x-qwb-token': host.token, 'content-type': 'application/octet-stream' };
    const up = await request(host.port, '/api/upload?group=g1&name=m%C3%B6del%20(1).onnx', { method: 'POST', headers, body: Buffer.from('hello') });
    assert.equal(up.status, 200, String(up.body));
    const { path: file } = JSON.parse(String(up.body)) as { path: string };
    assert.ok(file.startsWith(path.join(host.workspace, 'uploads', 'g1') + path.sep), file);
    assert.equal(fs.readFileSync(file, 'utf8'), 'hello');
    for (const name of ['../../evil.onnx', 'a/../../b', '..', '']) {
      const r = await request(host.port, `/api/upload?group=g1&name=${encodeURIComponent(name)}`, { method: 'POST', headers, body: Buffer.from('x') });
      assert.equal(r.status, 400, `${name}: ${r.body}`);
    }
    assert.equal((await request(host.port, '/api/upload?group=..&name=x', { method: 'POST', headers, body: Buffer.from('x') })).status, 400);
    const big = await request(host.port, '/api/upload?group=g2&name=big.bin', { method: 'POST', headers, body: Buffer.alloc(1001) });
    assert.equal(big.status, 413);
    assert.equal(fs.existsSync(path.join(host.workspace, 'uploads', 'g2', 'big.bin')), false);
    // Without the token, or without/with a foreign Origin: refused.
    assert.equal((await request(host.port, '/api/upload?name=x', { method: 'POST', headers: { origin }, body: Buffer.from('x') })).status, 403);
    assert.equal((await request(host.port, '/api/upload?name=x', { method: 'POST', headers: { 'x-qwb-token': host.token }, body: Buffer.from('x') })).status, 403);
    assert.deepEqual(safeSegments('a b/c:d.png'), ['a b', 'c_d.png']);
    assert.deepEqual(safeSegments('.hidden'), ['_hidden']);
  });

  it('offers an export as a .tar.gz download (token required)', async () => {
    const ws = await socket(host.port, `?token=${host.token}`, origin);
    const out = tempDir('qwb-export-');
    try {
      const demo = await call(ws, 1, 'demoInfo');
      const modelPath = (demo as { result: { modelPath: string } }).result.modelPath;
      const m = await call(ws, 2, 'exportModel', { modelPath, format: 'json', out });
      assert.ok('result' in m, JSON.stringify(m));
      const r = m.result as ExportResult;
      assert.ok(r.download && r.entries && r.entries[0].bytes === fs.statSync(r.files[0]).size);
      assert.equal((await request(host.port, r.download.url)).status, 403);
      const dl = await request(host.port, `${r.download.url}?token=${host.token}`);
      assert.equal(dl.status, 200);
      assert.match(String(dl.headers['content-disposition']), /attachment; filename=".*\.tar\.gz"/);
      const tgz = path.join(out, 'x.tar.gz');
      fs.writeFileSync(tgz, dl.body);
      const listed = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).trim().split('\n');
      assert.deepEqual(listed, [`${r.download.name.replace(/\.tar\.gz$/, '')}/${path.basename(r.files[0])}`]);
      const extracted = execFileSync('tar', ['-xzOf', tgz], { encoding: 'utf8' });
      assert.equal(extracted, fs.readFileSync(r.files[0], 'utf8'));
      assert.equal((await request(host.port, `/api/download/nope?token=${host.token}`)).status, 404);
    } finally {
      ws.close();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
