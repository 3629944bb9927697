import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';

import { formatNpy, parseNpy } from '../../engine/data/npy';
import { parseIdx } from '../../engine/data/idx';

/** Hand-made .npy bytes with the given header dict and body. */
function npy(header: string, body: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(Buffer.from(h, 'latin1'), pre);
  out.set(body, pre + h.length);
  return out;
}

test('formatNpy output parses back (float32, C order)', () => {
  const data = new Float32Array([1, -2.5, 3, 4, 5, 6]);
  const arr = parseNpy(formatNpy([2, 3], data));
  assert.equal(arr.dtype, 'f4');
  assert.deepEqual(arr.shape, [2, 3]);
  assert.deepEqual(Array.from(arr.data), Array.from(data));
  assert.deepEqual(parseNpy(formatNpy([], new Float32Array([7]))).shape, []);
  assert.deepEqual(parseNpy(formatNpy([3], new Float32Array(3))).shape, [3]);
});

test('reads v2/v3 headers and integer, double and bool dtypes', () => {
  const i8 = new BigInt64Array([5n, -6n]);
  const a = parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(i8.buffer), 2));
  assert.deepEqual(Array.from(a.data), [5, -6]);
  const f8 = new Float64Array([0.25, 1e300]);
  const b = parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", new Uint8Array(f8.buffer), 3));
  assert.deepEqual(Array.from(b.data), [0.25, 1e300]);
  const c = parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([1, 0, 1])));
  assert.equal(c.dtype, 'b1');
  const u1 = parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([255, 7])));
  assert.deepEqual(Array.from(u1.data), [255, 7]);
  const i2 = parseNpy(npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(new Int16Array([-300]).buffer)));
  assert.deepEqual(Array.from(i2.data), [-300]);
});

test('transposes Fortran-ordered arrays into C order', () => {
  // Column-major [[1,2,3],[4,5,6]] is stored 1,4,2,5,3,6.
  const body = new Float32Array([1, 4, 2, 5, 3, 6]);
  const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(body.buffer)));
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6]);
});

test('npy errors name the file', () => {
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy'), /x\.npy: not a \.npy file/);
  const short = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(8));
  assert.throws(() => parseNpy(short, 'short.npy'), /short\.npy: truncated \.npy data/);
  const cplx = npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  assert.throws(() => parseNpy(cplx, 'c.npy'), /c\.npy: unsupported \.npy dtype '<c8'/);
  const big = npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
  assert.throws(() => parseNpy(big, 'b.npy'), /b\.npy: big-endian/);
});

function idx(shape: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

test('reads raw and gzipped IDX files', () => {
  const raw = idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const a = parseIdx(raw, 'a.idx');
  assert.deepEqual(a.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  const b = parseIdx(zlib.gzipSync(raw), 'a.idx.gz');
  assert.deepEqual(Array.from(b.data), Array.from(a.data));
});

test('IDX errors name the file', () => {
  assert.throws(() => parseIdx(Buffer.from([1, 2, 3, 4]), 'bad.idx'), /bad\.idx: not an IDX file/);
  assert.throws(() => parseIdx(idx([10], [1, 2]), 'cut.idx'), /cut\.idx: truncated IDX data/);
  const f = idx([1], [0]);
  f[2] = 0x0d;
  assert.throws(() => parseIdx(f, 'float.idx'), /float\.idx: IDX data type 0xd is not supported/);
  assert.throws(() => parseIdx(Buffer.from([0x1f, 0x8b, 0, 0]), 'z.gz'), /z\.gz: corrupt gzip data/);
});
