// `qwb info`: the model summary.

import type { InspectRequest } from '../../api/contract';
import { parseDims, splitPair, UsageError } from '../args';
import { formatSummary } from '../format';
import type { CommandHandler } from './command';

export const infoCommand: CommandHandler<InspectRequest> = {
  request(p) {
    const inputDims: Record<string, number[]> = {};
    for (const s of p.all('shape')) {
      const [name, d] = splitPair(s);
      if (!name) throw new UsageError(`--shape needs NAME=DIMS, got '${s}'`);
      inputDims[name] = parseDims(d, `--shape ${name}`);
    }
    return { path: p.expectPositionals(1)[0], batch: p.int('batch', 1), inputDims };
  },
  async execute(service, req) {
    const r = await service.inspectModel(req);
    return { value: r, text: formatSummary(r) };
  },
};
