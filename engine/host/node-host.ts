// The Node implementation of the host seam: real files, progress and logs to callbacks (the CLI
// decides what reaches the terminal), assets from the repository's assets/ folder.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ProgressEvent } from '../api/contract';
import type { Host, LogLevel } from '../api/host';
import { packageRoot } from '../package-root';

export interface NodeHostOptions {
  onProgress?: (event: ProgressEvent) => void;
  onLog?: (level: LogLevel, message: string) => void;
  /** Folder holding the bundled assets; defaults to <package root>/assets. */
  assetsDir?: string;
}


export class NodeHost implements Host {
  constructor(private readonly options: NodeHostOptions = {}) {}

  async readFile(file: string): Promise<Uint8Array> {
    try {
      const b = await fs.promises.readFile(file);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }

  async writeFile(file: string, data: Uint8Array): Promise<void> {
    try {
      // Outputs may name a folder that does not exist yet (the window's per-run folders, --out a/b.onnx).
      await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      await fs.promises.writeFile(file, data);
    } catch (e) {
      throw new Error(`${file}: cannot write (${(e as Error).message})`);
    }
  }

  progress(event: ProgressEvent): void {
    this.options.onProgress?.(event);
  }

  log(level: LogLevel, message: string): void {
    this.options.onLog?.(level, message);
  }

  assetPath(relative: string): string {
    return path.join(this.options.assetsDir ?? path.join(packageRoot(), 'assets'), relative);
  }
}
