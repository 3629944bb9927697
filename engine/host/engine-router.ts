// The shell side of the engine process (web host, Electron main): one engine process shared by
// the windows/sockets connected to it. Each client's messages are checked (SERVICE_METHODS only,
// params by their schema), their ids mapped to engine-wide ones and back, and its running requests
// cancelled when it goes.
//
// Recovery: when the engine process stops unexpectedly, every pending request fails with E_ENGINE
// and a message saying what happened, every client hears an 'engine-exit' event, and a new engine
// is started at once and probed; when it answers, clients hear 'engine-restarted' (the window then
// reloads its model: the engine keeps no state, so nothing else is lost). An engine that stops
// `crashLimit` times within `crashWindowMs` is not restarted by itself (a crash loop); the next
// request, or a {control: 'restart-engine'} from a window, starts one. That control also kills a
// running engine (a job stuck in native code) and starts a fresh one.

import type { EngineEventMessage, FromEngineMessage, ServiceMethod, ToEngineMessage } from '../api/contract';
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
  /** Start a new engine by itself after one stops unexpectedly (default true, while a client is
   *  connected). */
  autoRestart?: boolean;
  /** Unexpected stops within crashWindowMs after which no engine is started by itself (default 3 in 60 s). */
  crashLimit?: number;
  crashWindowMs?: number;
}

export interface RouterClient {
  /** A message from the window: a request, a cancel, or a shell control. */
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
  return `The engine process ${how}.`;
}

const isRestartControl = (raw: unknown): boolean => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const m = raw as Record<string, unknown>;
  return m.control === 'restart-engine' && Object.keys(m).length === 1;
};

export class EngineRouter {
  private channel?: EngineChannel;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly clients = new Set<ClientState>();
  /** Engine id of the probe sent to a freshly started engine; its answer means "restarted". */
  private probeId?: number;
  private crashes: number[] = [];
  private closed = false;
  private spawned = 0;

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

  /** Stops the engine process (shell shutdown); nothing is restarted after this. */
  close(): void {
    this.closed = true;
    const ch = this.channel;
    this.channel = undefined;
    ch?.kill();
  }

  /** Kills the engine process, whatever it is running, and starts a new one (the window's
   *  "Restart the engine"). Its pending requests fail with E_ENGINE. */
  restart(reason = 'The engine process was restarted from the window.'): void {
    if (this.closed) return;
    const old = this.channel;
    this.channel = undefined;
    this.probeId = undefined;
    this.crashes = [];
    if (old) this.broadcast({ event: 'engine-exit', message: reason, restarting: true });
    this.failPending(`${reason} The job it was running was stopped: run it again.`, { code: null, signal: null });
    old?.kill();
    this.startFresh();
  }

  get running(): number {
    return this.pending.size;
  }

  /** Engine processes started so far (tests: a restart really started a new one). */
  get started(): number {
    return this.spawned;
  }

  private engine(): EngineChannel {
    if (this.channel) return this.channel;
    const ch = this.spawn();
    this.spawned++;
    this.channel = ch;
    ch.onMessage((msg) => {
      if (this.channel === ch) this.fromEngine(msg);
    });
    ch.onExit((exit) => this.onEngineExit(ch, exit));
    return ch;
  }

  private onEngineExit(ch: EngineChannel, exit: EngineExit): void {
    if (this.channel !== ch) return; // closed or restarted on purpose
    this.channel = undefined;
    this.probeId = undefined;
    const what = describeExit(exit);
    const now = Date.now();
    const windowMs = this.options.crashWindowMs ?? 60_000;
    const limit = this.options.crashLimit ?? 3;
    this.crashes = [...this.crashes.filter((t) => now - t < windowMs), now];
    const loop = this.crashes.length >= limit;
    const restarting = (this.options.autoRestart ?? true) && !this.closed && this.clients.size > 0 && !loop;
    this.options.log?.(`${what}${restarting ? ' Starting a new one.' : ''}`);
    const message = loop
      ? `${what} It stopped ${this.crashes.length} times within ${Math.round(windowMs / 1000)} s, so no new engine is started by itself: restart it when the cause is fixed (the next step you run also starts one).`
      : restarting
        ? `${what} A new engine process is starting.`
        : what;
    // The event first, so a window knows why before its calls fail.
    this.broadcast({ event: 'engine-exit', message, restarting });
    this.failPending(`${what} The job it was running was lost${restarting ? '; a new engine process is starting' : ''}: run it again.`, exit);
    if (restarting) this.startFresh();
  }

  /** Starts an engine now and asks it something cheap: its answer is the 'engine-restarted' event. */
  private startFresh(): void {
    if (this.closed) return;
    const ch = this.engine();
    const id = this.nextId++;
    this.probeId = id;
    ch.send({ id, method: 'runtimeInfo' });
  }

  private failPending(message: string, exit: EngineExit): void {
    for (const [engineId, p] of this.pending) {
      this.pending.delete(engineId);
      p.client.ids.delete(p.clientId);
      if (!p.client.closed) p.client.sink({ id: p.clientId, error: { code: 'E_ENGINE', name: 'EngineExit', message, method: p.method, exitCode: exit.code, signal: exit.signal } });
    }
  }

  /** To every client; an engine-exit lists, for each, the methods of its requests now lost. */
  private broadcast(event: EngineEventMessage): void {
    for (const c of this.clients) {
      if (event.event !== 'engine-exit') {
        c.sink(event);
        continue;
      }
      const lost = [...this.pending.values()].filter((p) => p.client === c).map((p) => p.method);
      c.sink({ ...event, lost });
    }
  }

  private fromClient(state: ClientState, raw: unknown): void {
    if (isRestartControl(raw)) {
      this.restart();
      return;
    }
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
    if (msg.id === this.probeId && !('progress' in msg)) {
      this.probeId = undefined;
      if ('result' in msg) this.broadcast({ event: 'engine-restarted', message: 'A new engine process is running.' });
      else this.options.log?.(`the new engine process answered its first request with an error: ${msg.error.message}`);
      return;
    }
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
