// Every bad-data case gives a DataError with a code and a message naming the file; none of them
// kills the process (each test goes on after the failure), and cancelling gives an AbortError.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { checkAgainstModelInput, DataError, openDataset } from '../../engine/data';
import { bytesOf, collect, tempDir, writeIdx, writeNpy } from './helpers';

const dir = tempDir('errors');
const f = (name: string) => path.join(dir, name);
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Asserts that `p` rejects with a DataError of `code` whose message contains every `parts`. */
async function rejects(p: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const s of parts) assert.ok(e.message.includes(s), `'${e.message}' should mention '${s}'`);
    return true;
  });
}

test('missing files and folders', async () => {
  await rejects(openDataset({ kind: 'idx', images: f('nope.idx') }), 'DATA_MISSING', f('nope.idx'));
  await rejects(openDataset({ kind: 'npy', data: f('nope.npy') }), 'DATA_MISSING', f('nope.npy'));
  await rejects(openDataset({ kind: 'folder', root: f('nope') }), 'DATA_MISSING', f('nope'));
  writeIdx(f('ok.idx'), [2, 2, 2], new Uint8Array(8));
  await rejects(openDataset({ kind: 'idx', images: f('ok.idx'), labels: f('nolabels.idx') }), 'DATA_MISSING', f('nolabels.idx'));
});

test('wrong magic and unsupported dtypes', async () => {
  fs.writeFileSync(f('text.idx'), 'hello world, not an IDX file');
  await rejects(openDataset({ kind: 'idx', images: f('text.idx') }), 'DATA_FORMAT', f('text.idx'), 'magic');
  fs.writeFileSync(f('text.npy'), 'hello world, not an NPY file');
  await rejects(openDataset({ kind: 'npy', data: f('text.npy') }), 'DATA_FORMAT', f('text.npy'), 'magic');
  writeIdx(f('float.idx'), [1, 2, 2], new Uint8Array(16), true, 0x0d);
  await rejects(openDataset({ kind: 'idx', images: f('float.idx') }), 'DATA_DTYPE', f('float.idx'), 'float32', 'uint8');
  writeNpy(f('i16.npy'), '<i2', [1, 2, 2], new Uint8Array(8));
  await rejects(openDataset({ kind: 'npy', data: f('i16.npy') }), 'DATA_DTYPE', f('i16.npy'), '<i2', 'float32');
  writeNpy(f('x.npy'), '|u1', [2, 2, 2], new Uint8Array(8));
  writeNpy(f('flabels.npy'), '<f4', [2], bytesOf(Float32Array.from([0, 1])));
  await rejects(openDataset({ kind: 'npy', data: f('x.npy'), labels: f('flabels.npy') }), 'DATA_DTYPE', f('flabels.npy'), 'integers');
});

test('wrong-shaped data and labels counts', async () => {
  writeNpy(f('flat.npy'), '<f4', [3, 784], new Uint8Array(3 * 784 * 4));
  await rejects(openDataset({ kind: 'npy', data: f('flat.npy') }), 'DATA_SHAPE', f('flat.npy'), '(3, 784)', '(N,H,W)');
  writeNpy(f('c4.npy'), '|u1', [2, 4, 4, 4], new Uint8Array(128));
  await rejects(openDataset({ kind: 'npy', data: f('c4.npy') }), 'DATA_SHAPE', f('c4.npy'), '1 or 3 channels');
  writeIdx(f('labels-as-images.idx'), [5], new Uint8Array(5));
  await rejects(openDataset({ kind: 'idx', images: f('labels-as-images.idx') }), 'DATA_SHAPE', 'labels file');
  writeIdx(f('img.idx'), [3, 2, 2], new Uint8Array(12));
  writeIdx(f('lab4.idx'), [4], new Uint8Array(4));
  await rejects(openDataset({ kind: 'idx', images: f('img.idx'), labels: f('lab4.idx') }), 'DATA_LABELS', f('lab4.idx'), '4 labels', '3 items');
  writeNpy(f('neg.npy'), '<i4', [3], bytesOf(Int32Array.from([0, -1, 2])));
  await rejects(openDataset({ kind: 'idx', images: f('img.idx'), labels: f('neg.npy') }), 'DATA_LABELS', 'label 1 is -1');
  fs.writeFileSync(f('short.idx'), fs.readFileSync(f('img.idx')).subarray(0, 20));
  await rejects(openDataset({ kind: 'idx', images: f('short.idx') }), 'DATA_CORRUPT', f('short.idx'), 'truncated');
});

