// External tensor data (TensorProto data_location EXTERNAL), read only from inside the model's own
// folder: a model is untrusted input, and its `location` must never reach the system's password
// file, /proc, a device of endless zeros or anything a symlink points to outside the folder. Only
// the declared byte range is read, after it was checked against the file's real size.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ExternalRef {
  location: string;
  offset?: string;
  length?: string;
}

/** A decimal byte count (ONNX stores them as strings), or undefined when absent. */
function byteCount(text: string | undefined, key: string, fail: (m: string) => never): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text.trim())) fail(`external data ${key} '${text}' is not a byte count`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) fail(`external data ${key} ${text} is too large`);
  return n;
}

/**
 * Reads `ref` relative to `baseDir`. `fail` throws an error naming the tensor. Refused: absolute
 * locations, `..` anywhere, a path that resolves (symlinks included) outside baseDir, anything but a
 * regular file, and an offset/length outside the file.
 */
export function readExternalData(ref: ExternalRef, baseDir: string, fail: (m: string) => never): Uint8Array {
  const loc = ref.location;
  if (loc.includes('\0')) fail(`external data location '${loc.replace(/\0/g, '\\0')}' holds a NUL byte`);
  if (path.isAbsolute(loc) || /^[A-Za-z]:[\\/]/.test(loc)) fail(`external data location '${loc}' is absolute; it must be a file inside the model's folder`);
  if (loc.split(/[\\/]+/).includes('..')) fail(`external data location '${loc}' leaves the model's folder ('..')`);
  let root: string;
  let real: string;
  try {
    root = fs.realpathSync(baseDir);
  } catch (e) {
    fail(`the model's folder ${baseDir} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const file = path.join(root, loc);
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(`external data file '${loc}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`} in ${root}`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) fail(`external data location '${loc}' resolves to ${real}, outside the model's folder ${root}`);
  // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
  if (!fs.statSync(real).isFile()) fail(`external data location '${loc}' is not a regular file`);
  const fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) fail(`external data location '${loc}' is not a regular file`);
    const offset = byteCount(ref.offset, 'offset', fail) ?? 0;
    const length = byteCount(ref.length, 'length', fail) ?? st.size - offset;
    if (offset > st.size || length < 0 || offset + length > st.size) {
      fail(`external data file '${loc}' holds ${st.size} bytes, but the tensor needs offset ${offset} + length ${length}`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, out, done, length - done, offset + done);
      if (n === 0) fail(`external data file '${loc}' ended after ${done} of ${length} bytes`);
      done += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
