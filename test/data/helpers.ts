// Test helpers for engine/data: temp folders, tiny IDX/NPY writers, collecting a dataset's batches.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Batch, Dataset } from '../../engine/data';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qwb-data-${prefix}-`));
}

/** An IDX file of uint8 values (type 0x08), optionally gzip-compressed. */
export function writeIdx(file: string, shape: number[], values: Uint8Array, gzip = false, type = 0x08): void {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  const bytes = Buffer.concat([head, Buffer.from(values)]);
  fs.writeFileSync(file, gzip ? zlib.gzipSync(bytes) : bytes);
}

/** A version-1 .npy file; `body` holds the little-endian values. */
export function writeNpy(file: string, descr: string, shape: number[], body: Uint8Array): void {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(body.buffer, body.byteOffset, body.byteLength)]));
}

export const bytesOf = (a: Float32Array | Int32Array | BigInt64Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export async function collect(ds: Dataset, batchSize: number, signal?: AbortSignal): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(batchSize, signal)) out.push(b);
  return out;
}

export function close(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > eps) return false;
  return true;
}
