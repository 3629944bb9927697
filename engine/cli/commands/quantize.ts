// `qwb quantize`: FP32 ONNX -> QDQ ONNX.

import type { QuantizeRequest } from '../../api/contract';
import { UsageError } from '../args';
import { formatQuantize } from '../format';
import { backendOption, preprocessOptions } from '../preprocess-flags';
import type { CommandHandler } from './command';

export const quantizeCommand: CommandHandler<QuantizeRequest> = {
  request(p) {
    if (p.flag('reduce-range') && p.flag('no-reduce-range')) throw new UsageError('give --reduce-range or --no-reduce-range, not both');
    return {
      modelPath: p.expectPositionals(1)[0],
      outPath: p.required('out'),
      calib: p.string('calib'),
      calibLabels: p.string('calib-labels'),
      calibCount: p.int('calib-count', 1),
      calibSeed: p.int('calib-seed', 0),
      method: (p.string('method') ?? 'minmax') as QuantizeRequest['method'],
      percentile: p.number('percentile'),
      thresholdsFile: p.string('thresholds'),
      perTensor: p.flag('per-tensor'),
      symmetric: p.flag('symmetric'),
      reduceRange: p.flag('reduce-range') ? true : p.flag('no-reduce-range') ? false : undefined,
      exclude: p.all('exclude').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      preprocess: preprocessOptions(p),
      targetDrop: p.number('target-drop'),
      data: p.string('data'),
      labels: p.string('labels'),
      limit: p.int('limit', 1),
      threads: p.int('threads', 0),
      backend: backendOption(p),
    };
  },
  async execute(service, req, opts) {
    const r = await service.quantizeModel(req, opts);
    return { value: r, text: formatQuantize(r), warnings: r.warnings };
  },
};
