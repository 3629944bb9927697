// `qwb eval`: top-1/top-5 of one model on a labelled data set.

import type { EvaluateRequest } from '../../api/contract';
import { UsageError } from '../args';
import { formatEval } from '../format';
import { backendOption, preprocessOptions } from '../preprocess-flags';
import type { CommandHandler } from './command';

export const evalCommand: CommandHandler<EvaluateRequest> = {
  request(p) {
    const data = p.string('data');
    const images = p.string('images');
    if (data !== undefined && images !== undefined) throw new UsageError('give --data or its older spelling --images, not both');
    if (data === undefined && images === undefined) p.required('data');
    return {
      modelPath: p.expectPositionals(1)[0],
      data: data ?? images,
      labels: p.string('labels'),
      preprocess: preprocessOptions(p),
      limit: p.int('limit', 1),
      batch: p.int('batch', 1),
      threads: p.int('threads', 0),
      fused: !p.flag('unfused'),
      backend: backendOption(p),
    };
  },
  async execute(service, req, opts) {
    const r = await service.evaluate(req, opts);
    const { predictions: _omit, ...brief } = r;
    return { value: brief, text: formatEval(req.fused === false ? 'unfused' : 'model', r) };
  },
};
