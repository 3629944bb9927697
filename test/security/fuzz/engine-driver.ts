// Drives a real engine process (engine/host/engine-process.js, as the window does) one call at a
// time with a time limit and a memory limit, and tells a typed error from a crash, a hang or a
// memory blow-up. A dead or killed engine is replaced before the next call.

import * as fs from 'node:fs';

import type { FromEngineMessage, WireError } from '../../../engine/api/contract';
import { forkEngine } from '../../../engine/host/fork-engine';

export type Outcome =
  | { kind: 'ok'; result: unknown }
  | { kind: 'error'; error: WireError }
  | { kind: 'crash'; detail: string }
  | { kind: 'hang'; detail: string }
  | { kind: 'memory'; detail: string };

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export class EngineDriver {
  private engine?: ReturnType<typeof forkEngine>;
  private nextId = 1;
  private waiting?: { id: number; resolve: (o: Outcome) => void };
  restarts = 0;

  constructor(private readonly opts: { timeoutMs: number; memoryMb: number; env?: NodeJS.ProcessEnv }) {}

  private start(): ReturnType<typeof forkEngine> {
    const e = forkEngine({ env: { ...process.env, ...this.opts.env } });
    e.onMessage((m: FromEngineMessage) => {
      const w = this.waiting;
      if (!w || !('id' in m) || m.id !== w.id) return;
      if ('result' in m) w.resolve({ kind: 'ok', result: m.result });
      else if ('error' in m) w.resolve({ kind: 'error', error: m.error });
    });
    e.onExit((x) => {
      if (this.engine === e) this.engine = undefined;
      this.waiting?.resolve({ kind: 'crash', detail: `engine exited (code ${x.code}, signal ${x.signal})` });
    });
    this.restarts++;
    return e;
  }

  call(method: string, params: unknown): Promise<Outcome> {
    const engine = (this.engine ??= this.start());
    const id = this.nextId++;
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(watch);
        this.waiting = undefined;
        if (o.kind === 'hang' || o.kind === 'memory') {
          engine.kill();
          this.engine = undefined;
        }
        resolve(o);
      };
      const timer = setTimeout(() => finish({ kind: 'hang', detail: `${method} gave no answer in ${this.opts.timeoutMs} ms` }), this.opts.timeoutMs);
      const watch = setInterval(() => {
        const mb = engine.pid ? rssMb(engine.pid) : 0;
        if (mb > this.opts.memoryMb) finish({ kind: 'memory', detail: `${method}: engine RSS ${mb.toFixed(0)} MB > ${this.opts.memoryMb} MB` });
      }, 50);
      this.waiting = { id, resolve: finish };
      engine.send({ id, method, params } as never);
    });
  }

  close(): void {
    this.engine?.kill();
  }
}
