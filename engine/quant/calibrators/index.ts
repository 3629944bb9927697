// Builds the calibrator a resolved config asks for. Histogram methods can share one HistogramSet
// so that several modes are computed from a single pass over the data.

import type { QuantConfig } from '../config';
import { CustomCalibrator } from './custom';
import { EntropyCalibrator } from './entropy';
import { HistogramSet } from './histogram-set';
import { MinMaxCalibrator } from './minmax';
import { MseCalibrator } from './mse';
import { PercentileCalibrator } from './percentile';
import type { Calibrator } from './types';

export * from './types';
export { HistogramSet } from './histogram-set';
export { MinMaxCalibrator } from './minmax';
export { PercentileCalibrator, percentileRange } from './percentile';
export { EntropyCalibrator, entropyRange, klOptimalBins } from './entropy';
export { MseCalibrator, mseRange, HistogramErrorModel } from './mse';
export { CustomCalibrator, parseThresholds } from './custom';

export interface CreateCalibratorOptions {
  /** Tensors to calibrate (the custom method checks its file against them). */
  tensors: readonly string[];
  /** Reuse histograms already collected (or to be collected once) for several methods. */
  histograms?: HistogramSet;
  /** Thresholds file contents, when the caller reads files through a host. */
  thresholdsText?: string;
}

export function createCalibrator(config: QuantConfig, opts: CreateCalibratorOptions): Calibrator {
  const activations = config.activations.type;
  const histograms = opts.histograms ?? new HistogramSet({ bins: config.histogramBins });
  switch (config.method) {
    case 'minmax':
      return new MinMaxCalibrator();
    case 'percentile':
      return new PercentileCalibrator({ activations, percentile: config.percentile, histograms });
    case 'entropy':
      return new EntropyCalibrator({ activations, histograms });
    case 'mse':
      return new MseCalibrator({ activations, histograms });
    case 'custom': {
      if (!config.thresholdsFile) throw new Error('method "custom" needs a thresholds file');
      return new CustomCalibrator({ file: config.thresholdsFile, text: opts.thresholdsText, tensors: opts.tensors });
    }
  }
}
