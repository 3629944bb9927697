// `qwb info`: the model summary and the machine (CPU features read by cpuid, oneDNN's effective
// ISA, the int8 weight-width advice); the machine alone without a model.

import type { InspectRequest } from '../../api/contract';
import { parseDims, splitPair, UsageError } from '../args';
import { formatRuntime, formatSummary } from '../format';
import type { CommandHandler } from './command';

export const infoCommand: CommandHandler<InspectRequest | null> = {
  request(p) {
    const inputDims: Record<string, number[]> = {};
    for (const s of p.all('shape')) {
      const [name, d] = splitPair(s);
      if (!name) throw new UsageError(`--shape needs NAME=DIMS, got '${s}'`);
      inputDims[name] = parseDims(d, `--shape ${name}`);
    }
    if (p.positionals.length === 0) return null;
    return { path: p.expectPositionals(1)[0], batch: p.int('batch', 1), inputDims };
  },
  async execute(service, req) {
    const runtime = await service.runtimeInfo();
    if (!req) return { value: runtime, text: formatRuntime(runtime) };
    const r = await service.inspectModel(req);
    return { value: { ...r, runtime }, text: `${formatSummary(r)}\n${formatRuntime(runtime)}` };
  },
};
