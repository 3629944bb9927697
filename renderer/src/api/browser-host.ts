// Browser mode's host: the engine over a WebSocket to the local web host (messages queued until it
// is open, reconnecting after a drop), dropped files uploaded into the launch's workspace, export
// downloads as links. The token comes from the printed URL, kept for reloads in sessionStorage.

import type { FromEngineMessage, ShellSession, ToShellMessage } from '../../../engine/api/contract';
import { ServiceClient, type Channel } from './client';
import { pickFiles, type AppHost, type PickedFile } from './host';

const TOKEN_KEY = 'qwb.token';

function takeToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

class SocketChannel implements Channel {
  private ws?: WebSocket;
  private queue: string[] = [];
  private readonly listeners = new Set<(m: FromEngineMessage) => void>();
  onBroken?: (reason: string) => void;

  constructor(private readonly url: string) {}

  private open(): WebSocket {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return this.ws;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      for (const m of this.queue) ws.send(m);
      this.queue = [];
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as FromEngineMessage;
      for (const fn of this.listeners) fn(msg);
    });
    ws.addEventListener('close', () => {
      if (this.ws === ws) this.ws = undefined;
      this.onBroken?.('The connection to the workbench server closed (was `qwb serve` stopped?). Start it again and reload this page.');
    });
    return ws;
  }

  connect(): void {
    this.open();
  }

  send(msg: ToShellMessage): void {
    const text = JSON.stringify(msg);
    const ws = this.open();
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else this.queue.push(text);
  }

  onMessage(fn: (m: FromEngineMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export async function createBrowserHost(): Promise<AppHost> {
  const token = takeToken();
  const res = await fetch('/api/session', { headers: { 'x-qwb-token': token } });
  if (!res.ok) throw new Error(res.status === 403 ? 'This page needs the token in the URL that `qwb serve` printed: open that URL again.' : `The workbench server answered ${res.status}.`);
  const session = (await res.json()) as ShellSession;
  const channel = new SocketChannel(`ws://${location.host}/api/engine?token=${encodeURIComponent(token)}`);
  const client = new ServiceClient(channel);
  channel.onBroken = (message) => client.failAll({ code: 'E_ENGINE', message });
  channel.connect();

  const upload = async (file: File, name: string, group: string): Promise<{ path: string; folder: string }> => {
    if (session.maxUploadBytes !== undefined && file.size > session.maxUploadBytes) {
      throw new Error(`${file.name} is ${file.size} bytes, over this server's upload limit of ${session.maxUploadBytes} (qwb serve --max-upload-mb N raises it)`);
    }
    const r = await fetch(`/api/upload?group=${group}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-qwb-token': token, 'content-type': 'application/octet-stream' }, body: file });
    const body = (await r.json().catch(() => ({}))) as { path?: string; folder?: string; error?: string };
    if (!r.ok || !body.path || !body.folder) throw new Error(body.error ?? `upload of ${file.name} failed (${r.status})`);
    return { path: body.path, folder: body.folder };
  };
  const newGroup = () => Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
  const uploadOne = async (file: File): Promise<PickedFile> => ({ path: (await upload(file, file.name, newGroup())).path, name: file.name, source: 'upload' });

  return {
    kind: 'browser',
    client,
    session,
    dropped: uploadOne,
    droppedFolder: async (files) => {
      if (files.length === 0) throw new Error('the folder is empty');
      const group = newGroup();
      let folder = '';
      for (const f of files) folder = (await upload(f.file, f.relativePath, group)).folder;
      const top = files[0].relativePath.split('/')[0];
      return files.every((f) => f.relativePath.startsWith(`${top}/`)) ? `${folder}/${top}` : folder;
    },
    pickModel: async () => {
      const [file] = await pickFiles('.onnx');
      return file ? uploadOne(file) : null;
    },
    chooseFolder: async () => null,
    chooseFile: async (_title, accept) => {
      const [file] = await pickFiles(accept);
      return file ? uploadOne(file) : null;
    },
    downloadHref: (url) => `${url}?token=${encodeURIComponent(token)}`,
    onMenu: () => () => {},
  };
}
