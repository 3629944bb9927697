// The browser-mode host, over real HTTP and WebSocket connections with a real engine process:
// - it listens on 127.0.0.1 only;
// - every route (the window's files, the session, uploads, downloads, the engine socket) refuses a
//   request without the token, with a wrong one or one of another length; the page's cookie opens
//   only the window's static files (browsers send it to every port of 127.0.0.1);
// - a wrong or missing Host (DNS rebinding) and a foreign Origin are refused everywhere, token or not;
// - uploads stay inside the workspace whatever their names (../, absolute, NUL, very long, ...),
//   are capped, and a refused, broken or duplicate upload leaves nothing (and touches nothing);
// - the socket relays the engine protocol with the same checks as every transport; exports come
//   back as a .tar.gz (listed by tar).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
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

function request(port: number, pathname: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: opts.host ?? '127.0.0.1', port, path: pathname, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A request written by hand (what http.request would not send: no Host header at all). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    let got = '';
    s.on('data', (d) => (got += String(d)));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

function socket(port: number, query: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/engine${query}`, { headers: { ...(origin ? { Origin: origin } : {}), ...headers } });
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

/** Every file and folder under `dir`, relative. */
function tree(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

describe('browser-mode web host', () => {
  let host: WebHost;
  let renderer: string;
  let origin: string;
  let downloadUrl = '';
  const CAP = 1000;
  before(async () => {
    renderer = tempDir('qwb-renderer-');
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>qwb</title>');
    fs.mkdirSync(path.join(renderer, 'assets'));
    fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    host = await startWebHost({ port: 0, rendererDir: renderer, maxUploadBytes: CAP });
    origin = `http://127.0.0.1:${host.port}`;
  });
  after(async () => {
    await host.close();
    fs.rmSync(renderer, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', async () => {
    assert.equal(host.address, '127.0.0.1');
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const addr of [...others, '::1']) {
      await assert.rejects(request(host.port, '/', { host: addr }), /ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH|EAFNOSUPPORT/, `reachable on ${addr}`);
    }
  });

  it('compares tokens in constant time and only equal ones pass', () => {
    assert.ok(sameToken('abc', 'abc'));
    assert.ok(!sameToken('abd', 'abc'));
    assert.ok(!sameToken('ab', 'abc'));
    assert.ok(!sameToken('abcd', 'abc'));
    assert.ok(!sameToken(undefined, 'abc'));
    assert.ok(!sameToken('', 'abc'));
  });

  it('serves the window with a CSP, same-origin headers and a per-port cookie', async () => {
    const ok = await request(host.port, `/?token=${host.token}`);
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-security-policy']), /default-src 'none'.*script-src 'self'/);
    assert.equal(ok.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(ok.headers['x-frame-options'], 'DENY');
    assert.match(String(ok.headers['set-cookie']), new RegExp(`^qwb_token_${host.port}=${host.token}; HttpOnly; SameSite=Strict; Path=/`));
  });

  it('refuses every route without the token, with a wrong one, or one of another length', async () => {
    // A real export gives a real download id to try.
    const ws = await socket(host.port, `?token=${host.token}`, origin);
    const out = tempDir('qwb-export-');
    try {
      const demo = (await call(ws, 1, 'demoInfo')) as { result: { modelPath: string } };
      const m = await call(ws, 2, 'exportModel', { modelPath: demo.result.modelPath, format: 'json', out });
      downloadUrl = ((m as { result: ExportResult }).result.download!).url;
    } finally {
      ws.close();
    }
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    const tokens: [string, string][] = [
      ['no token', ''],
      ['a wrong token', wrong],
      ['a longer token', `${host.token}x`],
      ['a shorter token', host.token.slice(1)],
    ];
    const post = { method: 'POST', headers: { origin, 'content-type': 'application/octet-stream' }, body: Buffer.from('x') };
    for (const [what, t] of tokens) {
      const q = t ? `token=${encodeURIComponent(t)}` : '';
      for (const [route, opts] of [
        [`/?${q}`, {}],
        [`/assets/app.js?${q}`, {}],
        [`/api/session?${q}`, {}],
        [`${downloadUrl}?${q}`, {}],
        [`/api/upload?group=t1&name=x.bin&${q}`, post],
      ] as const) {
        const r = await request(host.port, route, opts);
        assert.equal(r.status, 403, `${route} with ${what}: ${r.status}`);
        // The same token as a header is refused the same way.
        if (t) assert.equal((await request(host.port, route.replace(/[?&]token=[^&]*/, ''), { ...opts, headers: { ...('headers' in opts ? opts.headers : {}), 'x-qwb-token': t } })).status, 403);
      }
      await assert.rejects(socket(host.port, q ? `?${q}` : '', origin), /refused 403/, `socket with ${what}`);
    }
    assert.deepEqual(tree(path.join(host.workspace, 'uploads')), [], 'no refused upload wrote anything');
    // And with the token, each of them answers.
    assert.equal((await request(host.port, `/assets/app.js?token=${host.token}`)).status, 200);
    assert.equal((await request(host.port, '/api/session', { headers: { 'x-qwb-token': host.token } })).status, 200);
    assert.equal((await request(host.port, `${downloadUrl}?token=${host.token}`)).status, 200);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('the cookie opens the window’s files only: not the API, the socket or a download', async () => {
    const cookie = `qwb_token_${host.port}=${host.token}`;
    assert.equal((await request(host.port, '/', { headers: { cookie } })).status, 200);
    assert.equal((await request(host.port, '/assets/app.js', { headers: { cookie } })).status, 200);
    assert.equal((await request(host.port, '/', { headers: { cookie: `qwb_token_${host.port}=nope` } })).status, 403);
    assert.equal((await request(host.port, '/api/session', { headers: { cookie } })).status, 403);
    assert.equal((await request(host.port, downloadUrl, { headers: { cookie } })).status, 403);
    assert.equal((await request(host.port, '/api/upload?group=c1&name=x', { method: 'POST', headers: { cookie, origin }, body: Buffer.from('x') })).status, 403);
    await assert.rejects(socket(host.port, '', origin, { cookie }), /refused 403/);
  });

  it('refuses a wrong or missing Host (DNS rebinding) and a foreign Origin on every route, even with the token', async () => {
    const t = `token=${host.token}`;
    for (const badHost of [`evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, '127.0.0.1', `[::1]:${host.port}`, `localhost.evil.example:${host.port}`]) {
      for (const route of [`/?${t}`, `/api/session?${t}`, `${downloadUrl}?${t}`]) {
        assert.equal((await request(host.port, route, { headers: { host: badHost } })).status, 421, `${route} with Host ${badHost}`);
      }
      assert.equal((await request(host.port, `/api/upload?group=h1&name=x&${t}`, { method: 'POST', headers: { host: badHost, origin }, body: Buffer.from('x') })).status, 421);
      await assert.rejects(socket(host.port, `?${t}`, origin, { host: badHost }), /refused 421/, `socket with Host ${badHost}`);
    }
    assert.match(await raw(host.port, `GET /?${t} HTTP/1.0\r\n\r\n`), /^HTTP\/1\.1 421 /, 'no Host header at all');
    for (const badOrigin of ['http://evil.example', 'null', `http://127.0.0.1:${host.port + 1}`, `https://127.0.0.1:${host.port}`, `http://localhost.evil.example:${host.port}`]) {
      assert.equal((await request(host.port, `/api/session?${t}`, { headers: { origin: badOrigin } })).status, 403, `session from ${badOrigin}`);
      assert.equal((await request(host.port, `/?${t}`, { headers: { origin: badOrigin } })).status, 403);
      assert.equal((await request(host.port, `/api/upload?group=o1&name=x&${t}`, { method: 'POST', headers: { origin: badOrigin }, body: Buffer.from('x') })).status, 403);
      await assert.rejects(socket(host.port, `?${t}`, badOrigin), /refused 403/, `socket from ${badOrigin}`);
    }
    // Uploads and the socket need our Origin: a request without one is refused.
    assert.equal((await request(host.port, `/api/upload?group=o2&name=x&${t}`, { method: 'POST', body: Buffer.from('x') })).status, 403);
    await assert.rejects(socket(host.port, `?${t}`, undefined), /refused 403/);
    assert.equal((await request(host.port, `/?${t}`, { headers: { host: `localhost:${host.port}` } })).status, 200);
    assert.deepEqual(tree(path.join(host.workspace, 'uploads')), []);
  });

  it('serves only the window’s own files', async () => {
    const t = `token=${host.token}`;
    for (const p of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fpackage.json', '/..\\..\\etc\\passwd']) {
      const r = await request(host.port, `${p}?${t}`);
      assert.equal(r.status, 404, `${p}: ${r.status}`);
    }
    assert.equal((await request(host.port, `/%E0%A4%A?${t}`)).status, 400, 'a malformed escape');
  });

  it('uploads land inside the workspace whatever the name, sanitised', async () => {
    const headers = { origin, 'x-qwb-token': host.token, 'content-type': 'application/octet-stream' };
    const uploads = path.join(host.workspace, 'uploads');
    const tmpBefore = new Set(fs.readdirSync(os.tmpdir()));
    const up = (group: string, name: string, body = Buffer.from('hello')) => request(host.port, `/api/upload?group=${group}&name=${encodeURIComponent(name)}`, { method: 'POST', headers, body });

    const ok = await up('g1', 'm\u00f6del (1).onnx');
    assert.equal(ok.status, 200, String(ok.body));
    const first = (JSON.parse(String(ok.body)) as { path: string }).path;
    assert.equal(first, path.join(uploads, 'g1', 'm_del _1_.onnx'));
    assert.equal(fs.readFileSync(first, 'utf8'), 'hello');

    // Names that try to leave: refused (nothing written) or kept inside the group's folder.
    const long = `${'a'.repeat(3000)}.onnx`;
    const hostile: [string, string | null][] = [
      ['../../x', null],
      ['..\\..\\x', null],
      ['a/../../b', null],
      ['..', null],
      ['', null],
      ['a/b/c/d/e/f/g/h.bin', null],
      ['/etc/passwd', 'etc/passwd'],
      ['/tmp/qwb-escape.onnx', 'tmp/qwb-escape.onnx'],
      ['C:\\Windows\\system32\\x.dll', 'C_/Windows/system32/x.dll'],
      ['a\u0000b.onnx', 'a_b.onnx'],
      ['nul\u0000/../x', null],
      ['%2e%2e/x', '%2e%2e/x'.replace(/%/g, '_')],
      ['\uff0e\uff0e/x', '__/x'],
      ['.../x', '_/x'],
      ['.bashrc', '_bashrc'],
      [' /x', '_/x'],
      ['line\nbreak.onnx', 'line_break.onnx'],
      [long, `${'a'.repeat(115)}.onnx`],
      [`${'b'.repeat(200)}/${'c'.repeat(200)}`, `${'b'.repeat(120)}/${'c'.repeat(120)}`],
    ];
    for (const [i, [name, expected]] of hostile.entries()) {
      const group = `h${i}`;
      const r = await up(group, name);
      if (expected === null) {
        assert.equal(r.status, 400, `${JSON.stringify(name)}: ${r.status} ${r.body}`);
        assert.ok(!fs.existsSync(path.join(uploads, group)), `${JSON.stringify(name)} left a folder`);
        assert.ok(String(r.body).length < 400, 'the refusal quotes a bounded name');
        continue;
      }
      assert.equal(r.status, 200, `${JSON.stringify(name)}: ${r.status} ${r.body}`);
      const landed = (JSON.parse(String(r.body)) as { path: string }).path;
      assert.equal(landed, path.join(uploads, group, ...expected.split('/')), JSON.stringify(name));
      assert.ok(fs.realpathSync(landed).startsWith(fs.realpathSync(path.join(uploads, group)) + path.sep));
      assert.equal(fs.readFileSync(landed, 'utf8'), 'hello');
    }
    assert.equal((await request(host.port, '/api/upload?group=..&name=x', { method: 'POST', headers, body: Buffer.from('x') })).status, 400);
    assert.equal((await request(host.port, '/api/upload?group=a%2Fb&name=x', { method: 'POST', headers, body: Buffer.from('x') })).status, 400);
    // Nothing appeared outside the workspace (the temp folder holds only what others made meanwhile).
    const appeared = fs.readdirSync(os.tmpdir()).filter((f) => !tmpBefore.has(f));
    assert.deepEqual(appeared.filter((f) => /escape|passwd|^x$|bashrc/.test(f)), []);
    assert.ok(!fs.existsSync('/tmp/qwb-escape.onnx'));
    for (const f of tree(host.workspace)) assert.ok(!f.includes('..'), f);
    assert.deepEqual(safeSegments('a b/c:d.png'), ['a b', 'c_d.png']);
  });

  it('an upload over the cap, a broken one or a duplicate leaves nothing and touches nothing', async () => {
    const headers = { origin, 'x-qwb-token': host.token, 'content-type': 'application/octet-stream' };
    const uploads = path.join(host.workspace, 'uploads');
    const before = tree(uploads);
    // Declared too big: refused before a byte is read.
    const big = await request(host.port, '/api/upload?group=big1&name=deep/er/big.bin', { method: 'POST', headers, body: Buffer.alloc(CAP + 1) });
    assert.equal(big.status, 413);
    assert.match(String(big.body), /over the 1000-byte limit/);
    // Streamed without a length: refused when the count passes the cap, the partial file removed.
    const streamed = await new Promise<number | string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: '/api/upload?group=big2&name=deep/er/big.bin', method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      const chunk = Buffer.alloc(300, 1);
      let n = 0;
      const pump = () => {
        if (n++ < 10 && !req.destroyed) req.write(chunk, () => setTimeout(pump, 10));
        else req.end();
      };
      pump();
    });
    assert.ok(streamed === 413 || streamed === 'ECONNRESET' || streamed === 'EPIPE', `streamed over the cap: ${streamed}`);
    // A client that goes away mid-upload.
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: '/api/upload?group=broken&name=sub/part.bin', method: 'POST', headers: { ...headers, 'content-length': '900' } });
      req.on('error', () => {});
      req.write(Buffer.alloc(400, 2), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(tree(uploads), before, 'no file and no folder of the refused or broken uploads');

    // A second upload of the same name is refused and the first one is left as it was.
    const one = await request(host.port, '/api/upload?group=dup&name=m.onnx', { method: 'POST', headers, body: Buffer.from('first') });
    assert.equal(one.status, 200);
    const two = await request(host.port, '/api/upload?group=dup&name=m.onnx', { method: 'POST', headers, body: Buffer.from('second') });
    assert.equal(two.status, 409);
    assert.equal(fs.readFileSync(path.join(uploads, 'dup', 'm.onnx'), 'utf8'), 'first');
    // A name whose folder is an uploaded file: refused with a message, no raw errno.
    const clash = await request(host.port, '/api/upload?group=dup&name=m.onnx/x.bin', { method: 'POST', headers, body: Buffer.from('x') });
    assert.equal(clash.status, 409);
    assert.doesNotMatch(String(clash.body), /ENOTDIR|EEXIST/);
    assert.equal(fs.readFileSync(path.join(uploads, 'dup', 'm.onnx'), 'utf8'), 'first');
  });

  it('relays the engine protocol over the socket; only SERVICE_METHODS with well-formed params pass', async () => {
    const ws = await socket(host.port, `?token=${host.token}`, origin);
    try {
      const info = await call(ws, 1, 'runtimeInfo');
      assert.ok('result' in info && (info.result as { cores: number }).cores > 0);
      const bad = await call(ws, 2, 'require', { id: 'child_process' });
      assert.ok('error' in bad && bad.error.code === 'E_PROTOCOL');
      const badParams = await call(ws, 3, 'inspectModel', { path: ['/etc/passwd'] });
      assert.ok('error' in badParams && badParams.error.code === 'E_PROTOCOL', JSON.stringify(badParams));
      assert.equal(badParams.error.message, 'inspectModel: params.path must be a string without NUL characters, got an array of 1');
      const extra = await call(ws, 4, 'demoInfo', { evil: 1 });
      assert.ok('error' in extra && /params must be empty/.test(extra.error.message));
    } finally {
      ws.close();
    }
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
