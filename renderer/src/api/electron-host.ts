// Electron's host: the preload's window.quant bridge (engine messages over IPC to a utilityProcess,
// native dialogs, real paths of dropped files).

import type { QuantBridge } from '../../../engine/api/contract';
import { ServiceClient } from './client';
import type { AppHost } from './host';

declare global {
  interface Window {
    quant?: QuantBridge;
  }
}

const nameOf = (p: string) => p.split(/[\\/]/).pop() ?? p;

export async function createElectronHost(bridge: QuantBridge): Promise<AppHost> {
  const session = await bridge.session();
  const client = new ServiceClient({ send: (m) => bridge.send(m), onMessage: (fn) => bridge.onMessage(fn) });
  const pathOf = (file: File) => {
    const p = bridge.pathForFile(file);
    if (!p) throw new Error(`${file.name} is not a file on disk (drop it from the file manager)`);
    return p;
  };
  return {
    kind: 'electron',
    client,
    session,
    dropped: async (file) => ({ path: pathOf(file), name: file.name, source: 'file' }),
    droppedFolder: async (files) => {
      const first = files[0];
      if (!first) throw new Error('the folder is empty');
      const p = pathOf(first.file);
      const depth = first.relativePath.split('/').length;
      return p.split('/').slice(0, -(depth - 1) || undefined).join('/');
    },
    pickModel: async () => {
      const p = await bridge.openModelDialog();
      return p ? { path: p, name: nameOf(p), source: 'file' } : null;
    },
    // main takes only an absolute default folder (its IPC arguments are checked): a typed relative one is left out.
    chooseFolder: (title, current) => bridge.chooseFolder(title, current && current.startsWith('/') ? current : undefined),
    chooseFile: async (title) => {
      const p = await bridge.chooseFile(title);
      return p ? { path: p, name: nameOf(p), source: 'file' } : null;
    },
    downloadHref: () => undefined,
    reveal: (p) => bridge.showInFolder(p),
    onMenu: (fn) => bridge.onMenu(fn),
  };
}
