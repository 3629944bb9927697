// IDX datasets: real Fashion-MNIST (gzip) from Debian, and small raw IDX files written here.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openDataset } from '../../engine/data';
import { close, collect, tempDir, writeIdx } from './helpers';

const DIR = '/usr/share/datasets/fashion-mnist';
const IMAGES = path.join(DIR, 't10k-images-idx3-ubyte.gz');
const LABELS = path.join(DIR, 't10k-labels-idx1-ubyte.gz');
const images = zlib.gunzipSync(fs.readFileSync(IMAGES)); // reference bytes, header 16 bytes
const labels = zlib.gunzipSync(fs.readFileSync(LABELS)); // header 8 bytes

test('Fashion-MNIST t10k: count, dims, labels and first image after preprocessing', async () => {
  const ds = await openDataset({ kind: 'idx', images: IMAGES, labels: LABELS }, { mean: [0.5], std: [0.25] }, { count: 5 });
  assert.equal(ds.total, 10000);
  assert.equal(ds.count, 5);
  assert.deepEqual(ds.itemDims, [1, 28, 28]);
  assert.equal(ds.hasLabels, true);
  const [b] = await collect(ds, 8);
  assert.deepEqual(b.dims, [5, 1, 28, 28]);
  assert.deepEqual(b.indices, [0, 1, 2, 3, 4]);
  assert.deepEqual([...b.labels!], [9, 2, 1, 1, 6]); // ankle boot, pullover, trouser, trouser, shirt
  const hand = Array.from({ length: 784 }, (_, i) => (images[16 + i] / 255 - 0.5) / 0.25);
  assert.ok(close(b.data.subarray(0, 784), hand), 'first image = (v/255 - 0.5) / 0.25');
  assert.ok(hand.some((v) => v > 0) && hand.some((v) => v === -2), 'the image has ink and background');
});

test('Fashion-MNIST t10k: all 10,000 stream in batches with the file labels', async () => {
  const ds = await openDataset({ kind: 'idx', images: IMAGES, labels: LABELS });
  let n = 0;
  for await (const b of ds.batches(1000)) {
    for (let k = 0; k < b.indices.length; k++) assert.equal(b.labels![k], labels[8 + b.indices[k]]);
    n += b.dims[0];
  }
  assert.equal(n, 10000);
});

test('Fashion-MNIST t10k: seeded random sample is reproducible, differs from first-N and reads the right items', async () => {
  const spec = { kind: 'idx' as const, images: IMAGES, labels: LABELS };
  const a = await collect(await openDataset(spec, {}, { count: 12, seed: 42 }), 5);
  const again = await collect(await openDataset(spec, {}, { count: 12, seed: 42 }), 5);
  const other = await collect(await openDataset(spec, {}, { count: 12, seed: 43 }), 5);
  const idx = a.flatMap((b) => b.indices);
  assert.deepEqual(a.map((b) => b.dims[0]), [5, 5, 2]);
  assert.deepEqual(idx, again.flatMap((b) => b.indices));
  assert.notDeepEqual(idx, other.flatMap((b) => b.indices));
  assert.notDeepEqual(idx, Array.from({ length: 12 }, (_, i) => i));
  assert.equal(new Set(idx).size, 12);
  assert.deepEqual(idx, [...idx].sort((x, y) => x - y));
  const last = a[2];
  const i = last.indices[1];
  assert.equal(last.labels![1], labels[8 + i]);
  const hand = Array.from({ length: 784 }, (_, p) => images[16 + i * 784 + p] / 255);
  assert.ok(close(last.data.subarray(784, 1568), hand));
});

test('raw (uncompressed) IDX of (N,H,W,C) RGB, random sample read at offsets, bgr and resize', async () => {
  const dir = tempDir('idx');
  const n = 50;
  const vals = Uint8Array.from({ length: n * 2 * 2 * 3 }, (_, i) => (i * 7) % 256);
  writeIdx(path.join(dir, 'x.idx'), [n, 2, 2, 3], vals);
  writeIdx(path.join(dir, 'y.idx'), [n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  const ds = await openDataset({ kind: 'idx', images: path.join(dir, 'x.idx'), labels: path.join(dir, 'y.idx') }, { color: 'bgr', scale: 1 }, { count: 7, seed: 1 });
  assert.deepEqual(ds.itemDims, [3, 2, 2]);
  const [b] = await collect(ds, 7);
  for (let k = 0; k < 7; k++) {
    const i = b.indices[k];
    assert.equal(b.labels![k], i % 10);
    for (let ch = 0; ch < 3; ch++) {
      for (let p = 0; p < 4; p++) assert.equal(b.data[k * 12 + ch * 4 + p], vals[i * 12 + p * 3 + (2 - ch)], `item ${i} channel ${ch} pixel ${p}`);
    }
  }
  const big = await openDataset({ kind: 'idx', images: path.join(dir, 'x.idx') }, { size: [5, 3], color: 'gray' }, { count: 3 });
  assert.deepEqual(big.itemDims, [1, 5, 3]);
  assert.equal(big.hasLabels, false);
  const [g] = await collect(big, 2);
  assert.deepEqual(g.dims, [2, 1, 5, 3]);
  assert.equal(g.labels, undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});
