// Quantization configuration: what the CLI flags, the wizard and the planner agree on.
//
// Callers pass a partial `QuantConfigInput`; `resolveQuantConfig` fills defaults and validates every
// field, throwing a QuantConfigError that names the field and the bad value (so a CLI typo such as
// `--percentile 999` is reported as such, not as a NaN scale three layers later).

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy' | 'mse' | 'custom';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy', 'mse', 'custom'];

/** u8: asymmetric with a zero point; s8: symmetric, zero point 0. */
export type ActivationType = 'u8' | 's8';

/** 8: s8 weights in [-128, 127]; 7: "reduce range", weights in [-64, 63] so that u8 x s8 pair sums
 *  cannot saturate the 16-bit intermediate of pre-VNNI AVX2/AVX-512 int8 instructions. */
export type WeightBits = 8 | 7;

export interface WeightOptions {
  perChannel: boolean;
  bits: WeightBits;
}

export interface ActivationOptions {
  type: ActivationType;
}

export interface ExcludeOptions {
  /** Node names (or output tensor names) kept in FP32. */
  names: string[];
  /** ONNX op types kept in FP32, e.g. "Gemm". */
  opTypes: string[];
}

export interface CalibrationSampling {
  /** Number of calibration samples. */
  count: number;
  /** Absent: the first `count` samples. Present: `count` samples drawn with this seed. */
  seed?: number;
}

export interface QuantConfig {
  method: CalibrationMethod;
  /** Percentile method only: upper percentile kept (lower tail uses 100 - p). */
  percentile: number;
  /** Custom method only: JSON thresholds file. */
  thresholdsFile?: string;
  /** Histogram bins for percentile / entropy / mse (a multiple of 4, see histogram.ts). */
  histogramBins: number;
  weights: WeightOptions;
  activations: ActivationOptions;
  exclude: ExcludeOptions;
  calibration: CalibrationSampling;
}

export interface QuantConfigInput {
  method?: CalibrationMethod;
  percentile?: number;
  thresholdsFile?: string;
  histogramBins?: number;
  weights?: Partial<WeightOptions>;
  activations?: Partial<ActivationOptions>;
  exclude?: Partial<ExcludeOptions>;
  calibration?: Partial<CalibrationSampling>;
}

export const DEFAULT_PERCENTILE = 99.99;
export const DEFAULT_HISTOGRAM_BINS = 8192;
export const DEFAULT_CALIBRATION_COUNT = 512;

export class QuantConfigError extends Error {
  readonly code = 'QUANT_CONFIG';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuantConfigError';
  }
}

function bad(field: string, value: unknown, expected: string): never {
  throw new QuantConfigError(field, `invalid quantization config: ${field} = ${JSON.stringify(value)}; expected ${expected}`);
}

function stringList(field: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad(field, v, 'an array of strings');
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) bad(`${field}[${i}]`, s, 'a non-empty string');
  });
  return [...(v as string[])];
}

