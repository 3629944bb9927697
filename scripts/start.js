#!/usr/bin/env node
// `npm start`: the Electron window where Electron's binary is installed; otherwise (or with
// `npm start -- --web`) browser mode, `qwb serve`, which prints the URL to open.
// Other arguments (--port N) go to qwb serve.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const web = args.includes('--web');
const rest = args.filter((a) => a !== '--web');

function electronBinary() {
  try {
    const p = require('electron'); // the binary's path; throws when the download never happened
    return typeof p === 'string' && fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => () => child.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}

const electron = web ? undefined : electronBinary();
if (electron) {
  // Chromium refuses to run as root with its sandbox on; the renderer still runs with sandbox: true.
  run(electron, [root, ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [])]);
} else {
  if (!web) console.log("Electron's binary is not installed here (set-up could not download it): starting browser mode instead.");
  run(process.execPath, [path.join(root, 'bin', 'qwb.js'), 'serve', ...rest]);
}
