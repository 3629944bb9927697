// Labels files for IDX/NPY datasets: an IDX uint8 vector (MNIST's *-labels-idx1-ubyte[.gz]) or a
// .npy integer vector (int64, int32, uint8, ...), told apart by magic. Small: read whole, and a
// gzip stream is inflated only up to what `expectedCount` labels can take (a .gz that claims 3e9
// labels once inflated without bound while the images streamed).

import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError, fsError } from './errors';
import { parseIdx } from './idx';
import { parseNpy } from './npy';

const INTEGER = new Set(['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']);

export async function loadLabels(file: string, expectedCount: number, dataFile: string): Promise<Int32Array> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw fsError(e, file, 'labels file');
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // IDX: 4 magic + 4 per dim (rank <= 2) + 1 byte per label; NPY: header (< 64 KiB) + 8 per label.
    const most = 65536 + 8 * expectedCount + 16;
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: most });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new DataError('DATA_LABELS', `data: labels ${file} inflate to more than ${most} bytes, far more than ${expectedCount} labels (the items of ${dataFile}) need`);
      throw new DataError('DATA_CORRUPT', `data: labels ${file}: not a valid gzip stream (${(e as Error).message})`);
    }
  }
  const isNpy = bytes.length >= 6 && bytes[0] === 0x93 && bytes.subarray(1, 6).toString('latin1') === 'NUMPY';
  let shape: number[];
  let values: ArrayLike<number>;
  try {
    if (isNpy) {
      const a = parseNpy(bytes, file);
      if (!INTEGER.has(a.dtype)) throw new DataError('DATA_DTYPE', `data: labels ${file} hold '${a.dtype}' values; expected integers (int64, int32 or uint8)`);
      shape = a.shape;
      values = a.data;
    } else {
      const a = parseIdx(bytes, file);
      shape = a.shape;
      values = a.data;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    const msg = (e as Error).message;
    const code = /not supported|dtype/.test(msg) ? 'DATA_DTYPE' : /magic/.test(msg) ? 'DATA_FORMAT' : 'DATA_CORRUPT';
    throw new DataError(code, `data: labels ${msg.startsWith(file) ? msg : `${file}: ${msg}`}`);
  }
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    throw new DataError('DATA_LABELS', `data: labels ${file} have shape [${shape.join(',')}]; expected one label per item, shape [N]`);
  }
  if (shape[0] !== expectedCount) {
    throw new DataError('DATA_LABELS', `data: labels ${file} hold ${shape[0]} labels but ${dataFile} holds ${expectedCount} items; expected the same count`);
  }
  const out = new Int32Array(shape[0]);
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new DataError('DATA_LABELS', `data: labels ${file}: label ${i} is ${v}; expected a class index >= 0`);
    }
    out[i] = v;
  }
  return out;
}
