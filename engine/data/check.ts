// checkAgainstModelInput: the data's item shape against a model input's dims, before any work.
// Model dims: [N, C, H, W] (NCHW images), [N, H, W] (one channel) or [N, F] (flattened, F = C*H*W).
// Dims that are symbolic (strings), -1 or 0 match anything; the batch dim is not checked.

import { DataError } from './errors';
import type { Dataset } from './types';

type Dim = number | string;

const fixed = (d: Dim): d is number => typeof d === 'number' && d > 0;

export function checkAgainstModelInput(dataset: Pick<Dataset, 'source' | 'itemDims'>, modelInputDims: Dim[], inputName = 'input'): void {
  const [c, h, w] = dataset.itemDims;
  const gives = `${c}x${h}x${w}`;
  const dims = modelInputDims.slice(1);
  const show = (ds: Dim[]) => ds.map((d) => (fixed(d) ? String(d) : '?')).join('x');
  const fail = (expects: string, hints: string[]) => {
    const hint = hints.length ? `; use ${hints.join(' ')}` : '';
    throw new DataError('DATA_SHAPE', `data: ${dataset.source} gives ${gives} images but the model input '${inputName}' expects ${expects}${hint}`);
  };
  if (dims.length === 3) {
    const [mc, mh, mw] = dims;
    const hints: string[] = [];
    if ((fixed(mh) && mh !== h) || (fixed(mw) && mw !== w)) hints.push(`--size ${fixed(mh) ? mh : h},${fixed(mw) ? mw : w}`);
    if (fixed(mc) && mc !== c) hints.push(mc === 3 ? '--rgb' : mc === 1 ? '--gray' : `(${mc} channels cannot be made from images)`);
    if (hints.length) fail(show(dims), hints);
  } else if (dims.length === 2) {
    const [mh, mw] = dims;
    const hints: string[] = [];
    if ((fixed(mh) && mh !== h) || (fixed(mw) && mw !== w)) hints.push(`--size ${fixed(mh) ? mh : h},${fixed(mw) ? mw : w}`);
    if (c !== 1) hints.push('--gray');
    if (hints.length) fail(`1x${show(dims)} (one channel)`, hints);
  } else if (dims.length === 1) {
    const [f] = dims;
    if (fixed(f) && f !== c * h * w) fail(`${f} values per item (flattened); the data gives ${c * h * w}`, []);
  } else {
    fail(`rank ${modelInputDims.length} [${show(modelInputDims)}] (supported model inputs: [N,C,H,W], [N,H,W] or [N,features])`, []);
  }
}
