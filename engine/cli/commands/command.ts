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

export interface CommandHandler<Req> {
  request(args: Args): Req;
  execute(service: WorkbenchService, req: Req, opts: JobOptions): Promise<CommandOutput>;
}
