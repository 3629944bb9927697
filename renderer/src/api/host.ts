// The host seam: everything the screens need from the shell they run in. Two implementations,
// electron-host.ts (the preload's bridge) and browser-host.ts (the web host's socket and uploads);
// screens and the store never know which.

import type { MenuCommand, ShellSession } from '../../../engine/api/contract';
import type { ServiceClient } from './client';

export interface PickedFile {
  path: string;
  name: string;
  /** 'upload': copied into this launch's workspace (browser mode). */
  source: 'file' | 'upload';
}

export interface AppHost {
  kind: 'electron' | 'browser';
  client: ServiceClient;
  session: ShellSession;
  /** A dropped File -> a path the engine can read. */
  dropped(file: File): Promise<PickedFile>;
  /** Files of a dropped or chosen folder (relative paths kept) -> the folder's path. */
  droppedFolder(files: { file: File; relativePath: string }[]): Promise<string>;
  /** The Open... of a model: a native dialog, or the browser's file picker and an upload. */
  pickModel(): Promise<PickedFile | null>;
  /** Electron: a folder dialog. Browser: null (the user types the folder). */
  chooseFolder(title: string, current?: string): Promise<string | null>;
  /** Electron: a file dialog. Browser: the file picker and an upload. */
  chooseFile(title: string, accept?: string): Promise<PickedFile | null>;
  /** A browser-mode download link (the token added); undefined in Electron. */
  downloadHref(url: string): string | undefined;
  /** Electron: shows the file in the system file manager. */
  reveal?(path: string): void;
  onMenu(fn: (command: MenuCommand) => void): () => void;
}

/** Opens the browser's file picker (an <input type=file>), resolving with the files chosen. */
export function pickFiles(accept: string | undefined, folder = false): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    if (accept) input.accept = accept;
    if (folder) input.webkitdirectory = true;
    input.style.display = 'none';
    input.addEventListener('change', () => {
      resolve(input.files ? [...input.files] : []);
      input.remove();
    });
    input.addEventListener('cancel', () => {
      resolve([]);
      input.remove();
    });
    document.body.appendChild(input);
    input.click();
  });
}
