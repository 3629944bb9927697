// Streamed IDX reading (MNIST format: 0x00 0x00 type rank, big-endian u32 dims, values), raw or gzip.
// Raw files are read at offsets; gzip files are decompressed in one forward pass that keeps only the
// record being assembled. ../idx.ts parses whole files (used here for the small labels files).

import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError, fsError } from '../errors';

export interface IdxHeader {
  file: string;
  gzip: boolean;
  shape: number[];
  /** Byte offset of the values in the (decompressed) stream. */
  dataOffset: number;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** file -> gunzip, with read errors forwarded to the gunzip stream (pipe alone drops them). */
function pipeGunzip(raw: fs.ReadStream): zlib.Gunzip {
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 18 });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

async function headBytes(file: string, n: number, gzip: boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const raw = fs.createReadStream(file);
  const stream = gzip ? pipeGunzip(raw) : raw;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
  } catch (e) {
    throw new DataError('DATA_CORRUPT', `data: ${file}: corrupt gzip data (${(e as Error).message})`);
  } finally {
    raw.destroy();
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** Reads and checks the header: uint8 values only. */
export async function readIdxHeader(file: string): Promise<IdxHeader> {
  let size: number;
  let magic: Buffer;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    size = st.size;
    const fh = await fs.promises.open(file, 'r');
    try {
      magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw fsError(e, file, 'IDX file');
  }
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const head4 = await headBytes(file, 4, gzip);
  if (head4.length < 4 || head4[0] !== 0 || head4[1] !== 0) {
    throw new DataError('DATA_FORMAT', `data: ${file} is not an IDX file (bad magic ${[...head4].map((b) => b.toString(16).padStart(2, '0')).join(' ')}; expected 00 00 08 <rank>)`);
  }
  const type = head4[2];
  if (type !== 0x08) {
    throw new DataError('DATA_DTYPE', `data: ${file} holds ${TYPE_NAMES[type] ?? `type 0x${type.toString(16)}`} values; only uint8 (0x08) IDX files are supported`);
  }
  const rank = head4[3];
  const head = await headBytes(file, 4 + 4 * rank, gzip);
  if (rank < 1 || head.length < 4 + 4 * rank) throw new DataError('DATA_CORRUPT', `data: ${file}: truncated IDX header`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(head.readUInt32BE(4 + 4 * i));
  const dataOffset = 4 + 4 * rank;
  if (!gzip) {
    const need = shape.reduce((a, b) => a * b, 1);
    if (size - dataOffset < need) {
      throw new DataError('DATA_CORRUPT', `data: ${file}: truncated IDX data: shape [${shape.join(',')}] needs ${need} bytes, found ${size - dataOffset}`);
    }
  }
  return { file, gzip, shape, dataOffset };
}

/** Yields record i (recordBytes bytes from dataOffset + i * recordBytes) for each of `indices` (ascending). */
export async function* readRecords(h: IdxHeader, recordBytes: number, indices: number[]): AsyncGenerator<{ index: number; bytes: Uint8Array }> {
  if (h.gzip) yield* readGzipRecords(h, recordBytes, indices);
  else yield* readRawRecords(h.file, h.dataOffset, recordBytes, indices);
}

/** Reads records from an uncompressed file at offsets, one read per run of consecutive indices. */
export async function* readRawRecords(file: string, dataOffset: number, recordBytes: number, indices: number[]): AsyncGenerator<{ index: number; bytes: Uint8Array }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (e) {
    throw fsError(e, file);
  }
  try {
    const maxRun = Math.max(1, Math.floor((1 << 20) / recordBytes));
    for (let k = 0; k < indices.length; ) {
      let run = 1;
      while (k + run < indices.length && run < maxRun && indices[k + run] === indices[k] + run) run++;
      const buf = new Uint8Array(run * recordBytes);
      const { bytesRead } = await fh.read(buf, 0, buf.length, dataOffset + indices[k] * recordBytes);
      if (bytesRead < buf.length) throw new DataError('DATA_CORRUPT', `data: ${file}: truncated at record ${indices[k] + Math.floor(bytesRead / recordBytes)}`);
      for (let r = 0; r < run; r++) yield { index: indices[k + r], bytes: buf.subarray(r * recordBytes, (r + 1) * recordBytes) };
      k += run;
    }
  } finally {
    await fh.close();
  }
}

async function* readGzipRecords(h: IdxHeader, recordBytes: number, indices: number[]): AsyncGenerator<{ index: number; bytes: Uint8Array }> {
  if (indices.length === 0) return;
  const raw = fs.createReadStream(h.file, { highWaterMark: 1 << 18 });
  const stream = pipeGunzip(raw);
  let off = 0; // decompressed offset of the current chunk
  let k = 0;
  let rec = new Uint8Array(recordBytes);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const end = off + chunk.length;
      while (k < indices.length) {
        const rs = h.dataOffset + indices[k] * recordBytes;
        const re = rs + recordBytes;
        if (rs >= end) break;
        const from = Math.max(rs, off);
        const to = Math.min(re, end);
        rec.set(chunk.subarray(from - off, to - off), from - rs);
        if (re > end) break;
        yield { index: indices[k], bytes: rec };
        rec = new Uint8Array(recordBytes);
        k++;
      }
      off = end;
      if (k === indices.length) return;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('DATA_CORRUPT', `data: ${h.file}: corrupt gzip data (${(e as Error).message})`);
  } finally {
    raw.destroy();
    stream.destroy();
  }
  throw new DataError('DATA_CORRUPT', `data: ${h.file}: truncated IDX data: record ${indices[k]} of shape [${h.shape.join(',')}] is past the end`);
}