/** Fills defaults and validates. Accepts `unknown`-ish input from JSON too (every field is checked). */
export function resolveQuantConfig(input: QuantConfigInput = {}): QuantConfig {
  const method = input.method ?? 'minmax';
  if (!CALIBRATION_METHODS.includes(method)) bad('method', method, `one of ${CALIBRATION_METHODS.join(', ')}`);

  const percentile = input.percentile ?? DEFAULT_PERCENTILE;
  if (typeof percentile !== 'number' || !Number.isFinite(percentile) || percentile <= 50 || percentile > 100) {
    bad('percentile', percentile, 'a number in (50, 100], e.g. 99.99');
  }
  if (input.percentile !== undefined && method !== 'percentile') {
    bad('percentile', input.percentile, `no percentile with method "${method}" (only with method "percentile")`);
  }

  const thresholdsFile = input.thresholdsFile;
  if (method === 'custom') {
    if (typeof thresholdsFile !== 'string' || thresholdsFile.length === 0) {
      bad('thresholdsFile', thresholdsFile, 'a JSON thresholds file path (required by method "custom")');
    }
  } else if (thresholdsFile !== undefined) {
    bad('thresholdsFile', thresholdsFile, `no thresholds file with method "${method}" (only with method "custom")`);
  }

  const histogramBins = input.histogramBins ?? DEFAULT_HISTOGRAM_BINS;
  if (!Number.isInteger(histogramBins) || histogramBins < 256 || histogramBins > 1 << 20 || histogramBins % 4 !== 0) {
    bad('histogramBins', histogramBins, 'an integer multiple of 4 in [256, 1048576]');
  }

  const perChannel = input.weights?.perChannel ?? true;
  if (typeof perChannel !== 'boolean') bad('weights.perChannel', perChannel, 'true or false');
  const bits = input.weights?.bits ?? 8;
  if (bits !== 8 && bits !== 7) bad('weights.bits', bits, '8, or 7 (reduce range)');

  const type = input.activations?.type ?? 'u8';
  if (type !== 'u8' && type !== 's8') bad('activations.type', type, '"u8" (asymmetric) or "s8" (symmetric)');

  const names = stringList('exclude.names', input.exclude?.names);
  const opTypes = stringList('exclude.opTypes', input.exclude?.opTypes);

  const count = input.calibration?.count ?? DEFAULT_CALIBRATION_COUNT;
  if (!Number.isInteger(count) || count < 1) bad('calibration.count', count, 'a positive integer');
  const seed = input.calibration?.seed;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    bad('calibration.seed', seed, 'an integer in [0, 2^32)');
  }

  const out: QuantConfig = {
    method,
    percentile,
    histogramBins,
    weights: { perChannel, bits },
    activations: { type },
    exclude: { names, opTypes },
    calibration: seed === undefined ? { count } : { count, seed },
  };
  if (thresholdsFile !== undefined) out.thresholdsFile = thresholdsFile;
  return out;
}

export interface WeightBitsAdvice {
  bits: WeightBits;
  /** Why these bits (one sentence, for the CLI's notes and the window's reduce-range preset). */
  reason: string;
  /** Set when reduce range was turned on automatically. */
  warning?: string;
}

/** How oneDNN's u8 x s8 kernels accumulate (engine/runtime/cpu.ts): exactly in 32 bits (VNNI,
 *  AMX), or as pairs of products summed in saturating 16 bits (vpmaddubsw, AVX2/AVX-512 without
 *  VNNI, or a CPU capped below its VNNI ISA). */
export type Int8AccumulationKind = 'vnni' | 'amx' | '16bit-pairs';

/**
 * Decides 8- or 7-bit weights. vpmaddubsw's 16-bit pair sums saturate with 8-bit weights
 * (255*127*2 > 32767); 7-bit weights avoid that (255*64*2 < 32767). VNNI and AMX accumulate in 32
 * bits, so 8-bit weights are exact there. An explicit user choice always wins.
 */
export function adviseWeightBits(opts: { requested?: WeightBits; accumulation: Int8AccumulationKind }): WeightBitsAdvice {
  const saturates = opts.accumulation === '16bit-pairs';
  const why = saturates
    ? "oneDNN's int8 kernels here have no VNNI or AMX: u8 x s8 products go through 16-bit saturating pair sums"
    : `oneDNN's int8 kernels here accumulate u8 x s8 in 32 bits (${opts.accumulation === 'amx' ? 'AMX' : 'VNNI'})`;
  if (opts.requested !== undefined) {
    const note = opts.requested === 8 && saturates ? ' (8-bit weights may saturate here)' : '';
    return { bits: opts.requested, reason: `${opts.requested}-bit weights as requested; ${why}${note}` };
  }
  if (!saturates) return { bits: 8, reason: `8-bit weights: ${why}` };
  return {
    bits: 7,
    reason: `7-bit weights (reduce range): ${why}`,
    warning: `${why[0].toUpperCase()}${why.slice(1)}; using 7-bit weights (reduce range). Pass 8-bit weights explicitly to override.`,
  };
}
