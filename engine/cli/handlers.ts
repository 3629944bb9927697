// Command name -> handler. The record's keys are checked against the option table in
// test/engine/cli-help.test.ts, so a command cannot be listed without an implementation.

import { benchCommand } from './commands/bench';
import { compareCommand } from './commands/compare';
import { demoCommand } from './commands/demo';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { infoCommand } from './commands/info';
import { quantizeCommand } from './commands/quantize';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';

export const HANDLERS = {
  info: infoCommand,
  run: runCommand,
  eval: evalCommand,
  quantize: quantizeCommand,
  compare: compareCommand,
  demo: demoCommand,
  bench: benchCommand,
  export: exportCommand,
  serve: serveCommand,
} as const;
