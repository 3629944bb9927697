// The preload (sandboxed, context-isolated): one small object on window.quant, typed by the
// contract's QuantBridge. Engine messages go out only for methods in SERVICE_METHODS (anything else
// is answered here with E_PROTOCOL and never reaches main); main checks again. No ipcRenderer, no
// Node reaches the page. Bundled into one file (a sandboxed preload cannot require its siblings).

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

import { SERVICE_METHODS, type FromEngineMessage, type MenuCommand, type QuantBridge, type ShellSession, type ToShellMessage } from '../engine/api/contract';
import { CHANNELS } from './channels';

const methods: ReadonlySet<string> = new Set(SERVICE_METHODS);
const local = new Set<(m: FromEngineMessage) => void>();

function subscribe<T>(channel: string, fn: (value: T) => void): () => void {
  const listener = (_e: IpcRendererEvent, value: T) => fn(value);
  ipcRenderer.on(channel, listener);
  return () => ipcRenderer.removeListener(channel, listener);
}

const bridge = {
  send(msg: ToShellMessage): void {
    const m = msg as unknown as Record<string, unknown>;
    if (m && typeof m === 'object' && 'method' in m && !methods.has(String(m.method))) {
      const reply: FromEngineMessage = { id: Number(m.id), error: { code: 'E_PROTOCOL', name: 'ProtocolError', message: `unknown method ${JSON.stringify(m.method)}` } };
      for (const fn of local) fn(reply);
      return;
    }
    ipcRenderer.send(CHANNELS.engineSend, msg);
  },
  onMessage(fn: (msg: FromEngineMessage) => void): () => void {
    local.add(fn);
    const off = subscribe<FromEngineMessage>(CHANNELS.engineMessage, fn);
    return () => {
      local.delete(fn);
      off();
    };
  },
  session: (): Promise<ShellSession> => ipcRenderer.invoke(CHANNELS.session),
  pathForFile: (file: unknown): string => webUtils.getPathForFile(file as File),
  openModelDialog: (): Promise<string | null> => ipcRenderer.invoke(CHANNELS.openModel),
  chooseFolder: (title: string, defaultPath?: string): Promise<string | null> => ipcRenderer.invoke(CHANNELS.chooseFolder, title, defaultPath),
  chooseFile: (title: string): Promise<string | null> => ipcRenderer.invoke(CHANNELS.chooseFile, title),
  showInFolder: (p: string): void => ipcRenderer.send(CHANNELS.showInFolder, p),
  onMenu: (fn: (command: MenuCommand) => void): (() => void) => subscribe<MenuCommand>(CHANNELS.menu, fn),
} satisfies QuantBridge;

contextBridge.exposeInMainWorld('quant', bridge);
