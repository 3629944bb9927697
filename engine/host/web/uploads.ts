// Uploads of dropped files into the launch's workspace: names are reduced to safe segments and
// resolved inside the upload folder (a name never escapes it), sizes are capped while streaming.

import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 6;
/** Longest part kept (bytes: parts are ASCII after sanitising); longer ones keep their extension. */
const MAX_PART = 120;

/** A name as an error message shows it: bounded, control characters visible. */
const shown = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);

function shorten(part: string): string {
  if (part.length <= MAX_PART) return part;
  const ext = /\.[A-Za-z0-9]{1,15}$/.exec(part)?.[0] ?? '';
  return part.slice(0, MAX_PART - ext.length) + ext;
}

/** 'cats/01.png' -> ['cats', '01.png']: split at / and \\ (an absolute path becomes relative), odd
 *  characters (NUL, control, non-ASCII, ':') become '_', a leading dot too (no hidden files),
 *  parts longer than MAX_PART are cut keeping their extension; '.' and '..' parts are refused. */
export function safeSegments(name: string): string[] {
  const parts = name.split(/[\\/]+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new UploadError(400, 'upload: a file name is needed (?name=FILE)');
  if (parts.length > MAX_DEPTH) throw new UploadError(400, `upload: ${shown(name)} is nested deeper than ${MAX_DEPTH} folders`);
  return parts.map((p) => {
    if (p === '.' || p === '..') throw new UploadError(400, `upload: ${shown(name)} has a '${p}' part`);
    return shorten(p.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[.\s]+/, '_'));
  });
}

/** The file `name` goes to under `root`; throws when it would land outside. */
export function uploadTarget(root: string, group: string, name: string): string {
  if (!/^[a-z0-9-]{1,40}$/i.test(group)) throw new UploadError(400, `upload: group must be 1-40 letters, digits or '-', got ${shown(group)}`);
  const base = path.resolve(root, group);
  const file = path.resolve(base, ...safeSegments(name));
  if (!file.startsWith(base + path.sep)) throw new UploadError(400, `upload: ${shown(name)} leaves the upload folder`);
  return file;
}

/** Removes the folders from `deepest` up to `top` (both included) that are empty. */
function removeEmptyFolders(deepest: string, top: string | undefined): void {
  if (!top) return;
  for (let d = deepest; d.length >= top.length; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (another upload of the group), or gone
    }
    if (d === top) return;
  }
}

/** Streams the request body to `file`, refusing bodies over `maxBytes`. A refused or broken upload
 *  leaves nothing: not its file, nor the folders made for it (another upload's file is never
 *  touched, even one of the same name). */
export async function receiveUpload(req: IncomingMessage, file: string, maxBytes: number): Promise<number> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new UploadError(413, `upload: ${declared} bytes is over the ${maxBytes}-byte limit`);
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new UploadError(413, `upload: over the ${maxBytes}-byte limit`));
      else cb(null, chunk);
    },
  });
  let madeFolder: string | undefined;
  try {
    madeFolder = fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UploadError(409, `upload: the folder of ${path.basename(file)} clashes with a file uploaded before in this group`);
    throw new UploadError(code === 'ENOSPC' ? 507 : 400, `upload: cannot make the folder of ${path.basename(file)} (${code ?? 'unknown error'})`);
  }
  let created = false;
  try {
    const out = fs.createWriteStream(file, { flags: 'wx' });
    out.once('open', () => (created = true));
    await pipeline(req, counter, out);
  } catch (e) {
    if (created) fs.rmSync(file, { force: true });
    removeEmptyFolders(path.dirname(file), madeFolder);
    if (e instanceof UploadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UploadError(409, `upload: ${path.basename(file)} was already uploaded in this group`);
    if (code === 'EISDIR') throw new UploadError(409, `upload: ${path.basename(file)} is a folder of an upload before in this group`);
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new UploadError(507, 'upload: the disk of the workspace is full');
    throw new UploadError(400, `upload of ${path.basename(file)} did not finish (${code ?? 'the connection closed'})`);
  }
  return seen;
}
