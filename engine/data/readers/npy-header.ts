// Streamed .npy reading: the header only, so that items can be read at offsets (../npy.ts parses
// whole files and is used for the small labels files).
//
// Accepted data arrays: little-endian float32 ('<f4') or uint8 ('|u1'), C order, of shape
//   (N, H, W)            -> 1 channel
//   (N, C, H, W)         -> NCHW, when C is 1 or 3
//   (N, H, W, C)         -> NHWC, when the last dim is 1 or 3 and dim 1 is not
// A rank-4 array whose dim 1 is 1 or 3 is read as NCHW (PyTorch's order) unless the spec says
// layout: 'nhwc'; neither dim being 1 or 3 is an error.

import * as fs from 'node:fs';
import { DataError, fsError } from '../errors';
import { parseNpyHeaderText } from '../npy';

export interface NpyHeader {
  file: string;
  dtype: 'f4' | 'u1';
  shape: number[];
  dataOffset: number;
  /** Item layout for rank-4 arrays; rank 3 reads as one channel. */
  layout: 'nchw' | 'nhwc';
  n: number;
  h: number;
  w: number;
  c: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export async function readNpyHeader(file: string, layout?: 'nchw' | 'nhwc'): Promise<NpyHeader> {
  let head: Buffer;
  let size: number;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    size = st.size;
    const fh = await fs.promises.open(file, 'r');
    try {
      const pre = Buffer.alloc(12);
      const { bytesRead } = await fh.read(pre, 0, 12, 0);
      if (bytesRead < 10 || MAGIC.some((b, i) => pre[i] !== b)) {
        throw new DataError('DATA_FORMAT', `data: ${file} is not a .npy file (bad magic; expected \\x93NUMPY)`);
      }
      const major = pre[6];
      if (major < 1 || major > 3) throw new DataError('DATA_FORMAT', `data: ${file}: unsupported .npy format version ${major} (expected 1, 2 or 3)`);
      const start = major === 1 ? 10 : 12;
      const len = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
      if (len > 1 << 20) throw new DataError('DATA_CORRUPT', `data: ${file}: .npy header length ${len} is implausible`);
      head = Buffer.alloc(start + len);
      const r = await fh.read(head, 0, head.length, 0);
      if (r.bytesRead < head.length) throw new DataError('DATA_CORRUPT', `data: ${file}: truncated .npy header`);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw fsError(e, file, '.npy file');
  }
  const start = head[6] === 1 ? 10 : 12;
  const text = head.subarray(start).toString('latin1');
  let header: { descr: string; fortran: boolean; shape: number[] };
  try {
    header = parseNpyHeaderText(text, `data: ${file}`);
  } catch (e) {
    throw new DataError('DATA_FORMAT', (e as Error).message);
  }
  const { descr, shape } = header;
  const dtype = descr === '<f4' ? 'f4' : descr === '|u1' || descr === '<u1' ? 'u1' : undefined;
  if (!dtype) throw new DataError('DATA_DTYPE', `data: ${file} holds '${descr}' values; supported: float32 ('<f4') or uint8 ('|u1')`);
  if (header.fortran) throw new DataError('DATA_FORMAT', `data: ${file} is in Fortran order; save it in C order (numpy.ascontiguousarray)`);
  const dataOffset = head.length;
  const shapeStr = `(${shape.join(', ')})`;
  let h: number, w: number, c: number, lay: 'nchw' | 'nhwc' = 'nchw';
  if (shape.length === 3) {
    [, h, w] = shape;
    c = 1;
  } else if (shape.length === 4) {
    const nchw = layout === 'nchw' || (layout === undefined && (shape[1] === 1 || shape[1] === 3));
    const nhwc = layout === 'nhwc' || (layout === undefined && !nchw && (shape[3] === 1 || shape[3] === 3));
    if (!nchw && !nhwc) {
      throw new DataError('DATA_SHAPE', `data: ${file} has shape ${shapeStr}; a rank-4 array needs 1 or 3 channels in dim 1 (N,C,H,W) or dim 3 (N,H,W,C)`);
    }
    lay = nchw ? 'nchw' : 'nhwc';
    [, h, w, c] = nchw ? [shape[0], shape[2], shape[3], shape[1]] : shape;
  } else {
    throw new DataError('DATA_SHAPE', `data: ${file} has shape ${shapeStr}; expected images (N,H,W), (N,C,H,W) or (N,H,W,C)`);
  }
  const n = shape[0];
  const need = shape.reduce((a, b) => a * b, 1) * (dtype === 'f4' ? 4 : 1);
  if (size - dataOffset < need) {
    throw new DataError('DATA_CORRUPT', `data: ${file}: truncated .npy data: shape ${shapeStr} of ${descr} needs ${need} bytes, found ${size - dataOffset}`);
  }
  return { file, dtype, shape, dataOffset, layout: lay, n, h, w, c };
}
