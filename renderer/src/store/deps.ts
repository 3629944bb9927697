// What the store needs from outside: the engine client (and its shell's engine restart), this launch's session, a small persistent
// key-value store (recent models) and a clock. Injected, so slices run in Node tests against a real
// engine process and in the window alike.

import type { MethodParams, MethodResult, ServiceMethod, ShellSession } from '../../../engine/api/contract';
import type { CallOptions } from '../api/client';

export interface StoreDeps {
  call<M extends ServiceMethod>(method: M, params: MethodParams<M>, opts?: CallOptions): Promise<MethodResult<M>>;
  session: ShellSession;
  /** Asks the shell for a new engine process (the running one is killed). */
  restartEngine(): void;
  persist: { load(key: string): unknown; save(key: string, value: unknown): void };
  now(): number;
}

/** A path's last part ('/a/b/model.onnx' -> 'model.onnx'). */
export const baseName = (p: string): string => p.split(/[\\/]/).filter(Boolean).pop() ?? p;

export const joinPath = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, '')}/${name}`;
