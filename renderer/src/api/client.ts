// The window's one way to call the engine: call(method, params, {onProgress, signal}) over any
// channel that carries the engine protocol (Electron's bridge, browser mode's WebSocket, a forked
// engine in tests). Ids are this client's own; a signal that fires sends {id, cancel} and the call
// rejects with the engine's E_CANCELLED once the job has really stopped. The shell's events about
// the engine process itself (it stopped; a new one is running) go to onEngineEvent listeners.

import type { EngineEventMessage, FromEngineMessage, MethodParams, MethodResult, ProgressEvent, ServiceMethod, ToShellMessage, WireError } from '../../../engine/api/contract';

export interface Channel {
  send(msg: ToShellMessage): void;
  /** Subscribes to messages from the engine; returns the unsubscribe function. */
  onMessage(fn: (msg: FromEngineMessage) => void): () => void;
}

/** An engine error as the window sees it: the wire error's code and message, and its fields. */
export class EngineError extends Error {
  readonly code: WireError['code'];
  readonly details: WireError;
  constructor(e: WireError) {
    super(e.message);
    this.name = 'EngineError';
    this.code = e.code;
    this.details = e;
  }
}

export const isCancelled = (e: unknown): boolean => e instanceof EngineError && e.code === 'E_CANCELLED';

export interface CallOptions {
  onProgress?: (p: ProgressEvent) => void;
  signal?: AbortSignal;
}

interface Waiting {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: ProgressEvent) => void;
}

export class ServiceClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly engineListeners = new Set<(event: EngineEventMessage) => void>();

  constructor(private readonly channel: Channel) {
    channel.onMessage((msg) => this.receive(msg));
  }

  call<M extends ServiceMethod>(method: M, params: MethodParams<M>, opts: CallOptions = {}): Promise<MethodResult<M>> {
    const id = this.nextId++;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new EngineError({ code: 'E_CANCELLED', message: `${method}: cancelled` }));
        return;
      }
      const onAbort = () => this.channel.send({ id, cancel: true });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.waiting.set(id, {
        resolve: (v) => {
          done();
          resolve(v as MethodResult<M>);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: opts.onProgress,
      });
      this.channel.send(params === undefined ? { id, method } : { id, method, params });
    });
  }

  /** The engine process stopped, or a new one is running (the shell says so); returns the
   *  unsubscribe function. */
  onEngineEvent(fn: (event: EngineEventMessage) => void): () => void {
    this.engineListeners.add(fn);
    return () => this.engineListeners.delete(fn);
  }

  /** The engine process stopped (the shell says so); returns the unsubscribe function. */
  onEngineExit(fn: (message: string) => void): () => void {
    return this.onEngineEvent((e) => {
      if (e.event === 'engine-exit') fn(e.message);
    });
  }

  /** Asks the shell to kill the engine process, whatever it runs, and start a new one (its
   *  running calls fail with E_ENGINE; 'engine-restarted' follows). */
  restartEngine(): void {
    this.channel.send({ control: 'restart-engine' });
  }

  /** Requests still waiting for an answer. */
  get pending(): number {
    return this.waiting.size;
  }

  /** The channel broke (socket closed): every waiting call fails with this error. */
  failAll(error: WireError): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(new EngineError(error));
    }
  }

  private receive(msg: FromEngineMessage): void {
    if ('event' in msg) {
      for (const fn of this.engineListeners) fn(msg);
      return;
    }
    const w = this.waiting.get(msg.id);
    if (!w) return;
    if ('progress' in msg) {
      w.onProgress?.(msg.progress);
      return;
    }
    this.waiting.delete(msg.id);
    if ('result' in msg) w.resolve(msg.result);
    else w.reject(new EngineError(msg.error));
  }
}
