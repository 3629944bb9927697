// Nothing lost: outputs are written atomically (temporary file, fsync, rename), so a full disk,
// SIGINT/SIGKILL during a write or two writers to one path leave the old file or a whole new one;
// an output that is one of the job's inputs is refused; an export never replaces files in a folder
// without --force; a folder under /proc fails at once instead of spinning.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { writeFileAtomic } from '../../engine/safe-fs';

const root = path.resolve(__dirname, '..', '..', '..');
const qwb = path.join(root, 'bin', 'qwb.js');
const demo = path.join(root, 'assets', 'demo', 'fashion_resnet.onnx');
const images = path.join(root, 'assets', 'demo', 'sample-images-idx3-ubyte.gz');
const NORM = ['--mean', '0.286', '--std', '0.353'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [qwb, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-files-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A small tmpfs where root may mount one (the honest full disk), else undefined. */
function smallDisk(kb: number): string | undefined {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', mnt], { encoding: 'utf8' });
  if (r.status === 0) return mnt;
  fs.rmdirSync(mnt);
  return undefined;
}

describe('a full disk keeps the previous file', () => {
  let mnt: string | undefined;
  before(() => {
    mnt = smallDisk(512);
  });
  after(() => {
    if (mnt) {
      spawnSync('umount', [mnt]);
      fs.rmdirSync(mnt);
    }
  });

  it('writeFileAtomic on a full disk: a clear error, the old file intact, no temporary left', (t) => {
    if (!mnt) return t.skip('cannot mount a tmpfs here (not root, or no mount privilege); the RLIMIT_FSIZE case below covers the same');
    const file = path.join(mnt, 'model.onnx');
    writeFileAtomic(file, Buffer.alloc(200 * 1024, 1));
    const before = sha(file);
    assert.throws(() => writeFileAtomic(file, Buffer.alloc(400 * 1024, 2)), /model\.onnx: cannot write \(no space left on the device\)/);
    assert.equal(sha(file), before);
    assert.deepEqual(leftovers(mnt), []);
  });

  it('qwb quantize --out on a full disk: exit 1 naming the file, the old model intact', (t) => {
    if (!mnt) return t.skip('cannot mount a tmpfs here');
    const file = path.join(mnt, 'demo.int8.onnx');
    fs.writeFileSync(file, Buffer.alloc(300 * 1024, 7)); // 300 KB used: the 243 KB QDQ model does not fit next to it
    const before = sha(file);
    const r = cli('quantize', demo, '--calib', images, '--calib-count', '16', ...NORM, '--out', file);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /demo\.int8\.onnx: cannot write \(no space left on the device\)/);
    assert.equal(sha(file), before);
    assert.deepEqual(leftovers(mnt), []);
  });
});

it('a write cut off by the file-size limit (SIGXFSZ kills the writer) leaves the old file whole', () => {
  // RLIMIT_FSIZE works without privileges: the process dies during the write, as with a power cut.
  const file = path.join(dir, 'big.bin');
  fs.writeFileSync(file, 'old contents');
  const script = `require(${JSON.stringify(path.join(root, 'dist', 'engine', 'safe-fs.js'))}).writeFileAtomic(${JSON.stringify(file)}, Buffer.alloc(4 << 20, 3))`;
  const r = spawnSync('bash', ['-c', `ulimit -f 1024; exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'the writer must have failed');
  assert.equal(fs.readFileSync(file, 'utf8'), 'old contents');
});

describe('quantize outputs under interruption and concurrency', () => {
  const refs: Record<string, string> = {};
  before(() => {
    for (const method of ['minmax', 'percentile']) {
      const out = path.join(dir, `ref-${method}.onnx`);
      const r = cli('quantize', demo, '--calib', images, '--calib-count', '32', '--method', method, ...NORM, '--out', out);
      assert.equal(r.code, 0, r.err);
      refs[method] = sha(out);
    }
  });

  it('two writers to one --out: both succeed and the file is one of the two, whole', async () => {
    const out = path.join(dir, 'shared.onnx');
    const run = (method: string) =>
      new Promise<number>((resolve) => {
        const p = spawn(process.execPath, [qwb, 'quantize', demo, '--calib', images, '--calib-count', '32', '--method', method, ...NORM, '--out', out], { stdio: 'ignore' });
        p.on('exit', (code) => resolve(code ?? -1));
      });
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all([run('minmax'), run('percentile')]);
      assert.deepEqual(codes, [0, 0]);
      assert.ok([refs.minmax, refs.percentile].includes(sha(out)), `round ${round}: the file matches neither writer's output`);
      assert.deepEqual(leftovers(dir), []);
    }
  });

  it('SIGINT or SIGKILL at any moment: the output is absent, the old file, or the new one whole', async () => {
    const out = path.join(dir, 'killed.onnx');
    fs.writeFileSync(out, 'previous');
    const allowed = new Set([crypto.createHash('sha256').update('previous').digest('hex'), refs.minmax]);
    for (const [signal, ms] of [['SIGINT', 400], ['SIGKILL', 600], ['SIGINT', 900], ['SIGKILL', 1200], ['SIGINT', 1500]] as const) {
      const p = spawn(process.execPath, [qwb, 'quantize', demo, '--calib', images, '--calib-count', '32', ...NORM, '--out', out], { stdio: 'ignore' });
      const timer = setTimeout(() => p.kill(signal), ms);
      const [code, by] = await new Promise<[number | null, string | null]>((resolve) => p.on('exit', (c, s) => resolve([c, s])));
      clearTimeout(timer);
      // Before the CLI installs its handler the default action ends the process (by = SIGINT).
      if (signal === 'SIGINT' && code !== 0) assert.ok(code === 130 || by === 'SIGINT', `SIGINT: exit code ${code}, signal ${by}`);
      assert.ok(allowed.has(sha(out)), `${signal} after ${ms} ms: ${out} is neither the old file nor a whole new one`);
    }
  });
});

