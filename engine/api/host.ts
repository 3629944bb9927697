// The host seam: everything the engine needs from its surroundings (files, progress, logging), so
// the service runs unchanged under the CLI, Electron's main process, a web host and tests.

import type { ProgressEvent } from './contract';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Host {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Progress of long jobs (the CLI prints it on a TTY; Electron forwards it to the window). */
  progress(event: ProgressEvent): void;
  log(level: LogLevel, message: string): void;
  /** Absolute path of a bundled asset (e.g. 'demo/demo.json' -> <repo>/assets/demo/demo.json). */
  assetPath(relative: string): string;
}
