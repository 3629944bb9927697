// `qwb serve [--port N]`: browser mode. Serves the window on 127.0.0.1 with a per-launch token in
// the printed URL, and runs until Ctrl+C (or SIGTERM).

import { startWebHost } from '../../host/web/server';
import { intOption, parseArgs, UsageError } from '../args';

export const SERVE_HELP = `  qwb serve [--port N] [--max-upload-mb N]
      browser mode: the workbench window at http://127.0.0.1:N/?token=... (default port 5180)
`;

export async function serveCommand(rest: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const p = parseArgs(rest, ['port', 'max-upload-mb'], []);
  if (p.positionals.length) throw new UsageError(`serve takes no arguments, got ${p.positionals.join(' ')}`);
  const port = intOption(p, 'port', 0);
  if (port !== undefined && port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const mb = intOption(p, 'max-upload-mb', 1);
  const host = await startWebHost({ port, maxUploadBytes: mb === undefined ? undefined : mb * 1024 * 1024, log: (l) => io.stderr(`qwb serve: ${l}\n`) });
  io.stdout(`Quant Workbench (browser mode): ${host.url}\n`);
  io.stdout('Open that URL in a browser on this machine; Ctrl+C stops the server.\n');
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void host.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