test('a truncated gzip IDX fails while streaming, naming the file', async () => {
  writeIdx(f('big.idx.gz'), [200, 8, 8], Uint8Array.from({ length: 200 * 64 }, (_, i) => (i * 31) % 251), true);
  const gz = fs.readFileSync(f('big.idx.gz'));
  fs.writeFileSync(f('cut.idx.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  const ds = await openDataset({ kind: 'idx', images: f('cut.idx.gz') });
  assert.equal(ds.count, 200);
  await rejects(collect(ds, 64), 'DATA_CORRUPT', f('cut.idx.gz'));
});

test('invalid preprocessing and sampling options', async () => {
  writeIdx(f('p.idx'), [3, 2, 2], new Uint8Array(12));
  await rejects(openDataset({ kind: 'idx', images: f('p.idx') }, { color: 'rgb', mean: [1, 2] }), 'DATA_SPEC', 'mean', '1 or 3');
  await rejects(openDataset({ kind: 'idx', images: f('p.idx') }, { std: [0] }), 'DATA_SPEC', 'std');
  await rejects(openDataset({ kind: 'idx', images: f('p.idx') }, { size: [0, 2] }), 'DATA_SPEC', 'size');
  await rejects(openDataset({ kind: 'idx', images: f('p.idx') }, {}, { count: 0 }), 'DATA_SPEC', 'count');
  const ds = await openDataset({ kind: 'idx', images: f('p.idx') });
  await rejects(collect(ds, 0), 'DATA_SPEC', 'batch size');
});

test('folders: empty, a .txt file, mixed sizes, a truncated PNG (named; the process goes on)', async () => {
  fs.mkdirSync(f('empty'));
  await rejects(openDataset({ kind: 'folder', root: f('empty') }), 'DATA_EMPTY', f('empty'));
  fs.mkdirSync(f('emptyclasses/a'), { recursive: true });
  await rejects(openDataset({ kind: 'folder', root: f('emptyclasses') }), 'DATA_EMPTY', f('emptyclasses'));

  const png = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#808080' } }).png().toBuffer();
  fs.mkdirSync(f('txt/a'), { recursive: true });
  fs.writeFileSync(f('txt/a/1.png'), png);
  fs.writeFileSync(f('txt/a/notes.txt'), 'not an image');
  await rejects(openDataset({ kind: 'folder', root: f('txt') }), 'DATA_FORMAT', f('txt/a/notes.txt'), 'PNG or JPEG');

  fs.mkdirSync(f('sizes'));
  fs.writeFileSync(f('sizes/1.png'), png);
  await sharp({ create: { width: 7, height: 5, channels: 3, background: '#808080' } }).png().toFile(f('sizes/2.png'));
  await rejects(collect(await openDataset({ kind: 'folder', root: f('sizes') }), 2), 'DATA_SHAPE', f('sizes/2.png'), '5x7', '--size');
  assert.equal((await collect(await openDataset({ kind: 'folder', root: f('sizes') }, { size: [4, 4] }), 2))[0].dims[0], 2);

  fs.mkdirSync(f('corrupt'));
  fs.writeFileSync(f('corrupt/1.png'), png);
  fs.writeFileSync(f('corrupt/2.png'), png.subarray(0, png.length - 20)); // truncated: header intact
  fs.writeFileSync(f('corrupt/3.png'), png);
  const ds = await openDataset({ kind: 'folder', root: f('corrupt') });
  assert.equal(ds.count, 3);
  await rejects(collect(ds, 1), 'DATA_CORRUPT', f('corrupt/2.png'));
  const first = await collect(await openDataset({ kind: 'folder', root: f('corrupt') }, {}, { count: 1 }), 1);
  assert.deepEqual(first[0].indices, [0], 'the process and the module keep working after the failure');
});

test('cancelling stops the iteration with an AbortError', async () => {
  writeIdx(f('many.idx'), [100, 4, 4], new Uint8Array(1600));
  const ds = await openDataset({ kind: 'idx', images: f('many.idx') });
  const ac = new AbortController();
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const b of ds.batches(10, ac.signal)) {
        seen += b.dims[0];
        if (seen === 20) ac.abort();
      }
    })(),
    (e: Error) => e.name === 'AbortError' && (e as DataError).code === 'ABORT_ERR' && e.message.includes(f('many.idx')),
  );
  assert.equal(seen, 20);
  await assert.rejects(collect(ds, 10, AbortSignal.abort()), { name: 'AbortError' });
});

test('checkAgainstModelInput: clear message with the flags to use; symbolic dims and flattened inputs', async () => {
  writeIdx(f('m.idx'), [2, 28, 28], new Uint8Array(2 * 784));
  const ds = await openDataset({ kind: 'idx', images: f('m.idx') });
  assert.throws(
    () => checkAgainstModelInput(ds, [1, 3, 224, 224], 'input'),
    { code: 'DATA_SHAPE', message: `data: ${f('m.idx')} gives 1x28x28 images but the model input 'input' expects 3x224x224; use --size 224,224 --rgb` },
  );
  assert.throws(() => checkAgainstModelInput(ds, ['N', 1, 32, 32], 'x'), /expects 1x32x32; use --size 32,32$/);
  assert.throws(() => checkAgainstModelInput(ds, [1, 10]), /expects 10 values per item/);
  assert.throws(() => checkAgainstModelInput(ds, [1, 1, 1, 28, 28]), /rank 5/);
  checkAgainstModelInput(ds, ['batch', 1, 28, 28]);
  checkAgainstModelInput(ds, [-1, 784]);
  checkAgainstModelInput(ds, [1, 28, 28]);
  const rgb = await openDataset({ kind: 'idx', images: f('m.idx') }, { color: 'rgb', size: [32, 32] });
  assert.throws(() => checkAgainstModelInput(rgb, [1, 1, 32, 32]), /gives 3x32x32 .* use --gray$/);
  checkAgainstModelInput(rgb, [1, 3, 'h', 'w']);
});
