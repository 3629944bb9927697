// Browser mode: the window's renderer served from 127.0.0.1 with the engine API over a WebSocket
// (the same message protocol as Electron's bridge), uploads of dropped files into a per-launch
// workspace, and exports offered as one .tar.gz download. The engine runs in a child process
// behind an EngineRouter, never in this process. It listens on 127.0.0.1 only; every request and
// the socket need the launch's token, the right Host and (where browsers send one) our Origin
// (guard.ts); the API, the socket and downloads take the token only from the query or a header.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

import { WebSocketServer, type WebSocket } from 'ws';

import type { ExportResult, ShellSession } from '../../api/contract';
import { packageRoot } from '../../package-root';
import { EngineRouter, type EngineChannel } from '../engine-router';
import { forkEngine } from '../fork-engine';
import { cookieName, guard, newToken } from './guard';
import { tarGz } from './tar-gz';
import { receiveUpload, uploadTarget, UploadError } from './uploads';

export interface WebHostOptions {
  /** 0 = any free port. Default 5180, or any free port when that one is taken. */
  port?: number;
  /** The built renderer (index.html + assets). Default <package root>/dist/window. */
  rendererDir?: string;
  /** Largest upload in bytes. Default 2 GiB. */
  maxUploadBytes?: number;
  /** Where exports go by default. Default ~/quant-workbench-exports. */
  exportDir?: string;
  /** Starts the engine process (default: fork dist/engine/host/engine-process.js). */
  spawnEngine?: () => EngineChannel;
  log?: (line: string) => void;
}

export interface WebHost {
  url: string;
  /** The address it listens on: always 127.0.0.1. */
  address: string;
  port: number;
  token: string;
  workspace: string;
  router: EngineRouter;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function csp(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: http.OutgoingHttpHeaders = {}): void {
  // No other origin may embed or read what this server answers (a page of another local port included).
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cross-origin-resource-policy': 'same-origin', 'x-frame-options': 'DENY', ...extra });
  res.end(body);
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const log = options.log ?? (() => {});
  const rendererDir = path.resolve(options.rendererDir ?? path.join(packageRoot(), 'dist', 'window'));
  const maxUpload = options.maxUploadBytes ?? 2 * 1024 ** 3;
  const token = newToken();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-web-'));
  const uploads = path.join(workspace, 'uploads');
  fs.mkdirSync(uploads, { recursive: true });
  fs.mkdirSync(path.join(workspace, 'models'), { recursive: true });
  const downloads = new Map<string, { name: string; files: string[] }>();
  let port = 0;

  const router = new EngineRouter(options.spawnEngine ?? (() => forkEngine()), {
    log,
    // Every export's files become one download, reachable by an unguessable id.
    transformResult: (method, result) => {
      if (method !== 'exportModel') return result;
      const r = result as ExportResult;
      if (!r.files?.length) return r;
      const id = crypto.randomBytes(12).toString('base64url');
      const main = r.format === 'so' ? (r.files.find((f) => f.endsWith('.so')) ?? r.files[0]) : r.files[0];
      const folder = path.basename(main).replace(/\.[^.]+$/, '');
      const name = `${folder || 'export'}-${r.format}.tar.gz`;
      downloads.set(id, { name, files: [...r.files] });
      return { ...r, download: { url: `/api/download/${id}`, name } };
    },
  });

  const session = (): ShellSession => ({
    mode: 'browser',
    workspace,
    exportDir: options.exportDir ?? path.join(os.homedir(), 'quant-workbench-exports'),
    maxUploadBytes: maxUpload,
    version: String((JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0'),
  });

  const serveStatic = (res: http.ServerResponse, pathname: string) => {
    let rel: string;
    try {
      rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    } catch {
      return send(res, 400, 'malformed path');
    }
    const file = path.resolve(rendererDir, rel);
    if (!file.startsWith(rendererDir + path.sep)) return send(res, 404, 'not found');
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      if (!fs.existsSync(path.join(rendererDir, 'index.html'))) return send(res, 503, `the window is not built (${rendererDir} is missing): run bash scripts/setup.sh`);
      return send(res, 404, 'not found');
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const headers: http.OutgoingHttpHeaders = type.startsWith('text/html') ? { 'content-security-policy': csp(port), 'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    send(res, 200, data, type, headers);
  };

  const server = http.createServer((req, res) => {
    const isPost = req.method === 'POST';
    const api = (req.url ?? '/').startsWith('/api/');
    // The page's cookie opens the window's static files only (see guard.ts).
    const g = guard(req, port, token, { needOrigin: isPost, cookie: !api && req.method === 'GET' });
    if (!g.ok) return send(res, g.status, `Quant Workbench: ${g.reason}\n`, 'text/plain; charset=utf-8', isPost ? { connection: 'close' } : {});
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void (async () => {
      try {
        if (req.method === 'GET' && url.pathname === '/api/session') return send(res, 200, JSON.stringify(session()), 'application/json');
        if (isPost && url.pathname === '/api/upload') {
          const group = url.searchParams.get('group') ?? crypto.randomBytes(6).toString('hex');
          const file = uploadTarget(uploads, group, url.searchParams.get('name') ?? '');
          const bytes = await receiveUpload(req, file, maxUpload);
          return send(res, 200, JSON.stringify({ path: file, folder: path.join(uploads, group), bytes }), 'application/json');
        }
        const dl = /^\/api\/download\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
        if (req.method === 'GET' && dl) {
          const d = downloads.get(dl[1]);
          if (!d) return send(res, 404, 'no such download (exports are kept for this launch only)');
          const body = tarGz(d.name.replace(/\.tar\.gz$/, ''), d.files);
          return send(res, 200, body, 'application/gzip', { 'content-disposition': `attachment; filename="${d.name}"` });
        }
        if (req.method === 'GET' && !url.pathname.startsWith('/api/')) return serveStatic(res, url.pathname);
        send(res, 404, 'not found');
      } catch (e) {
        // A refused upload may still be sending: answer, then close the connection.
        if (e instanceof UploadError) return send(res, e.status, JSON.stringify({ error: e.message }), 'application/json', { connection: 'close' });
        log(`web host: ${(e as Error).stack ?? e}`);
        send(res, 500, JSON.stringify({ error: (e as Error).message }), 'application/json');
      }
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const g = guard(req, port, token, { needOrigin: true });
    if (!g.ok || url.pathname !== '/api/engine') {
      socket.end(`HTTP/1.1 ${g.ok ? 404 : g.status} Refused\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${g.reason ?? 'not found'}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const client = router.connect((msg) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    });
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return; // not JSON: nothing to answer to (no id)
      }
      client.handle(msg);
    });
    ws.on('close', () => client.close());
  };

  const wanted = options.port ?? 5180;
  try {
    port = await listen(server, wanted);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port !== undefined) throw e;
    port = await listen(server, 0);
  }
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    address: (server.address() as { address: string }).address,
    port,
    token,
    workspace,
    router,
    close: async () => {
      router.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      fs.rmSync(workspace, { recursive: true, force: true });
    },
  };
}
