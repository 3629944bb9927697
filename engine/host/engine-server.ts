// The engine side of the message protocol: requests run as calls of a WorkbenchService, each with
// its own AbortController (a {id, cancel} aborts it) and its own host, whose progress goes back as
// {id, progress}. The transport is injected: Electron's parentPort, a forked child's IPC, or an
// in-memory pair in tests.

import type { FromEngineMessage, ProgressEvent, WorkbenchService } from '../api/contract';
import { checkToEngine, protocolError, wireError } from './protocol';

export interface EnginePort {
  send(msg: FromEngineMessage): void;
  onMessage(fn: (msg: unknown) => void): void;
}

export interface ServeOptions {
  /** Progress messages of one request at most this often (stage changes and the last one always
   *  go). Default 50 ms. */
  progressIntervalMs?: number;
}

/** A function per method, called as the CLI calls the service: (params, {signal}). */
type Callable = (params: unknown, opts: { signal: AbortSignal }) => Promise<unknown>;

/** `makeService` builds the service one request runs on, around that request's progress sink. */
export function serveEngine(port: EnginePort, makeService: (onProgress: (e: ProgressEvent) => void) => WorkbenchService, options: ServeOptions = {}): { running(): number } {
  const interval = options.progressIntervalMs ?? 50;
  const jobs = new Map<number, AbortController>();

  const progressSender = (id: number) => {
    let last = 0;
    let lastStage = '';
    return (event: ProgressEvent) => {
      const now = Date.now();
      const final = event.done !== undefined && event.done === event.total;
      if (event.stage === lastStage && !final && now - last < interval) return;
      last = now;
      lastStage = event.stage;
      port.send({ id, progress: event });
    };
  };

  port.onMessage((raw) => {
    const msg = checkToEngine(raw);
    if (msg.kind === 'invalid') {
      if (msg.id !== undefined) port.send({ id: msg.id, error: msg.error });
      return;
    }
    if (msg.kind === 'cancel') {
      jobs.get(msg.id)?.abort();
      return;
    }
    const { id, method, params } = msg;
    if (jobs.has(id)) {
      port.send({ id, error: protocolError(`request id ${id} is already running`) });
      return;
    }
    const controller = new AbortController();
    jobs.set(id, controller);
    const service = makeService(progressSender(id));
    const fn = (service[method] as unknown as Callable).bind(service);
    void (async () => {
      try {
        const result = await fn(params ?? {}, { signal: controller.signal });
        port.send({ id, result });
      } catch (e) {
        // A job that saw the abort may fail with another error on its way out: report the cancel.
        const err = wireError(e);
        port.send({ id, error: controller.signal.aborted && err.code !== 'E_CANCELLED' ? { ...err, code: 'E_CANCELLED' } : err });
      } finally {
        jobs.delete(id);
      }
    })();
  });
  return { running: () => jobs.size };
}
