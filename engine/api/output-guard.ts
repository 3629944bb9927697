// An output that would overwrite one of the same job's inputs (quantize --out equal to the model or
// the calibration data, run --output equal to --input) is refused before any work is done, naming
// both: the input would be gone by the time the job finished.

import { sameFile } from '../safe-fs';
import { QwbError } from './errors';

/** `outputs` and `inputs` as [what, path]; absent paths are skipped. */
export function refuseOverwritingInputs(outputs: [string, string | undefined][], inputs: [string, string | undefined][]): void {
  for (const [ow, out] of outputs) {
    if (!out) continue;
    for (const [iw, inp] of inputs) {
      if (inp && sameFile(out, inp)) {
        throw new QwbError('E_USAGE', `${ow} ${out} is the job's ${iw} (${inp}): it would overwrite it; choose another output path`);
      }
    }
  }
  const seen = outputs.filter(([, p]) => p);
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      if (sameFile(seen[i][1]!, seen[j][1]!)) throw new QwbError('E_USAGE', `${seen[i][0]} and ${seen[j][0]} are the same file (${seen[i][1]})`);
    }
  }
}
