// NPY datasets written by the test: uint8 and float32, (N,H,W), (N,C,H,W), (N,H,W,C), labels of
// int64/int32/uint8, layout decision and override, resize + crop, colour conversion, mean/std.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset } from '../../engine/data';
import { bytesOf, close, collect, tempDir, writeNpy } from './helpers';

const dir = tempDir('npy');
const f = (name: string) => path.join(dir, name);
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

// 4 items of 3 channels, 2x3 pixels; value = item*100 + c*10 + y*3 + x
const N = 4, C = 3, H = 2, W = 3;
const chw = Float32Array.from({ length: N * C * H * W }, (_, i) => {
  const x = i % W, y = Math.floor(i / W) % H, c = Math.floor(i / (W * H)) % C, n = Math.floor(i / (W * H * C));
  return n * 100 + c * 10 + y * 3 + x;
});
const hwc = new Float32Array(chw.length);
for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) hwc[n * 18 + p * 3 + c] = chw[n * 18 + c * 6 + p];

test('uint8 (N,H,W) with int64 labels: gray, default scale 1/255', async () => {
  const u8 = Uint8Array.from({ length: 5 * 2 * 2 }, (_, i) => i * 12);
  writeNpy(f('u8.npy'), '|u1', [5, 2, 2], u8);
  writeNpy(f('l64.npy'), '<i8', [5], bytesOf(BigInt64Array.from([3n, 1n, 4n, 1n, 5n])));
  const ds = await openDataset({ kind: 'npy', data: f('u8.npy'), labels: f('l64.npy') });
  assert.deepEqual([ds.count, ...ds.itemDims], [5, 1, 2, 2]);
  const bs = await collect(ds, 2);
  assert.deepEqual(bs.map((b) => b.dims[0]), [2, 2, 1]);
  assert.deepEqual(bs.flatMap((b) => [...b.labels!]), [3, 1, 4, 1, 5]);
  assert.ok(close(bs[1].data, Array.from({ length: 8 }, (_, i) => ((8 + i) * 12) / 255)));
});

test('float32 NCHW and NHWC give the same batches; int32 and uint8 labels; scale 1 by default; mean/std per channel', async () => {
  writeNpy(f('nchw.npy'), '<f4', [N, C, H, W], bytesOf(chw));
  writeNpy(f('nhwc.npy'), '<f4', [N, H, W, C], bytesOf(hwc));
  writeNpy(f('l32.npy'), '<i4', [N], bytesOf(Int32Array.from([0, 1, 2, 1])));
  writeNpy(f('lu8.npy'), '|u1', [N], Uint8Array.from([0, 1, 2, 1]));
  const pre = { mean: [1, 2, 3], std: [2, 4, 8] };
  const a = await openDataset({ kind: 'npy', data: f('nchw.npy'), labels: f('l32.npy') }, pre);
  const b = await openDataset({ kind: 'npy', data: f('nhwc.npy'), labels: f('lu8.npy') }, pre);
  assert.deepEqual(a.itemDims, [3, 2, 3]);
  assert.deepEqual(b.itemDims, [3, 2, 3]);
  const [ba] = await collect(a, 4);
  const [bb] = await collect(b, 4);
  assert.deepEqual([...ba.labels!], [0, 1, 2, 1]);
  assert.deepEqual(ba.data, bb.data);
  assert.deepEqual(ba.labels, bb.labels);
  // item 2, channel 1 (green), pixel (1, 2): raw 2*100 + 10 + 5 = 215 -> (215 - 2) / 4
  assert.equal(ba.data[2 * 18 + 1 * 6 + 5], (215 - 2) / 4);
});

test('rank-4 layout: dim 1 of 1 or 3 reads NCHW, else NHWC; layout overrides', async () => {
  // (N, 3, 2, 3): dims 1 and 3 are both 3 -> NCHW by default
  writeNpy(f('amb.npy'), '<f4', [N, 3, 2, 3], bytesOf(chw));
  const d = await openDataset({ kind: 'npy', data: f('amb.npy') });
  assert.deepEqual(d.itemDims, [3, 2, 3]);
  // (N, 2, 3, 3) read as NHWC when asked: same values as nhwc.npy
  writeNpy(f('amb2.npy'), '<f4', [N, 2, 3, 3], bytesOf(hwc));
  const e = await openDataset({ kind: 'npy', data: f('amb2.npy'), layout: 'nhwc' });
  assert.deepEqual(e.itemDims, [3, 2, 3]);
  const [be] = await collect(e, 4);
  const [bd] = await collect(d, 4);
  assert.deepEqual(be.data, bd.data);
});

test('gray from RGB uses BT.601 luma; bgr reverses channels; rgb from gray replicates', async () => {
  // (1,1,1,3) would read as NCHW (dim 1 is 1): say nhwc
  writeNpy(f('px.npy'), '<f4', [1, 1, 1, 3], bytesOf(Float32Array.from([100, 50, 10])));
  const [g] = await collect(await openDataset({ kind: 'npy', data: f('px.npy'), layout: 'nhwc' }, { color: 'gray' }), 1);
  assert.ok(close(g.data, [0.299 * 100 + 0.587 * 50 + 0.114 * 10]));
  const [bgr] = await collect(await openDataset({ kind: 'npy', data: f('px.npy'), layout: 'nhwc' }, { color: 'bgr' }), 1);
  assert.deepEqual([...bgr.data], [10, 50, 100]);
  writeNpy(f('g.npy'), '<f4', [1, 1, 1], bytesOf(Float32Array.from([7])));
  const [rgb] = await collect(await openDataset({ kind: 'npy', data: f('g.npy') }, { color: 'rgb', mean: [1, 2, 3] }), 1);
  assert.deepEqual([...rgb.data], [6, 5, 4]);
});

test('resize: shorter side fits, then center crop; bilinear with half-pixel centres', async () => {
  writeNpy(f('row.npy'), '<f4', [1, 2, 4], bytesOf(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7])));
  const [crop] = await collect(await openDataset({ kind: 'npy', data: f('row.npy') }, { size: [2, 2] }), 1);
  assert.deepEqual(crop.dims, [1, 1, 2, 2]);
  assert.deepEqual([...crop.data], [1, 2, 5, 6]);
  writeNpy(f('two.npy'), '<f4', [1, 1, 2], bytesOf(Float32Array.from([0, 10])));
  const [up] = await collect(await openDataset({ kind: 'npy', data: f('two.npy') }, { size: [2, 4] }), 1);
  assert.deepEqual([...up.data], [0, 2.5, 7.5, 10, 0, 2.5, 7.5, 10]);
});
