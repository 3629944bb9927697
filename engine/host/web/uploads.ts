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

/** 'cats/01.png' -> ['cats', '01.png']; odd characters become '_', '..' and empty parts refused. */
export function safeSegments(name: string): string[] {
  const parts = name.split(/[\\/]+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new UploadError(400, 'upload: a file name is needed (?name=FILE)');
  if (parts.length > MAX_DEPTH) throw new UploadError(400, `upload: '${name}' is nested deeper than ${MAX_DEPTH} folders`);
  return parts.map((p) => {
    if (p === '.' || p === '..') throw new UploadError(400, `upload: '${name}' has a '${p}' part`);
    const s = p.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[.\s]+/, '_').slice(0, 120);
    return s;
  });
}

/** The file `name` goes to under `root`; throws when it would land outside. */
export function uploadTarget(root: string, group: string, name: string): string {
  if (!/^[a-z0-9-]{1,40}$/i.test(group)) throw new UploadError(400, `upload: group must be 1-40 letters, digits or '-', got '${group}'`);
  const base = path.resolve(root, group);
  const file = path.resolve(base, ...safeSegments(name));
  if (!file.startsWith(base + path.sep)) throw new UploadError(400, `upload: '${name}' leaves the upload folder`);
  return file;
}

/** Streams the request body to `file`, refusing bodies over `maxBytes` (nothing is left behind). */
export async function receiveUpload(req: IncomingMessage, file: string, maxBytes: number): Promise<number> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new UploadError(413, `upload: ${declared} bytes is over the ${maxBytes}-byte limit`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new UploadError(413, `upload: over the ${maxBytes}-byte limit`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    fs.rmSync(file, { force: true });
    if (e instanceof UploadError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UploadError(409, `upload: ${path.basename(file)} was already uploaded in this group`);
    throw new UploadError(400, `upload: ${(e as Error).message}`);
  }
  return seen;
}
