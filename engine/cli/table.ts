// The qwb option table: every command, its positionals, every option with its value, default and
// meaning, and one example. It is the one source of the parser's configuration (parse.ts), the
// help text (help.ts) and the README's CLI section (tools/update-cli-readme.ts, checked by
// test/engine/cli-help.test.ts), so the three cannot drift. Plain data: no engine imports.

export interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  /** Placeholder of its value (`N`, `FILE`); absent: a bare flag. */
  value?: string;
  /** Allowed values; the parser rejects anything else. */
  choices?: readonly string[];
  /** Given more than once, every value counts (otherwise the last one wins). */
  repeatable?: boolean;
  /** Required, or required under the condition this says. */
  required?: true | string;
  /** What happens when it is not given (every valued option that is not required has one; a flag
   *  without one is off). */
  default?: string;
  help: string;
  /** A valid value, used by the test that checks every option changes what the command does. */
  sample?: string;
  /** Another spelling of this option (the test checks both give the same request). */
  aliasOf?: string;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments as the usage line shows them. */
  positionals: string;
  summary: string;
  /** Longer notes under the usage line. */
  details?: string[];
  options: readonly OptionSpec[];
  /** One command line that works in the repository after set-up (without the leading `qwb`). */
  example: string;
}

// --- options shared by several commands --------------------------------------------------------

const JSON_OPT: OptionSpec = { name: 'json', help: 'print the result as JSON on stdout (a failure as {"error": {name, message, code}})' };
const THREADS: OptionSpec = { name: 'threads', value: 'N', default: '0 (oneDNN uses every core)', help: 'threads of the native runtime', sample: '1' };
const BACKEND: OptionSpec = {
  name: 'backend',
  value: 'NAME',
  choices: ['qwb', 'ort'],
  default: 'qwb',
  help: 'runtime: qwb (ours, oneDNN; QDQ models in INT8) or ort (onnxruntime-node, an independent reference)',
  sample: 'ort',
};
const UNFUSED: OptionSpec = { name: 'unfused', help: 'run the graph as written: no BatchNorm folding, no fusions' };
const LIMIT: OptionSpec = { name: 'limit', value: 'N', default: 'every sample', help: 'use the first N samples of the data', sample: '10' };

const COLOR_DEFAULT = "the model's recorded colour, else gray for 1-channel data, rgb for 3";

/** Preprocessing shared by eval, quantize and compare; absent values come from what quantize
 *  recorded in a QDQ model's metadata, then from these defaults. */
const PREPROCESS: readonly OptionSpec[] = [
  { name: 'size', value: 'H,W', default: "the model's recorded size, else the data's own", help: 'resize (scale to cover, centre crop) to H x W', sample: '28,28' },
  { name: 'mean', value: 'M[,M,M]', default: "the model's recorded mean, else 0", help: 'per-channel mean subtracted from pixel/255', sample: '0.5' },
  { name: 'std', value: 'S[,S,S]', default: "the model's recorded std, else 1", help: 'per-channel std dividing (pixel/255 - mean)', sample: '0.25' },
  { name: 'gray', default: COLOR_DEFAULT, help: 'convert to 1 channel' },
  { name: 'rgb', default: COLOR_DEFAULT, help: 'keep or make 3 channels in RGB order' },
  { name: 'bgr', default: COLOR_DEFAULT, help: '3 channels in BGR order' },
];

const DEMO_MODEL = 'assets/demo/fashion_resnet.onnx';
const DEMO_IMAGES = 'assets/demo/sample-images-idx3-ubyte.gz';
const DEMO_LABELS = 'assets/demo/sample-labels-idx1-ubyte.gz';

