// A signal sent to the `npx qwb` process alone (not its process group) stops the job, leaving
// nothing behind (no output, no partial or temporary file in the output's folder). npm forwards
// SIGINT/SIGTERM to the shell it runs the command in: the project's .npmrc makes that bash, which
// execs qwb, so qwb gets the signal itself (exit 130, as for a direct signal:
// test/engine/cli-help.test.ts). Where a shell stays in between (sh, i.e. dash: it dies of a
// SIGTERM without passing it on) or npm is killed outright, bin/qwb.js sees its parent go and
// cancels the job the same way. (dash also swallows a SIGINT while it waits, and stays: with sh as
// npm's script shell that case is not covered.)

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..', '..');
const DEMO = path.join(ROOT, 'assets', 'demo');

const npx = spawnSync('npx', ['--version'], { encoding: 'utf8' });
const skip = npx.status === 0 ? (fs.existsSync('/proc/self/stat') ? undefined : 'needs /proc (Linux)') : 'npx is not on PATH';

/** Pids of every process below `root` (from /proc), with their command lines. */
function descendants(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${c}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      out.push({ pid: c, cmd });
      walk(c);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, get: () => T | undefined, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CASES: { signal: NodeJS.Signals; shell?: string; how: string }[] = [
  { signal: 'SIGINT', how: 'forwarded by npm to qwb itself' },
  { signal: 'SIGTERM', how: 'forwarded by npm to qwb itself' },
  { signal: 'SIGKILL', how: 'npm killed outright: qwb sees its parent go' },
  { signal: 'SIGTERM', shell: '/bin/sh', how: 'sh in between dies of it: qwb sees its parent go' },
];

for (const { signal, shell, how } of CASES) {
  test(`${signal} to the npx process alone${shell ? ` (script shell ${shell})` : ''} stops the qwb job within seconds and leaves nothing (${how})`, { skip }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-npx-'));
    const out = path.join(dir, 'out', 'model.int8.onnx');
    fs.mkdirSync(path.dirname(out));
    // Entropy on 1,000 samples: tens of seconds on this machine, so the job is mid-way when signalled.
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false' };
    delete env.npm_config_script_shell;
    if (shell) env.npm_config_script_shell = shell;
    const child = spawn(
      'npx',
      ['--offline', 'qwb', 'quantize', path.join(DEMO, 'fashion_resnet.onnx'), '--calib', path.join(DEMO, 'sample-images-idx3-ubyte.gz'), '--calib-count', '1000', '--method', 'entropy', '--mean', '0.286', '--std', '0.353', '--out', out],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    // Ends when every writer is gone (npm and qwb, which inherited the pipe).
    const stderrClosed = new Promise<void>((resolve) => child.stderr!.on('close', () => resolve()));
    child.stdout!.resume();
    try {
      const qwb = await until('the qwb process under npx', () => descendants(child.pid!).find((p) => /\bqwb(\.js)? quantize /.test(p.cmd) && p.cmd.startsWith('node')), 30_000);
      // In its calibration by now: it has loaded the model and started reading the data.
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(alive(qwb.pid), `qwb is running (${err})`);
      const t0 = Date.now();
      process.kill(child.pid!, signal); // the npx process alone, not its group
      await until('qwb to stop', () => (alive(qwb.pid) ? undefined : true), 10_000);
      const stoppedMs = Date.now() - t0;
      process.stdout.write(`# ${signal} to npx: qwb stopped ${stoppedMs} ms later\n`);
      assert.ok(stoppedMs < 5000, `qwb stopped ${stoppedMs} ms after the signal`);
      await until('npx to exit', () => (child.exitCode !== null || child.signalCode !== null ? true : undefined), 10_000);
      await stderrClosed;
      assert.match(err, new RegExp(`qwb: ${signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM'}: cancelling the running job`));
      if (signal === 'SIGKILL' || shell) assert.match(err, /the npm process that started this one is gone/);
      assert.match(err, /was cancelled|: cancelled/);
      // npm passes the job's exit on where it is still there to see it: 130, interrupted.
      if (signal !== 'SIGKILL' && !shell) assert.ok(child.exitCode === 130 || child.signalCode === signal, `npx: ${child.exitCode} ${child.signalCode}`);
      assert.deepEqual(fs.readdirSync(path.dirname(out)), [], 'nothing left in the output folder');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
