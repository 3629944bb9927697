// File writes that never lose or corrupt a file: every output goes to a temporary file in the same
// folder, is flushed to disk (fsync) and renamed over the target, so a crash, a SIGINT, a full disk
// or a second writer leaves either the old file or the new one, never a mix or a truncated one.
// Folders are created one level at a time (Node's recursive mkdir spins forever under /proc).

import * as fs from 'node:fs';
import * as path from 'node:path';

/** An errno turned into words a user can act on, with the path. */
export function describeFsError(e: unknown, file: string, doing: string): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'a folder on the way does not exist',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    EEXIST: 'it already exists',
    ENAMETOOLONG: 'the name is too long',
    EMFILE: 'too many open files',
  };
  return `${file}: cannot ${doing} (${(err.code && why[err.code]) ?? err.message})`;
}

/** Creates `dir` and its missing parents, one mkdir each (never recursive), refusing to build
 *  inside the kernel's pseudo file systems. */
export function makeDirs(dir: string): void {
  const abs = path.resolve(dir);
  if (/^\/(proc|sys|dev)(\/|$)/.test(abs)) throw new Error(`${abs}: cannot create a folder under /${abs.split('/')[1]} (a kernel file system, not storage)`);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(describeFsError(e, cur, 'look at the folder'));
    }
    if (st) {
      if (!st.isDirectory()) throw new Error(`${cur}: cannot create ${abs} (${cur} is a file, not a folder)`);
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(describeFsError(e, d, 'create the folder'));
    }
  }
}

let counter = 0;

/** Writes `data` to `file` atomically (temporary file, fsync, rename); creates missing folders. On
 *  any failure the temporary file is removed and the previous `file`, if any, is left as it was. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  makeDirs(dir);
  const tmp = path.join(dir, `.${path.basename(abs).slice(0, 100)}.${process.pid}.${Date.now().toString(36)}${(counter++).toString(36)}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, abs);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new Error(describeFsError(e, abs, 'write'));
  }
  // The rename itself is durable once the folder's entry is on disk (best effort: not every file
  // system lets a folder be fsynced).
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // ignore
  }
}

/** Copies `src` to `dst` atomically (same guarantees as writeFileAtomic). */
export function copyFileAtomic(src: string, dst: string): void {
  writeFileAtomic(dst, fs.readFileSync(src));
}

/** Whether two paths name the same existing file (hard links and symlinks included). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}