// --- the commands --------------------------------------------------------------------------------

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'info',
    positionals: '[MODEL.onnx]',
    summary: 'model summary (inputs/outputs, op counts, parameters, MACs, unsupported ops) and the machine: CPU features (cpuid), oneDNN ISA, int8 weight advice; the machine alone without a model',
    options: [
      { name: 'batch', value: 'N', default: '1', help: 'dim 0 of every input whose batch dim is symbolic', sample: '4' },
      { name: 'shape', value: 'NAME=DIMS', repeatable: true, default: 'batch 1, every other symbolic dim 1', help: 'dims of one input, e.g. input=1x3x224x224 (repeat per input)', sample: 'input=2x1x28x28' },
      JSON_OPT,
    ],
    example: `info ${DEMO_MODEL} --batch 8`,
  },
  {
    name: 'run',
    positionals: 'MODEL.onnx',
    summary: 'FP32 inference through oneDNN of .npy inputs (float32, int64/int32, bool, int8/uint8), outputs written as .npy of their dtype',
    options: [
      { name: 'input', value: 'IN.npy|NAME=IN.npy', repeatable: true, required: true, help: 'input batch (NAME=PATH per input when the model has several)', sample: 'other.npy' },
      { name: 'output', value: 'OUT.npy|NAME=OUT.npy', repeatable: true, required: true, help: 'where to write each output', sample: 'other-out.npy' },
      { name: 'batch', value: 'N', default: '64', help: 'items per run: a bigger input with a dynamic batch dim runs N at a time, outputs joined', sample: '8' },
      THREADS,
      UNFUSED,
      JSON_OPT,
    ],
    example: `run ${DEMO_MODEL} --input in.npy --output out.npy`,
  },
  {
    name: 'eval',
    positionals: 'MODEL.onnx',
    summary: 'top-1/top-5 accuracy of an FP32 or QDQ model',
    details: ['DATA: an IDX file (raw or .gz, with --labels), a .npy array (with --labels L.npy) or a folder of images in class subfolders.'],
    options: [
      { name: 'data', value: 'DATA', required: 'required (or --images)', help: 'the evaluation data', sample: 'other.idx' },
      { name: 'images', value: 'FILE', default: 'see --data', help: 'older spelling of --data', aliasOf: 'data' },
      { name: 'labels', value: 'FILE', default: "none (an image folder's labels are its subfolders)", help: 'labels of an IDX or .npy source', sample: 'other-labels.idx' },
      LIMIT,
      { name: 'batch', value: 'N', default: "50 (or the model's static batch)", help: 'samples per run', sample: '8' },
      ...PREPROCESS,
      THREADS,
      UNFUSED,
      BACKEND,
      JSON_OPT,
    ],
    example: `eval ${DEMO_MODEL} --data ${DEMO_IMAGES} --labels ${DEMO_LABELS} --mean 0.286 --std 0.353`,
  },
  {
    name: 'quantize',
    positionals: 'MODEL.onnx',
    summary: 'post-training INT8 quantization to a QDQ ONNX model',
    details: ['Records the preprocessing in the QDQ model, so eval and compare default to it.'],
    options: [
      { name: 'out', value: 'MODEL.int8.onnx', required: true, help: 'the QDQ model to write (written last: a failed or cancelled job leaves none)', sample: 'other.int8.onnx' },
      { name: 'calib', value: 'DATA', required: 'required unless --method custom', help: 'calibration data (IDX file, .npy or image folder)', sample: 'other.idx' },
      { name: 'calib-labels', value: 'FILE', default: 'none (calibration needs no labels)', help: 'labels of the calibration source, when it has them', sample: 'labels.idx' },
      { name: 'calib-count', value: 'N', default: '512', help: 'calibration samples', sample: '64' },
      { name: 'calib-seed', value: 'S', default: 'none: the first N samples', help: 'draw the N calibration samples at random with this seed', sample: '7' },
      { name: 'method', value: 'NAME', choices: ['minmax', 'percentile', 'entropy', 'mse', 'custom'], default: 'minmax', help: 'how activation ranges are chosen', sample: 'mse' },
      { name: 'percentile', value: 'P', default: '99.99 (with --method percentile)', help: 'upper percentile kept by --method percentile', sample: '99.9' },
      { name: 'thresholds', value: 'T.json', default: 'none (required by --method custom)', help: 'tensor name -> [min, max] (or max) for --method custom', sample: 't.json' },
      { name: 'per-tensor', help: 'one weight scale per tensor instead of per output channel' },
      { name: 'symmetric', help: 's8 symmetric activations instead of u8 asymmetric' },
      { name: 'reduce-range', default: 'on by itself, with a warning, on CPUs without VNNI', help: '7-bit weights (u8 x s8 pairs cannot saturate 16 bits)' },
      { name: 'no-reduce-range', default: 'see --reduce-range', help: '8-bit weights even without VNNI' },
      { name: 'exclude', value: 'NAME,...', repeatable: true, default: 'none', help: 'node names, tensor names or op types kept in FP32', sample: 'Gemm' },
      { name: 'target-drop', value: 'POINTS', default: 'none (no fallback)', help: 'accuracy-aware fallback: keep the most sensitive layers in FP32 until top-1 drops by at most POINTS on --data', sample: '0.1' },
      { name: 'data', value: 'DATA', default: 'none (required by --target-drop)', help: 'evaluation data of the fallback', sample: 'test.idx' },
      { name: 'labels', value: 'FILE', default: 'none', help: 'labels of --data', sample: 'test-labels.idx' },
      { ...LIMIT, help: 'use the first N samples of --data' },
      ...PREPROCESS,
      THREADS,
      BACKEND,
      JSON_OPT,
    ],
    example: `quantize ${DEMO_MODEL} --calib ${DEMO_IMAGES} --mean 0.286 --std 0.353 --method entropy --out demo.int8.onnx`,
  },
  {
    name: 'compare',
    positionals: 'FP32.onnx INT8.onnx',
    summary: 'both accuracies, top-1 agreement and per-layer SQNR/cosine, worst first',
    options: [
      { name: 'data', value: 'DATA', required: true, help: 'the data both models run on', sample: 'other.idx' },
      { name: 'labels', value: 'FILE', default: 'none (agreement and SQNR only)', help: 'labels of an IDX or .npy source', sample: 'other-labels.idx' },
      LIMIT,
      { name: 'layer-samples', value: 'N', default: '16', help: 'samples of the per-layer SQNR/cosine analysis', sample: '4' },
      ...PREPROCESS,
      THREADS,
      BACKEND,
      JSON_OPT,
    ],
    example: `compare ${DEMO_MODEL} demo.int8.onnx --data ${DEMO_IMAGES} --labels ${DEMO_LABELS}`,
  },
  {
    name: 'demo',
    positionals: '',
    summary: 'the bundled Fashion-MNIST model: FP32 fused vs unfused, then INT8 with every calibration mode (what `npm start` runs)',
    details: ['INT8 calibrates on 512 seeded training images (Debian dataset-fashion-mnist; the bundled sample when it is missing) and is compared with FP32 on the bundled 1,000-image sample, worst layers by SQNR.'],
    options: [
      { ...LIMIT, default: '1000 (the whole bundled sample)', help: 'evaluate on the first N images of the sample' },
      { name: 'batch', value: 'N', default: '50', help: 'images per run', sample: '8' },
      THREADS,
      { name: 'no-int8', help: 'FP32 only: skip quantization' },
      JSON_OPT,
    ],
    example: 'demo --limit 200',
  },
  {
    name: 'bench',
    positionals: 'MODEL.onnx',
    summary: 'latency (warm-up apart, median, p90) and throughput; per-layer FP32 raw / FP32 fused / INT8',
    details: ['With --per-layer, an FP32 model is quantized on the fly (minmax, random-normal data) unless --int8 is given.'],
    options: [
      { name: 'batch', value: 'N', default: '1', help: 'batch size', sample: '2' },
      { name: 'shape', value: 'NAME=DIMS', repeatable: true, default: 'every symbolic dim but the batch 1', help: 'dims of one input, e.g. input_ids=1x128 for a symbolic sequence length (dim 0 follows --batch)', sample: 'input=1x1x28x28' },
      { name: 'iters', value: 'N', default: '20', help: 'timed runs after the warm-up', sample: '5' },
      THREADS,
      { name: 'per-layer', help: 'profile every step of the FP32 raw, FP32 fused and INT8 plans' },
      { name: 'int8', value: 'MODEL.int8.onnx', default: 'quantize on the fly', help: 'the INT8 model of the per-layer profile (with --per-layer)', sample: 'm.int8.onnx' },
      { name: 'calib-count', value: 'N', default: '16', help: 'random samples of the on-the-fly quantization', sample: '4' },
      JSON_OPT,
    ],
    example: `bench ${DEMO_MODEL} --batch 8 --per-layer`,
  },
  {
    name: 'export',
    positionals: 'MODEL.onnx',
    summary: 'a compiled .so (C ABI) with header, example.c and manifest; or the QDQ model, or a report',
    details: [
      'so: DIR/MODEL.so (qwb_model.h), example.c, README.md, manifest.json.',
      "qdq: the QDQ ONNX (quantized models only). json|csv: the --report from 'qwb compare --json', else the model summary (json) / op counts (csv).",
    ],
    options: [
      { name: 'out', value: 'DIR', required: true, help: 'output folder (so), or the file for qdq/json/csv', sample: 'other-dir' },
      { name: 'format', value: 'NAME', choices: ['so', 'qdq', 'json', 'csv'], default: 'so', help: 'what to write', sample: 'csv' },
      { name: 'max-batch', value: 'N', default: '64', help: 'largest batch the .so accepts', sample: '8' },
      { name: 'force', help: 'so: replace the artifact files (MODEL.so, qwb_model.h, example.c, README.md, manifest.json) where DIR already holds some' },
      { name: 'report', value: 'COMPARE.json', default: 'none (the model summary)', help: "output of 'qwb compare --json', for json/csv", sample: 'r.json' },
      JSON_OPT,
    ],
    example: `export demo.int8.onnx --format so --out demo-so`,
  },
  {
    name: 'serve',
    positionals: '',
    summary: 'browser mode: the workbench window at http://127.0.0.1:PORT/?token=..., the engine in its own process, until Ctrl-C',
    options: [
      { name: 'port', value: 'N', default: '5180, or any free port when it is taken', help: 'port on 127.0.0.1 (0: any free port)', sample: '5199' },
      { name: 'max-upload-mb', value: 'N', default: '2048', help: 'largest file a browser may upload into the workspace, in MB', sample: '64' },
    ],
    example: 'serve --port 5180',
  },
];

/** Exit codes, for the help and the README. */
export const EXIT_CODES: readonly { code: number; meaning: string }[] = [
  { code: 0, meaning: 'ok' },
  { code: 1, meaning: 'the job failed (bad model or data, I/O error, a bug); the message names the file, node or value' },
  { code: 2, meaning: 'usage error: unknown command or option, a missing or invalid value' },
  { code: 130, meaning: 'interrupted: SIGINT (Ctrl-C) or SIGTERM cancelled the running job' },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
