// NumPy .npz archives (numpy.savez / savez_compressed): a zip of NAME.npy members, stored or
// deflated. Read whole (calibration and evaluation sets of token ids are small); ZIP64 archives
// (members over 4 GB) are refused with a clear error.

import * as zlib from 'node:zlib';

import { parseNpy, type NpyArray } from '../npy';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Every member of an .npz, by array name (the member name without '.npy'), in archive order. */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not an .npz (zip) archive: no end-of-central-directory record`);
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || p === 0xffffffff) throw new Error(`${file}: ZIP64 archives are not supported (save smaller arrays)`);
  const out = new Map<string, NpyArray>();
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== CENTRAL) throw new Error(`${file}: corrupt zip central directory (entry ${k})`);
    const method = dv.getUint16(p + 10, true);
    const compressed = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = Buffer.from(bytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) throw new Error(`${file}: member '${name}' needs ZIP64, which is not supported`);
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== LOCAL) throw new Error(`${file}: corrupt zip local header of '${name}'`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + compressed);
    if (raw.length !== compressed) throw new Error(`${file}: member '${name}' is truncated`);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = new Uint8Array(zlib.inflateRawSync(raw));
      } catch (e) {
        throw new Error(`${file}: member '${name}' cannot be inflated: ${(e as Error).message}`);
      }
    } else throw new Error(`${file}: member '${name}' uses zip compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== size) throw new Error(`${file}: member '${name}' is ${data.length} bytes, its header says ${size}`);
    if (!name.endsWith('.npy')) throw new Error(`${file}: member '${name}' is not an .npy array`);
    const key = name.slice(0, -4);
    out.set(key, parseNpy(data, `${file}:${name}`));
  }
  return out;
}
