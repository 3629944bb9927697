// exportSo: model -> DIR/MODEL.so + qwb_model.h + example.c + README.md + manifest.json.
// The plan is the batchable one (FP32, or INT8 for a QDQ model, exactly what the workbench's
// session runs), serialised with the same writer the addon gets its bytes from, embedded by
// .incbin and linked with the cached runtime archive (runtime-archive.ts).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Model } from '../ir/graph';
import { buildBatchablePlan, compilePlan } from '../runtime/lower';
import type { Plan } from '../plan/plan';
import { serializePlan } from '../plan/plan-writer';
import { defaultInputDims } from '../passes/infer';
import { cxx, runTool } from './compiler';
import { embedAsm } from './embed';
import { EXAMPLE_C } from './example-c';
import { buildManifest, type ExportManifest } from './manifest';
import { exportReadme } from './readme';
import { packageRoot } from '../package-root';
import { copyFileAtomic, makeDirs, writeFileAtomic } from '../safe-fs';
import { CXX_FLAGS, runtimeArchive } from './runtime-archive';

export interface ExportSoOptions {
  /** Largest batch qwb_run accepts (default 64). */
  maxBatch?: number;
  /** Parallel compile jobs for the runtime archive (default: all cores). */
  jobs?: number;
  /** Library name without .so (default: the model file's name without .onnx). */
  name?: string;
  /** Replace artifact files already in the folder (otherwise: ArtifactExistsError, nothing written). */
  force?: boolean;
  onStage?: (stage: string, done?: number, total?: number) => void;
}

/** The folder already holds files of the artifact and `force` was not given. */
export class ArtifactExistsError extends Error {
  constructor(
    readonly dir: string,
    readonly existing: string[],
  ) {
    super(`${dir} already holds ${existing.join(', ')}: an export would replace ${existing.length === 1 ? 'it' : 'them'} (use --force to allow that, or another folder)`);
    this.name = 'ArtifactExistsError';
  }
}

/** The files an export writes into its folder, the library first. */
export function artifactFiles(library: string): string[] {
  return [library, 'qwb_model.h', 'example.c', 'README.md', 'manifest.json'];
}

export interface ExportSoResult {
  dir: string;
  library: string;
  files: string[];
  manifest: ExportManifest;
  ms: { plan: number; runtime: number; link: number; total: number };
  runtimeCompiled: boolean;
}

export const DEFAULT_MAX_BATCH = 64;

/** Library base name from the model path: letters, digits, '_', '-', '.'. */
export function libraryName(modelPath: string): string {
  const base = path.basename(modelPath).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return base || 'model';
}

/** The plan the .so embeds: batchable when dim 0 of the input is symbolic, else at the fixed dims. */
export function exportPlan(model: Model): { plan: Plan; maxBatchCap?: number } {
  const where = model.path ?? 'the model';
  if (model.graph.inputs.length !== 1 || model.graph.outputs.length !== 1) {
    throw new Error(`${where}: the .so ABI supports one input and one output; the model has ${model.graph.inputs.length} inputs and ${model.graph.outputs.length} outputs`);
  }
  const dims = defaultInputDims(model, 1);
  const d0 = model.graph.inputs[0].shape?.[0];
  if (typeof d0 === 'number' && d0 > 0) {
    // A fixed batch in the file: the .so runs exactly that shape (qwb_run batch must be 1).
    return { plan: compilePlan(model, dims).plan, maxBatchCap: 1 };
  }
  return { plan: buildBatchablePlan(model, dims) };
}

export async function exportSo(model: Model, modelPath: string, outDir: string, opts: ExportSoOptions = {}): Promise<ExportSoResult> {
  const t0 = performance.now();
  const requested = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`max batch must be an integer >= 1, got ${requested}`);
  const name = opts.name ?? libraryName(modelPath);
  const library = `${name}.so`;
  // Checked before any work: a user's README.md or example.c in the folder is not ours to replace.
  const existing = artifactFiles(library).filter((f) => fs.existsSync(path.join(outDir, f)));
  if (existing.length > 0 && !opts.force) throw new ArtifactExistsError(path.resolve(outDir), existing);

  opts.onStage?.('plan');
  const { plan, maxBatchCap } = exportPlan(model);
  const maxBatch = Math.min(requested, maxBatchCap ?? requested);
  const bytes = serializePlan(plan);
  const tPlan = performance.now();

  // Compile the runtime first (or find it cached): the slow part, and the one that finds a missing compiler.
  const rt = await runtimeArchive({ jobs: opts.jobs, onStage: opts.onStage });
  const tRuntime = performance.now();

  opts.onStage?.('link');
  makeDirs(outDir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-export-'));
  const soPath = path.join(outDir, library);
  try {
    const planFile = path.join(work, 'plan.bin');
    fs.writeFileSync(planFile, bytes);
    const asmFile = path.join(work, 'embed.S');
    fs.writeFileSync(asmFile, embedAsm(planFile, maxBatch));
    // Only the C ABI is exported (the template instantiations of libstdc++ stay local too).
    const versionScript = path.join(work, 'exports.map');
    fs.writeFileSync(versionScript, '{ global: qwb_*; local: *; };\n');
    const tmpSo = path.join(work, library);
    await runTool(
      cxx(),
      ['-O3', '-fPIC', '-shared', '-fopenmp', asmFile, '-Wl,--whole-archive', rt.archive, '-Wl,--no-whole-archive', '-ldnnl', '-Wl,--no-undefined', `-Wl,--version-script=${versionScript}`, `-Wl,-soname,${library}`, '-o', tmpSo],
      { what: `linking ${library}` },
    );
    copyFileAtomic(tmpSo, soPath);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const tLink = performance.now();

  const manifest = buildManifest({ model, modelPath, plan, library, maxBatch, compiler: rt.compiler, flags: CXX_FLAGS, planBytes: bytes.length });
  const files: [string, string | Uint8Array][] = [
    ['qwb_model.h', fs.readFileSync(path.join(packageRoot(), 'native', 'include', 'qwb_model.h'))],
    ['example.c', EXAMPLE_C],
    ['README.md', exportReadme(manifest)],
    ['manifest.json', `${JSON.stringify(manifest, null, 2)}\n`],
  ];
  for (const [f, data] of files) writeFileAtomic(path.join(outDir, f), data);
  const t1 = performance.now();
  return {
    dir: outDir,
    library: soPath,
    files: [soPath, ...files.map(([f]) => path.join(outDir, f))],
    manifest,
    ms: { plan: tPlan - t0, runtime: tRuntime - tPlan, link: tLink - tRuntime, total: t1 - t0 },
    runtimeCompiled: rt.built,
  };
}
