// The security decisions of the Electron shell, as plain data and functions (no electron import, so
// the tests check them without Electron's binary; main.ts applies them). They follow Electron's
// security checklist (electronjs.org/docs/latest/tutorial/security):
//  - the page is served from our own scheme (qwb://app/, a standard secure scheme), never file://,
//    and only files of the renderer build are served from it;
//  - context isolation, the sandbox, no Node in the page, workers or subframes, web security on, no
//    insecure content, no <webview>, no experimental or Blink features;
//  - a Content-Security-Policy header on top of the page's own meta policy;
//  - navigation only to our page, no new windows, no network requests from the page at all;
//  - IPC answered only for one of our windows' top frame showing our page, and every IPC argument
//    checked against its channel's schema before use (engine messages then go through the same
//    router checks as the web host's socket: engine/host/protocol.ts, method-schemas.ts).

import * as path from 'node:path';

import { show, str, type Schema } from '../engine/host/schema';
import { CHANNELS } from './channels';

export const APP_SCHEME = 'qwb';
export const APP_HOST = 'app';
export const INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** webPreferences of every window (the preload's path is added by main). */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const;

/** Sent with the page (the page's meta policy also applies; the stricter of both wins). The window
 *  talks to the engine over IPC, so it connects nowhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The one page a window may show (the hash part aside). */
export function navigationAllowed(url: string): boolean {
  return url.split('#')[0] === INDEX_URL;
}

/** The file of the renderer build that a qwb://app/... request names; undefined for another
 *  scheme or host, a malformed escape, a NUL, or anything outside the build folder. */
export function appFile(requestUrl: string, windowDir: string): string | undefined {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  const root = path.resolve(windowDir);
  const file = path.resolve(root, `.${rel === '/' || rel === '' ? '/index.html' : rel}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/** The page never reaches the network: only these schemes load. */
export function requestAllowed(url: string): boolean {
  return /^(qwb|data|devtools|chrome-extension):/.test(url);
}

export interface IpcSender {
  /** The sender is one of our windows. */
  ownWindow: boolean;
  /** The message came from the window's top frame (not an iframe). */
  topFrame: boolean;
  /** The URL of the frame that sent it (undefined when the frame is gone). */
  frameUrl: string | undefined;
}

export function senderAllowed(s: IpcSender): boolean {
  return s.ownWindow && s.topFrame && s.frameUrl !== undefined && navigationAllowed(s.frameUrl);
}

const absolutePath = (): Schema<string> => {
  const base = str();
  return { describe: 'an absolute path', check: (v, at) => base.check(v, at) ?? (path.isAbsolute(v as string) ? undefined : `${at} must be an absolute path, got ${show(v)}`) };
};
const shortText = (max: number): Schema<string> => {
  const base = str();
  return { describe: `a text of at most ${max} characters`, check: (v, at) => base.check(v, at) ?? ((v as string).length <= max ? undefined : `${at} must be at most ${max} characters, got ${(v as string).length}`) };
};
const message = (): Schema<object> => ({
  describe: 'a message object',
  check: (v, at) => (v && typeof v === 'object' && !Array.isArray(v) ? undefined : `${at} must be a message object, got ${show(v)}`),
});

interface ArgsSchema {
  names: string[];
  schemas: Schema<unknown>[];
  /** How many of the first arguments are required. */
  required: number;
}
const args = (required: number, fields: [string, Schema<unknown>][]): ArgsSchema => ({ names: fields.map((f) => f[0]), schemas: fields.map((f) => f[1]), required });

/** The arguments each channel takes, in order. */
export const IPC_ARGS: Record<string, ArgsSchema> = {
  [CHANNELS.engineSend]: args(1, [['message', message()]]),
  [CHANNELS.session]: args(0, []),
  [CHANNELS.openModel]: args(0, []),
  [CHANNELS.chooseFolder]: args(1, [
    ['title', shortText(200)],
    ['defaultPath', absolutePath()],
  ]),
  [CHANNELS.chooseFile]: args(1, [['title', shortText(200)]]),
  [CHANNELS.showInFolder]: args(1, [['path', absolutePath()]]),
};

/** The first problem of an IPC call's arguments, as a sentence, or undefined when they fit. */
export function checkIpcArgs(channel: string, values: readonly unknown[]): string | undefined {
  const spec = IPC_ARGS[channel];
  if (!spec) return `${channel}: not a channel of the workbench`;
  if (values.length > spec.schemas.length) return `${channel}: takes ${spec.schemas.length ? `at most ${spec.schemas.length} argument(s) (${spec.names.join(', ')})` : 'no arguments'}, got ${values.length}`;
  for (let i = 0; i < spec.schemas.length; i++) {
    const v = values[i];
    if (v === undefined && i >= spec.required) continue;
    const problem = spec.schemas[i].check(v, spec.names[i]);
    if (problem) return `${channel}: ${problem}`;
  }
  return undefined;
}
