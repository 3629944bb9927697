// The native runtime compiled once for exports: native/runtime/*.cc, steps/*.cc and the C ABI
// (native/export/qwb_model.cc) as a static archive cached under .cache/export-runtime/<hash>, the
// hash covering every source and header, the compiler version and the flags; the objects are
// cached one by one under .cache/export-runtime/obj (an edited source recompiles alone). A repeated export
// then only assembles the embedded plan and links (seconds, not minutes on 2 cores).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { compilerVersion, cxx, runLimited, runTool } from './compiler';
import { packageRoot } from '../package-root';

/** Flags of every runtime object. -fvisibility=hidden: only the qwb_* ABI leaves the .so. */
export const CXX_FLAGS = ['-std=c++17', '-O3', '-fPIC', '-fopenmp', '-fexceptions', '-fvisibility=hidden', '-fvisibility-inlines-hidden', '-DNDEBUG'];

export interface RuntimeArchive {
  archive: string;
  /** True when this call compiled sources (some object was not in the cache). */
  built: boolean;
  ms: number;
  compiler: string;
}

function listFiles(dir: string, exts: string[]): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Sources to compile and every file whose change must invalidate the cache. */
export function runtimeSources(root = packageRoot()): { sources: string[]; hashed: string[] } {
  const rt = path.join(root, 'native', 'runtime');
  const steps = path.join(rt, 'steps');
  const abi = path.join(root, 'native', 'export');
  const sources = [...listFiles(rt, ['.cc']), ...listFiles(steps, ['.cc']), ...listFiles(abi, ['.cc'])];
  const headers = [...listFiles(rt, ['.h']), ...listFiles(steps, ['.h']), ...listFiles(abi, ['.h']), ...listFiles(path.join(root, 'native', 'include'), ['.h'])];
  return { sources, hashed: [...sources, ...headers] };
}

export function cacheRoot(root = packageRoot()): string {
  return process.env.QWB_EXPORT_CACHE || path.join(root, '.cache', 'export-runtime');
}

/** Returns the cached archive, compiling it (in parallel, `jobs` at a time) when missing. */
export async function runtimeArchive(opts: { jobs?: number; onStage?: (stage: string, done?: number, total?: number) => void } = {}): Promise<RuntimeArchive> {
  const t0 = performance.now();
  const root = packageRoot();
  const tool = cxx();
  const compiler = await compilerVersion(tool);
  const { sources, hashed } = runtimeSources(root);
  const h = createHash('sha256');
  h.update(`${compiler}\n${tool}\n${CXX_FLAGS.join(' ')}\n`);
  for (const f of hashed) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  const key = h.digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot(root), key);
  const archive = path.join(dir, 'libqwb_runtime.a');
  if (fs.existsSync(archive)) return { archive, built: false, ms: performance.now() - t0, compiler };

  // Objects are cached one by one (key: flags, compiler, the source and every header), so that an
  // edit to one step recompiles that file only. Each is built under a private name and renamed into
  // place, so concurrent exports never see half a file.
  const objDir = path.join(cacheRoot(root), 'obj');
  fs.mkdirSync(objDir, { recursive: true });
  const headerHash = createHash('sha256');
  for (const f of hashed.filter((f) => f.endsWith('.h'))) headerHash.update(path.relative(root, f)).update(fs.readFileSync(f));
  const headers = headerHash.digest('hex');
  const objectOf = (src: string): string => {
    const k = createHash('sha256').update(`${compiler}\n${tool}\n${CXX_FLAGS.join(' ')}\n${headers}\n${path.relative(root, src)}\n`).update(fs.readFileSync(src)).digest('hex').slice(0, 16);
    return path.join(objDir, `${path.basename(src, '.cc')}-${k}.o`);
  };
  const tmp = fs.mkdtempSync(path.join(cacheRoot(root), `${key}.tmp-`));
  try {
    let done = 0;
    const missing = sources.filter((src) => !fs.existsSync(objectOf(src)));
    const jobs = opts.jobs ?? Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
    await runLimited(
      missing.map((src) => async () => {
        const obj = objectOf(src);
        const part = `${obj}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
        await runTool(tool, [...CXX_FLAGS, '-c', src, '-o', part], { what: `compiling ${path.relative(root, src)}` });
        fs.renameSync(part, obj);
        opts.onStage?.('compile runtime', ++done, missing.length);
      }),
      jobs,
    );
    await runTool('ar', ['rcs', path.join(tmp, 'libqwb_runtime.a'), ...sources.map(objectOf)], { what: 'archiving the runtime', installHint: 'binutils' });
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another export won the race: its archive is equivalent.
      if (!fs.existsSync(archive)) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return { archive, built: missing.length > 0, ms: performance.now() - t0, compiler };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
