// qwb: the command-line adapter of the service contract. No logic beyond parsing arguments (from
// the option table, table.ts), calling one service method and printing its result (text, or JSON
// with --json). Exit codes (table.ts EXIT_CODES): 0 ok, 1 failed job, 2 usage, 130 interrupted.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { JobOptions, ProgressEvent, WorkbenchService } from '../api/contract';
import { toServiceError } from '../api/errors';
import { Service } from '../api/service';
import { NodeHost } from '../host/node-host';
import { parseSize, setMemoryBudget } from '../limits';
import { packageRoot } from '../package-root';
import { UsageError } from './args';
import type { CommandHandler } from './commands/command';
import { HANDLERS } from './handlers';
import { commandHelp, mainHelp } from './help';
import { didYouMean, parseCommand } from './parse';
import { COMMANDS, findCommand } from './table';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report an interrupted program. */
export const EXIT_INTERRUPTED = 130;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

export function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function progressPrinter(io: Io): ((e: ProgressEvent) => void) | undefined {
  if (!io.isTTY) return undefined;
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.done !== undefined && e.total !== undefined && e.done < e.total && now - last < 100) return;
    last = now;
    const frac = e.done !== undefined && e.total ? ` ${e.done}/${e.total}` : '';
    io.stderr(`\r\x1b[K${e.job}: ${e.stage}${frac}${e.done !== undefined && e.done === e.total ? '\n' : ''}`);
  };
}

const TOP_HELP = ['help', '--help', '-h'];
const TOP_VERSION = ['--version', '-V'];

/** Runs the CLI; returns the exit code. `signal` cancels the running job (SIGINT/SIGTERM). */
export async function main(argv: readonly string[], io: Io, options: { signal?: AbortSignal } = {}): Promise<number> {
  let args = argv;
  // Global options go before the command (as `git -C DIR`): only the memory budget (engine/limits.ts).
  if (args[0] === '--max-memory' || args[0]?.startsWith('--max-memory=')) {
    const value = args[0].includes('=') ? args[0].slice(args[0].indexOf('=') + 1) : args[1];
    const bytes = value === undefined ? undefined : parseSize(value);
    if (bytes === undefined) {
      io.stderr(`qwb: --max-memory needs a size such as 8G or 512M, got '${value ?? ''}'\nrun 'qwb --help' for usage\n`);
      return EXIT_USAGE;
    }
    setMemoryBudget(bytes);
    args = args.slice(args[0].includes('=') ? 1 : 2);
  }
  const [cmd, ...rest] = args;
  const json = rest.includes('--json');
  try {
    if (cmd === undefined || TOP_HELP.includes(cmd)) {
      const about = cmd === 'help' && rest.length ? findCommand(rest[0]) : undefined;
      if (cmd === 'help' && rest.length && !about) throw new UsageError(`unknown command '${rest[0]}'${didYouMean(rest[0], COMMANDS.map((c) => c.name))}`);
      io.stdout(about ? commandHelp(about) : mainHelp(version()));
      return EXIT_OK;
    }
    if (TOP_VERSION.includes(cmd)) {
      io.stdout(`qwb ${version()}\n`);
      return EXIT_OK;
    }
    const spec = findCommand(cmd);
    if (!spec) {
      if (cmd.startsWith('-')) throw new UsageError(`unknown option ${cmd}${didYouMean(cmd.replace(/^-+/, ''), ['help', 'version'], '--')}; options follow a command`);
      throw new UsageError(`unknown command '${cmd}'${didYouMean(cmd, [...COMMANDS.map((c) => c.name), 'help'])}`);
    }
    const parsed = parseCommand(spec, rest);
    if (parsed.help) {
      io.stdout(commandHelp(spec));
      return EXIT_OK;
    }
    const handler: CommandHandler<unknown> | undefined = HANDLERS[spec.name as keyof typeof HANDLERS];
    if (!handler) throw new Error(`qwb ${spec.name}: no handler (engine/cli/handlers.ts)`);
    const req = handler.request(parsed.args);
    const service: WorkbenchService = new Service(new NodeHost({ onProgress: json ? undefined : progressPrinter(io) }));
    const jobOptions: JobOptions = { signal: options.signal };
    const out = await handler.execute(service, req, jobOptions, io);
    for (const w of out.warnings ?? []) io.stderr(`qwb: warning: ${w}\n`);
    io.stdout(json ? `${JSON.stringify(out.value, null, 2)}\n` : `${out.text}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      const helpFor = findCommand(cmd ?? '') ? `qwb ${cmd} --help` : 'qwb --help';
      io.stderr(`qwb: ${e.message}\nrun '${helpFor}' for usage\n`);
      return EXIT_USAGE;
    }
    const err = toServiceError(e);
    if (json) io.stdout(`${JSON.stringify({ error: err }, null, 2)}\n`);
    io.stderr(`qwb: ${err.message}\n`);
    if (err.code === 'E_CANCELLED' || options.signal?.aborted) return EXIT_INTERRUPTED;
    return err.code === 'E_USAGE' ? EXIT_USAGE : EXIT_FAILED;
  }
}

/** Runs the CLI on this process's argv and stdio (bin/qwb.js, or `node dist/engine/cli/main.js`).
 *  The first SIGINT/SIGTERM aborts the running job through its AbortSignal (it stops at its next
 *  check, between batches, and exits 130); a second one exits 130 at once. A long-running command
 *  (a server) stops when opts.signal fires and returns normally. */
export function runFromProcess(): void {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(`\nqwb: ${sig}: cancelling the running job (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), isTTY: !!process.stderr.isTTY }, { signal: controller.signal }).then(
    (code) => {
      // A job stopped by the signal threw E_CANCELLED (-> 130); a command whose normal end is the
      // signal (a server) returns its own code.
      process.exitCode = code;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    (e) => {
      process.stderr.write(`qwb: ${(e as Error).message}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}

if (require.main === module) runFromProcess();