it('an output that is one of the job\'s inputs is refused before any work', () => {
  const copy = path.join(dir, 'model.onnx');
  fs.copyFileSync(demo, copy);
  const before = sha(copy);
  const q = cli('quantize', copy, '--calib', images, ...NORM, '--out', copy);
  assert.equal(q.code, 2, q.err);
  assert.match(q.err, /--out .*model\.onnx is the job's model/);
  const link = path.join(dir, 'calib-link.gz');
  fs.symlinkSync(images, link);
  const c = cli('quantize', copy, '--calib', images, ...NORM, '--out', link);
  assert.equal(c.code, 2, c.err);
  assert.match(c.err, /is the job's calibration data/);
  assert.equal(sha(copy), before);
  const npy = path.join(dir, 'in.npy');
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 28, 28), }";
  const pad = 64 - ((10 + header.length + 1) % 64);
  fs.writeFileSync(npy, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([header.length + pad + 1, 0]), Buffer.from(header + ' '.repeat(pad) + '\n'), Buffer.alloc(784 * 4)]));
  const npyBefore = sha(npy);
  const r = cli('run', copy, '--input', npy, '--output', npy);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--output .* is the job's --input/);
  assert.equal(sha(npy), npyBefore);
});

it('export --format so into a folder holding its files needs --force; nothing is touched without it', () => {
  const out = path.join(dir, 'so');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'README.md'), 'my notes');
  fs.writeFileSync(path.join(out, 'other.txt'), 'unrelated');
  const r = cli('export', demo, '--format', 'so', '--out', out);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /already holds README\.md: an export would replace it \(use --force/);
  assert.equal(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), 'my notes');
  assert.deepEqual(fs.readdirSync(out).sort(), ['README.md', 'other.txt']);
  const f = cli('export', demo, '--format', 'so', '--out', out, '--force', '--json');
  assert.equal(f.code, 0, f.err);
  assert.notEqual(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), 'my notes');
  assert.equal(fs.readFileSync(path.join(out, 'other.txt'), 'utf8'), 'unrelated');
});

it('export --out under /proc fails at once with a message (no endless mkdir)', () => {
  const t0 = Date.now();
  const r = cli('export', demo, '--format', 'json', '--out', '/proc/self/qwb-out/x.json');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /cannot create a folder under \/proc/);
  assert.ok(Date.now() - t0 < 20_000);
});
