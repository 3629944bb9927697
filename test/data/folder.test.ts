// Image-folder datasets written with sharp: class subfolders (PNG + JPEG, nested), a flat folder,
// resize + crop, gray / rgb / bgr channel order, mean / std.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../engine/data';
import { close, collect, tempDir } from './helpers';

const root = tempDir('folder');
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

function solid(w: number, h: number, rgb: [number, number, number]): sharp.Sharp {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
}

const RED: [number, number, number] = [200, 40, 10];
const BLUE: [number, number, number] = [20, 60, 240];

test.before(async () => {
  for (const d of ['dog', 'cat', 'dog/more']) fs.mkdirSync(path.join(root, d), { recursive: true });
  await solid(6, 4, RED).png().toFile(path.join(root, 'cat', 'a.png'));
  await solid(6, 4, RED).jpeg({ quality: 95 }).toFile(path.join(root, 'cat', 'b.JPG'));
  await solid(6, 4, BLUE).png().toFile(path.join(root, 'dog', 'c.png'));
  await solid(6, 4, BLUE).jpeg().toFile(path.join(root, 'dog', 'more', 'd.jpeg'));
  fs.writeFileSync(path.join(root, 'dog', '.DS_Store'), 'hidden files are skipped');
});

const classes = () => ({ kind: 'folder' as const, root });

test('class subfolders: sorted names give labels, nested images count, PNG and JPEG decode', async () => {
  const ds = await openDataset({ kind: 'folder', root: path.join(root, 'cat') }, {});
  assert.equal(ds.hasLabels, false, 'a folder of images (no subfolders) has no labels');
  assert.equal(ds.count, 2);
  const c = await openDataset(classes(), {});
  assert.deepEqual(c.classes, ['cat', 'dog']);
  assert.equal(c.count, 4);
  assert.deepEqual(c.itemDims, [3, 4, 6]);
  const bs = await collect(c, 3);
  assert.deepEqual(bs.map((b) => b.dims), [[3, 3, 4, 6], [1, 3, 4, 6]]);
  assert.deepEqual(bs.flatMap((b) => [...b.labels!]), [0, 0, 1, 1]);
  // cat/a.png is lossless: every pixel is RED / 255 in R, G, B planes
  const a = bs[0].data.subarray(0, 72);
  assert.ok(close(a.subarray(0, 24), new Array(24).fill(RED[0] / 255)));
  assert.ok(close(a.subarray(24, 48), new Array(24).fill(RED[1] / 255)));
  assert.ok(close(a.subarray(48, 72), new Array(24).fill(RED[2] / 255)));
  // the JPEG is close to RED
  assert.ok(close(bs[0].data.subarray(72, 96), new Array(24).fill(RED[0] / 255), 0.05));
});

test('resize + crop dims, bgr and gray channel order, mean / std', async () => {
  const ds = await openDataset(classes(), { size: [3, 3], color: 'bgr', mean: [0.5], std: [0.5] }, { count: 1 });
  assert.deepEqual(ds.itemDims, [3, 3, 3]);
  const [b] = await collect(ds, 4);
  assert.deepEqual(b.dims, [1, 3, 3, 3]);
  const want = [RED[2], RED[1], RED[0]].flatMap((v) => new Array(9).fill((v / 255 - 0.5) / 0.5));
  assert.ok(close(b.data, want, 1e-4));
  const g = await openDataset(classes(), { size: [2, 5], color: 'gray' }, { count: 1 });
  assert.deepEqual(g.itemDims, [1, 2, 5]);
  const [gb] = await collect(g, 1);
  assert.ok(close(gb.data, new Array(10).fill((0.299 * RED[0] + 0.587 * RED[1] + 0.114 * RED[2]) / 255), 1e-3));
});

test('a 1-channel PNG defaults to gray; rgb replicates it; values follow the file', async () => {
  const flat = tempDir('flat'); // a gray PNG with a gradient 0, 10, 20, ...
  await sharp(Uint8Array.from({ length: 24 }, (_, i) => i * 10), { raw: { width: 6, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(flat, 'g.png'));
  const g = await openDataset({ kind: 'folder', root: flat }, { scale: 1 });
  assert.deepEqual(g.itemDims, [1, 4, 6]);
  assert.equal(g.hasLabels, false);
  assert.equal(g.classes, undefined);
  const [b] = await collect(g, 1);
  assert.deepEqual([...b.data], Array.from({ length: 24 }, (_, i) => i * 10));
  const [r] = await collect(await openDataset({ kind: 'folder', root: flat }, { color: 'rgb', scale: 1 }), 1);
  assert.deepEqual(r.dims, [1, 3, 4, 6]);
  assert.deepEqual([...r.data.subarray(24, 48)], [...b.data]);
  fs.rmSync(flat, { recursive: true, force: true });
});
