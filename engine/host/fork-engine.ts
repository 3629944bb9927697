// Starts the engine process as a Node child (browser mode, tests): child_process.fork of the
// compiled engine-process.js, with the engine's stderr passed through for its logs. kill() asks
// with SIGTERM, then makes sure with SIGKILL: an engine stuck in native code, or one that does not
// die of SIGTERM, still goes (the window's Restart relies on it).

import { fork } from 'node:child_process';
import * as path from 'node:path';

import type { FromEngineMessage } from '../api/contract';
import type { EngineChannel, EngineExit } from './engine-router';

export const ENGINE_ENTRY = path.join(__dirname, 'engine-process.js');

/** How long a SIGTERM'd engine has before SIGKILL. */
export const KILL_GRACE_MS = 2000;

export function forkEngine(options: { entry?: string; env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): EngineChannel & { pid: number | undefined } {
  const child = fork(options.entry ?? ENGINE_ENTRY, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    serialization: 'json',
  });
  const exits: ((e: EngineExit) => void)[] = [];
  let exited: EngineExit | undefined;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const f of exits) f(exited);
  });
  child.on('error', () => {
    // 'exit' follows (or the spawn failed and exit reports it); nothing else to do here.
  });
  return {
    pid: child.pid,
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (fn) => child.on('message', (m) => fn(m as FromEngineMessage)),
    onExit: (fn) => {
      exits.push(fn);
      if (exited) fn(exited);
    },
    kill: () => {
      if (exited) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, KILL_GRACE_MS);
      force.unref();
    },
  };
}
