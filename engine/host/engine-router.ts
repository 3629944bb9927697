// The shell side of the engine process (web host, Electron main): one engine process shared by
// the windows/sockets connected to it. Each client's messages are checked (SERVICE_METHODS only),
// their ids mapped to engine-wide ones and back, and its running requests cancelled when it goes.
// When the engine process exits, every pending request fails with E_ENGINE and a clear message,
// every client hears an 'engine-exit' event, and the next request starts a fresh engine.

import type { FromEngineMessage, ServiceMethod, ToEngineMessage } from '../api/contract';
import { checkToEngine } from './protocol';

export interface EngineExit {
  code: number | null;
  signal: string | null;
}

/** One started engine process, whatever starts it (child_process.fork, utilityProcess.fork). */
export interface EngineChannel {
  send(msg: ToEngineMessage): void;
  onMessage(fn: (msg: FromEngineMessage) => void): void;
  onExit(fn: (exit: EngineExit) => void): void;
  kill(): void;
}

export interface RouterOptions {
  /** Rewrites a result on its way to the client (the web host adds download links to exports). */
  transformResult?: (method: ServiceMethod, result: unknown) => unknown;
  log?: (line: string) => void;
}

export interface RouterClient {
  /** A message from the window: a request or a cancel. */
  handle(raw: unknown): void;
  /** The window went away: its running requests are cancelled. */
  close(): void;
}

interface Pending {
  client: ClientState;
  clientId: number;
  method: ServiceMethod;
}

interface ClientState {
  sink: (msg: FromEngineMessage) => void;
  ids: Map<number, number>; // client id -> engine id
  closed: boolean;
}

export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}${exit.signal === 'SIGSEGV' ? ' (a crash in native code)' : exit.signal === 'SIGKILL' ? ' (perhaps out of memory)' : ''}` : `exited with code ${exit.code}`;
  return `The engine process ${how}. The window is fine.`;
}

export class EngineRouter {
  private channel?: EngineChannel;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly clients = new Set<ClientState>();

  constructor(
    private readonly spawn: () => EngineChannel,
    private readonly options: RouterOptions = {},
  ) {}

  connect(sink: (msg: FromEngineMessage) => void): RouterClient {
    const state: ClientState = { sink, ids: new Map(), closed: false };
    this.clients.add(state);
    return {
      handle: (raw) => this.fromClient(state, raw),
      close: () => {
        state.closed = true;
        this.clients.delete(state);
        for (const engineId of state.ids.values()) this.channel?.send({ id: engineId, cancel: true });
      },
    };
  }

  /** Stops the engine process (shell shutdown). */
  close(): void {
    const ch = this.channel;
    this.channel = undefined;
    ch?.kill();
  }

  get running(): number {
    return this.pending.size;
  }

  private engine(): EngineChannel {
    if (this.channel) return this.channel;
    const ch = this.spawn();
    this.channel = ch;
    ch.onMessage((msg) => this.fromEngine(msg));
    ch.onExit((exit) => {
      if (this.channel !== ch) return; // closed on purpose
      this.channel = undefined;
      const message = describeExit(exit);
      this.options.log?.(message);
      for (const [engineId, p] of this.pending) {
        this.pending.delete(engineId);
        p.client.ids.delete(p.clientId);
        if (!p.client.closed) p.client.sink({ id: p.clientId, error: { code: 'E_ENGINE', name: 'EngineExit', message, method: p.method, exitCode: exit.code, signal: exit.signal } });
      }
      for (const c of this.clients) c.sink({ event: 'engine-exit', message });
    });
    return ch;
  }

  private fromClient(state: ClientState, raw: unknown): void {
    const msg = checkToEngine(raw);
    if (msg.kind === 'invalid') {
      if (msg.id !== undefined) state.sink({ id: msg.id, error: msg.error });
      return;
    }
    if (msg.kind === 'cancel') {
      const engineId = state.ids.get(msg.id);
      if (engineId !== undefined) this.channel?.send({ id: engineId, cancel: true });
      return;
    }
    if (state.ids.has(msg.id)) {
      state.sink({ id: msg.id, error: { code: 'E_PROTOCOL', name: 'ProtocolError', message: `request id ${msg.id} is already running` } });
      return;
    }
    const engineId = this.nextId++;
    state.ids.set(msg.id, engineId);
    this.pending.set(engineId, { client: state, clientId: msg.id, method: msg.method });
    this.engine().send({ id: engineId, method: msg.method, params: msg.params });
  }

  private fromEngine(msg: FromEngineMessage): void {
    if (!('id' in msg)) return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('progress' in msg) {
      if (!p.client.closed) p.client.sink({ id: p.clientId, progress: msg.progress });
      return;
    }
    this.pending.delete(msg.id);
    p.client.ids.delete(p.clientId);
    if (p.client.closed) return;
    if ('result' in msg) {
      let result = msg.result;
      try {
        result = this.options.transformResult ? this.options.transformResult(p.method, result) : result;
      } catch (e) {
        this.options.log?.(`result of ${p.method}: ${(e as Error).message}`);
      }
      p.client.sink({ id: p.clientId, result });
    } else {
      p.client.sink({ id: p.clientId, error: msg.error });
    }
  }
}
