// qwb: the command-line adapter of the service contract. No logic beyond parsing arguments,
// calling one service method and printing its result (text, or JSON with --json).
// Exit codes: 0 ok, 1 failure, 2 usage error.

import type { ProgressEvent } from '../api/contract';
import { toServiceError } from '../api/errors';
import { Service } from '../api/service';
import { NodeHost } from '../host/node-host';
import { BENCH_HELP, benchCommand } from './commands/bench';
import { DEMO_HELP, demoCommand } from './commands/demo';
import { EXPORT_HELP, exportCommand } from './commands/export';
import { SERVE_HELP, serveCommand } from './commands/serve';
import { intOption, lastOption, parseArgs, parseDims, splitPair, UsageError, type ParsedArgs } from './args';
import { formatCompare, formatEval, formatQuantize, formatSummary } from './format';
import { backendOption, numberOption, preprocessOptions, PREPROCESS_FLAGS, PREPROCESS_VALUED } from './preprocess-flags';

export const HELP = `qwb — Quant Workbench command line

usage:
  qwb info MODEL.onnx [--batch N] [--shape NAME=1x3x224x224]... [--json]
      model summary: inputs/outputs, op counts, parameters, MACs, unsupported ops
  qwb run MODEL.onnx --input IN.npy|NAME=IN.npy... --output OUT.npy|NAME=OUT.npy...
          [--threads N] [--unfused] [--json]
      runs the model in FP32 through oneDNN on float32 .npy inputs
  qwb eval MODEL.onnx --data DATA [--labels L] [--limit N] [PREPROCESS] [--batch N] [--threads N]
          [--unfused] [--backend qwb|ort] [--json]
      top-1/top-5 accuracy of an FP32 or QDQ model (DATA: IDX file, .npy or image folder)
  qwb quantize MODEL.onnx --calib DATA [--calib-labels L] [--calib-count N] [--calib-seed S]
          --method minmax|percentile|entropy|mse|custom [--percentile P] [--thresholds T.json]
          [--per-tensor] [--symmetric] [--reduce-range|--no-reduce-range] [--exclude NAME,...]
          [--target-drop POINTS --data DATA --labels L [--limit N]] [PREPROCESS] --out MODEL.int8.onnx [--json]
      post-training INT8 quantization to a QDQ ONNX model
  qwb compare FP32.onnx INT8.onnx --data DATA [--labels L] [--limit N] [PREPROCESS] [--backend qwb|ort] [--json]
      both accuracies, top-1 agreement and per-layer SQNR/cosine, worst first
  PREPROCESS: [--size H,W] [--mean M[,M,M]] [--std S[,S,S]] [--gray|--rgb|--bgr]
      (defaults: what quantize recorded in the QDQ model's metadata)
${DEMO_HELP}${BENCH_HELP}${EXPORT_HELP}${SERVE_HELP}  qwb help
`;

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

function progressPrinter(io: Io): ((e: ProgressEvent) => void) | undefined {
  if (!io.isTTY) return undefined;
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.done !== undefined && e.total !== undefined && e.done < e.total && now - last < 100) return;
    last = now;
    const frac = e.done !== undefined && e.total ? ` ${e.done}/${e.total}` : '';
    io.stderr(`\r\x1b[K${e.job}: ${e.stage}${frac}${e.done !== undefined && e.done === e.total ? '\n' : ''}`);
  };
}

function pairs(p: ParsedArgs, name: string, required: boolean): string | Record<string, string> {
  const vals = p.options.get(name) ?? [];
  if (vals.length === 0) {
    if (required) throw new UsageError(`--${name} is required`);
    return {};
  }
  const split = vals.map(splitPair);
  if (split.length === 1 && split[0][0] === undefined) return split[0][1];
  const out: Record<string, string> = {};
  for (const [k, v] of split) {
    if (k === undefined) throw new UsageError(`--${name}: with several values each must be NAME=PATH`);
    out[k] = v;
  }
  return out;
}

