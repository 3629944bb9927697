// IDX files (MNIST / Fashion-MNIST format), raw or gzip-compressed: magic 0x0000 + type + rank,
// big-endian u32 dims, then the values. Only unsigned-byte data (type 0x08) is read, which is what
// image and label files hold.

import * as zlib from 'node:zlib';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses IDX bytes (gunzipped first when they start with the gzip magic); `file` names errors. */
export function parseIdx(bytes: Uint8Array, file = '<idx>'): IdxArray {
  let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`${file}: not an IDX file (bad magic)`);
  const type = buf[2];
  const rank = buf[3];
  if (type !== 0x08) throw new Error(`${file}: IDX data type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  if (rank < 1 || buf.length < 4 + 4 * rank) throw new Error(`${file}: truncated IDX header`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(buf.readUInt32BE(4 + 4 * i));
  const n = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length - start < n) throw new Error(`${file}: truncated IDX data: shape [${shape.join(',')}] needs ${n} bytes, found ${buf.length - start}`);
  return { shape, data: new Uint8Array(buf.subarray(start, start + n)) };
}
