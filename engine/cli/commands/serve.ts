// `qwb serve`: browser mode. Serves the window on 127.0.0.1 with a per-launch token in the printed
// URL, the engine in its own child process, until SIGINT/SIGTERM (the command's normal end: exit 0).

import { startWebHost } from '../../host/web/server';
import { UsageError } from '../args';
import type { CommandHandler } from './command';

export interface ServeRequest {
  port?: number;
  maxUploadBytes?: number;
}

export const serveCommand: CommandHandler<ServeRequest> = {
  request(p) {
    p.expectPositionals(0);
    const port = p.int('port', 0);
    if (port !== undefined && port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const mb = p.int('max-upload-mb', 1);
    return { port, maxUploadBytes: mb === undefined ? undefined : mb * 1024 * 1024 };
  },
  async execute(_service, req, opts, terminal) {
    const host = await startWebHost({ ...req, log: (l) => terminal.stderr(`qwb serve: ${l}\n`) });
    terminal.stdout(`Quant Workbench (browser mode): ${host.url}\n`);
    terminal.stdout('Open that URL in a browser on this machine; Ctrl+C stops the server.\n');
    await new Promise<void>((resolve) => {
      if (!opts.signal || opts.signal.aborted) return resolve();
      opts.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await host.close();
    return { value: { url: host.url, stopped: true }, text: 'qwb serve: stopped' };
  },
};
