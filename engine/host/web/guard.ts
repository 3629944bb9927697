// Who may talk to the browser-mode host: requests that name this host by its loopback address and
// port (Host header: defeats DNS rebinding), come from its own pages (Origin, where browsers send
// one) and carry this launch's random token (the printed URL; compared in constant time).
// The token goes as the query's `token` or the `x-qwb-token` header. The cookie the window's page
// sets only opens the window's own static files (so a reload works): browsers send a cookie of
// 127.0.0.1 to every port of it, i.e. to any other local server, even another user's; so the
// cookie never opens the API, the socket or a download.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time anyway.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

export function cookieName(port: number): string {
  return `qwb_token_${port}`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface GuardResult {
  ok: boolean;
  status: number;
  reason?: string;
}

/** Checks Host, Origin (required when `needOrigin`, e.g. for uploads and the socket) and the token
 *  (query `token`, header `x-qwb-token`, or this port's cookie where `cookie` allows it). */
export function guard(req: IncomingMessage, port: number, token: string, opts: { needOrigin?: boolean; cookie?: boolean } = {}): GuardResult {
  const host = req.headers.host ?? '';
  if (!allowedHosts(port).includes(host)) return { ok: false, status: 421, reason: `wrong Host '${host}': open http://127.0.0.1:${port}/` };
  const origin = req.headers.origin;
  if (origin !== undefined || opts.needOrigin) {
    if (!origin || !allowedOrigins(port).includes(origin)) return { ok: false, status: 403, reason: `requests from origin '${origin ?? '(none)'}' are refused` };
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return { ok: false, status: 400, reason: 'malformed request path' };
  }
  const header = req.headers['x-qwb-token'];
  const given = url.searchParams.get('token') ?? (typeof header === 'string' ? header : undefined) ?? (opts.cookie ? cookie(req, cookieName(port)) : undefined);
  if (!sameToken(given, token)) return { ok: false, status: 403, reason: given ? 'wrong token' : 'no token: open the URL that `qwb serve` printed (it carries this launch’s token)' };
  return { ok: true, status: 200 };
}
