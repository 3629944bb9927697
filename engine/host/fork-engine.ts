// Starts the engine process as a Node child (browser mode, tests): child_process.fork of the
// compiled engine-process.js, with the engine's stderr passed through for its logs.

import { fork } from 'node:child_process';
import * as path from 'node:path';

import type { FromEngineMessage } from '../api/contract';
import type { EngineChannel, EngineExit } from './engine-router';

export const ENGINE_ENTRY = path.join(__dirname, 'engine-process.js');

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
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
