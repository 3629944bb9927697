// The Node implementation of the host seam: real files, progress and logs to callbacks (the CLI
// decides what reaches the terminal), assets from the repository's assets/ folder.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ProgressEvent } from '../api/contract';
import type { Host, LogLevel } from '../api/host';
import { packageRoot } from '../package-root';
import { writeFileAtomic } from '../safe-fs';

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
    // Temporary file, fsync, rename (engine/safe-fs.ts): a crash, SIGINT or full disk never leaves a
    // partial file, and two writers leave one whole file. Missing folders are created (the window's
    // per-run folders, --out a/b.onnx).
    writeFileAtomic(file, data);
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
