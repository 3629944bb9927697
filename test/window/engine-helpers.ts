// A real engine process for window tests: forked from the compiled engine-process.js, behind the
// same router the web host and Electron main use, reached through the renderer's own client.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { EngineRouter } from '../../engine/host/engine-router';
import { forkEngine } from '../../engine/host/fork-engine';
import { ServiceClient, type Channel } from '../../renderer/src/api/client';
import type { FromEngineMessage } from '../../engine/api/contract';

export interface TestEngine {
  router: EngineRouter;
  client: ServiceClient;
  /** The pid of the engine process now running (undefined before the first request). */
  pid(): number | undefined;
  close(): void;
}

export function startTestEngine(): TestEngine {
  let pid: number | undefined;
  const router = new EngineRouter(() => {
    const ch = forkEngine();
    pid = ch.pid;
    return ch;
  });
  const listeners = new Set<(m: FromEngineMessage) => void>();
  const rc = router.connect((m) => {
    for (const fn of listeners) fn(m);
  });
  const channel: Channel = {
    send: (m) => rc.handle(m),
    onMessage: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return { router, client: new ServiceClient(channel), pid: () => pid, close: () => router.close() };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
