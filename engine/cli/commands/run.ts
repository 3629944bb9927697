// `qwb run`: FP32 inference of .npy inputs into .npy outputs.

import type { RunModelRequest } from '../../api/contract';
import { splitPair, UsageError, type Args } from '../args';
import type { CommandHandler } from './command';

/** One bare PATH (single input/output models) or NAME=PATH per tensor. */
function paths(p: Args, name: string): string | Record<string, string> {
  const split = p.all(name).map(splitPair);
  if (split.length === 0) p.required(name);
  if (split.length === 1 && split[0][0] === undefined) return split[0][1];
  const out: Record<string, string> = {};
  for (const [k, v] of split) {
    if (k === undefined) throw new UsageError(`--${name}: with several values each must be NAME=PATH`);
    out[k] = v;
  }
  return out;
}

export const runCommand: CommandHandler<RunModelRequest> = {
  request(p) {
    return {
      modelPath: p.expectPositionals(1)[0],
      input: paths(p, 'input'),
      output: paths(p, 'output'),
      threads: p.int('threads', 0),
      fused: !p.flag('unfused'),
      batch: p.int('batch', 1),
    };
  },
  async execute(service, req, opts) {
    const r = await service.runModel(req, opts);
    const text = r.outputs.map((o) => `${o.name} [${o.dims.join(', ')}] -> ${o.path}`).concat(`${r.ms.toFixed(1)} ms (compile included)`).join('\n');
    return { value: r, text };
  },
};