function onePositional(p: ParsedArgs, what: string): string {
  if (p.positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${p.positionals.length ? p.positionals.join(' ') : 'none'}`);
  return p.positionals[0];
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    const host = new NodeHost({ onProgress: json ? undefined : progressPrinter(io) });
    const service = new Service(host);
    const print = (value: unknown, text: string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    switch (cmd) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP);
        return 0;
      case 'info': {
        const p = parseArgs(rest, ['batch', 'shape'], ['json']);
        const inputDims: Record<string, number[]> = {};
        for (const s of p.options.get('shape') ?? []) {
          const [name, d] = splitPair(s);
          if (!name) throw new UsageError(`--shape needs NAME=DIMS, got '${s}'`);
          inputDims[name] = parseDims(d, `--shape ${name}`);
        }
        const r = await service.inspectModel({ path: onePositional(p, 'model'), batch: intOption(p, 'batch', 1), inputDims });
        print(r, formatSummary(r));
        return 0;
      }
      case 'run': {
        const p = parseArgs(rest, ['input', 'output', 'threads'], ['json', 'unfused']);
        const r = await service.runModel({
          modelPath: onePositional(p, 'model'),
          input: pairs(p, 'input', true),
          output: pairs(p, 'output', true),
          threads: intOption(p, 'threads', 0),
          fused: !p.flags.has('unfused'),
        });
        print(r, r.outputs.map((o) => `${o.name} [${o.dims.join(', ')}] -> ${o.path}`).concat(`${r.ms.toFixed(1)} ms (compile included)`).join('\n'));
        return 0;
      }
      case 'eval': {
        const p = parseArgs(rest, ['data', 'images', 'labels', 'limit', 'batch', 'threads', 'backend', ...PREPROCESS_VALUED], ['json', 'unfused', ...PREPROCESS_FLAGS]);
        const data = lastOption(p, 'data') ?? lastOption(p, 'images');
        if (!data) throw new UsageError('--data is required');
        const r = await service.evaluate({
          modelPath: onePositional(p, 'model'),
          data,
          labels: lastOption(p, 'labels'),
          preprocess: preprocessOptions(p),
          limit: intOption(p, 'limit', 1),
          batch: intOption(p, 'batch', 1),
          threads: intOption(p, 'threads', 0),
          fused: !p.flags.has('unfused'),
          backend: backendOption(p),
        });
        const { predictions: _omit, ...brief } = r;
        print(brief, formatEval(p.flags.has('unfused') ? 'unfused' : 'model', r));
        return 0;
      }
      case 'quantize': {
        const p = parseArgs(
          rest,
          ['calib', 'calib-labels', 'calib-count', 'calib-seed', 'method', 'percentile', 'thresholds', 'exclude', 'target-drop', 'data', 'labels', 'limit', 'out', 'threads', 'backend', ...PREPROCESS_VALUED],
          ['json', 'per-tensor', 'symmetric', 'reduce-range', 'no-reduce-range', ...PREPROCESS_FLAGS],
        );
        const out = lastOption(p, 'out');
        if (!out) throw new UsageError('--out MODEL.int8.onnx is required');
        if (p.flags.has('reduce-range') && p.flags.has('no-reduce-range')) throw new UsageError('give --reduce-range or --no-reduce-range, not both');
        const method = lastOption(p, 'method') ?? 'minmax';
        if (!['minmax', 'percentile', 'entropy', 'mse', 'custom'].includes(method)) throw new UsageError(`--method must be minmax, percentile, entropy, mse or custom, got '${method}'`);
        const r = await service.quantizeModel({
          modelPath: onePositional(p, 'model'),
          outPath: out,
          calib: lastOption(p, 'calib'),
          calibLabels: lastOption(p, 'calib-labels'),
          calibCount: intOption(p, 'calib-count', 1),
          calibSeed: intOption(p, 'calib-seed', 0),
          method: method as 'minmax',
          percentile: numberOption(p, 'percentile'),
          thresholdsFile: lastOption(p, 'thresholds'),
          perTensor: p.flags.has('per-tensor'),
          symmetric: p.flags.has('symmetric'),
          reduceRange: p.flags.has('reduce-range') ? true : p.flags.has('no-reduce-range') ? false : undefined,
          exclude: (p.options.get('exclude') ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
          preprocess: preprocessOptions(p),
          targetDrop: numberOption(p, 'target-drop'),
          data: lastOption(p, 'data'),
          labels: lastOption(p, 'labels'),
          limit: intOption(p, 'limit', 1),
          threads: intOption(p, 'threads', 0),
          backend: backendOption(p),
        });
        for (const w of r.warnings) io.stderr(`qwb: warning: ${w}\n`);
        print(r, formatQuantize(r));
        return 0;
      }
      case 'compare': {
        const p = parseArgs(rest, ['data', 'labels', 'limit', 'threads', 'backend', 'layer-samples', ...PREPROCESS_VALUED], ['json', ...PREPROCESS_FLAGS]);
        if (p.positionals.length !== 2) throw new UsageError(`compare takes FP32.onnx INT8.onnx, got ${p.positionals.join(' ') || 'nothing'}`);
        const data = lastOption(p, 'data');
        if (!data) throw new UsageError('--data is required');
        const r = await service.compareModels({
          fp32Path: p.positionals[0],
          int8Path: p.positionals[1],
          data,
          labels: lastOption(p, 'labels'),
          limit: intOption(p, 'limit', 1),
          layerSamples: intOption(p, 'layer-samples', 1),
          preprocess: preprocessOptions(p),
          threads: intOption(p, 'threads', 0),
          backend: backendOption(p),
        });
        print(r, formatCompare(r));
        return 0;
      }
      case 'demo': {
        const r = await demoCommand(rest, service);
        print(r.value, r.text);
        return 0;
      }
      case 'bench': {
        const r = await benchCommand(rest, service);
        print(r.value, r.text);
        return 0;
      }
      case 'export': {
        const r = await exportCommand(rest, service);
        print(r.value, r.text);
        return 0;
      }
      case 'serve':
        return await serveCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`qwb: ${e.message}\nrun 'qwb help' for usage\n`);
      return 2;
    }
    const err = toServiceError(e);
    if (json) io.stdout(`${JSON.stringify({ error: err }, null, 2)}\n`);
    io.stderr(`qwb: ${err.message}\n`);
    return err.code === 'E_USAGE' ? 2 : 1;
  }
}

/** Runs the CLI on this process's argv and stdio (bin/qwb.js, or `node dist/engine/cli/main.js`). */
export function runFromProcess(): void {
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: !!process.stderr.isTTY,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`qwb: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runFromProcess();
