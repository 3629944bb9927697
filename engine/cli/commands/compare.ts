// `qwb compare`: FP32 vs INT8 on one data set, per layer.

import type { CompareRequest } from '../../api/contract';
import { formatCompare } from '../format';
import { backendOption, preprocessOptions } from '../preprocess-flags';
import type { CommandHandler } from './command';

export const compareCommand: CommandHandler<CompareRequest> = {
  request(p) {
    const [fp32Path, int8Path] = p.expectPositionals(2);
    return {
      fp32Path,
      int8Path,
      data: p.required('data'),
      labels: p.string('labels'),
      limit: p.int('limit', 1),
      layerSamples: p.int('layer-samples', 1),
      preprocess: preprocessOptions(p),
      threads: p.int('threads', 0),
      backend: backendOption(p),
    };
  },
  async execute(service, req, opts) {
    const r = await service.compareModels(req, opts);
    return { value: r, text: formatCompare(r) };
  },
};
