// The system C/C++ compiler, run as a child process. The export builds with whatever g++ the
// machine has (Debian's, same as the addon's), so a missing compiler is a setup problem that the
// error names with the package to install.

import { execFile } from 'node:child_process';

export class CompilerMissingError extends Error {
  override name = 'CompilerMissingError';
}

export interface CompileResult {
  stdout: string;
  stderr: string;
}

/** The C++ compiler command: $CXX when set, else g++. */
export function cxx(): string {
  return process.env.CXX && process.env.CXX.trim() ? process.env.CXX.trim() : 'g++';
}

/** Runs a tool; ENOENT becomes CompilerMissingError, a non-zero exit an Error with its stderr. */
export function runTool(tool: string, args: string[], opts: { cwd?: string; what: string; installHint?: string }): Promise<CompileResult> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new CompilerMissingError(`${opts.what}: '${tool}' was not found; install a compiler with: apt-get install ${opts.installHint ?? 'g++'}`));
          return;
        }
        const tail = String(stderr || err.message).split('\n').slice(-40).join('\n');
        reject(new Error(`${opts.what} failed (${tool} ${args.slice(0, 6).join(' ')} ...):\n${tail}`));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `g++ --version`'s first line; throws CompilerMissingError when there is none. */
export async function compilerVersion(tool = cxx()): Promise<string> {
  const r = await runTool(tool, ['--version'], { what: 'checking the C++ compiler' });
  return r.stdout.split('\n')[0].trim();
}

/** Runs jobs with at most `limit` in flight (parallel compiles on few cores). */
export async function runLimited<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return out;
}
