// What every qwb command module provides: the arguments -> service request mapping (pure, so the
// help test can check that every option of the table changes the request) and the call itself.

import type { JobOptions, WorkbenchService } from '../../api/contract';
import type { Args } from '../args';

export interface CommandOutput {
  /** What --json prints. */
  value: unknown;
  /** What a person reads. */
  text: string;
  /** Printed to stderr as `qwb: warning: ...`. */
  warnings?: string[];
}

/** The terminal, for a command that must say something before it ends (a server's URL). */
export interface Terminal {
  stdout(s: string): void;
  stderr(s: string): void;
}

export interface CommandHandler<Req> {
  request(args: Args): Req;
  /** Runs the request; `opts.signal` fires on SIGINT/SIGTERM (a job stops, a server closes). */
  execute(service: WorkbenchService, req: Req, opts: JobOptions, terminal: Terminal): Promise<CommandOutput>;
}
