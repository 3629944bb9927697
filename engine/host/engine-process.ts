// The engine process entry: the whole engine (service, native addon, oneDNN) runs here, never in
// Electron's main process or the web host's, so a crash, an out-of-memory or a long loop in it
// leaves the window alive. Started by Electron's utilityProcess.fork (messages on
// process.parentPort) or by child_process.fork in browser mode and tests (messages on IPC).

import { Service } from '../api/service';
import { serveEngine, type EnginePort } from './engine-server';
import { NodeHost } from './node-host';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
}

function port(): EnginePort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (fn) => parentPort.on('message', (e) => fn(e.data)) };
  }
  const send = process.send?.bind(process);
  if (send) {
    // The parent went away: nothing can read our answers any more.
    process.on('disconnect', () => process.exit(0));
    return { send: (m) => void send(m), onMessage: (fn) => process.on('message', fn) };
  }
  throw new Error('engine-process: start it with utilityProcess.fork or child_process.fork (no parentPort, no IPC channel)');
}

export function startEngineProcess(): void {
  serveEngine(port(), (onProgress) => new Service(new NodeHost({ onProgress, onLog: (level, message) => process.stderr.write(`engine ${level}: ${message}\n`) })));
}

if (require.main === module || (process as unknown as { parentPort?: unknown }).parentPort) startEngineProcess();
