// Sliding-window geometry shared by Conv and the pools: strides/dilations/pads attributes,
// auto_pad (SAME_UPPER / SAME_LOWER / VALID) turned into explicit pads, output sizes and the
// ONNX ceil_mode rule.

import { attrInts, attrString, type Node } from '../ir/graph';
import { intsOr } from './common';

type Fail = (message: string) => never;

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** 2k: begins then ends, explicit (auto_pad resolved; ceil_mode extension NOT included). */
  pads: number[];
  /** Output spatial sizes. */
  out: number[];
}

function checkLen(name: string, v: number[], k: number, fail: Fail): number[] {
  if (v.length !== k) fail(`attribute '${name}' has ${v.length} values, expected ${k}`);
  return v;
}

/** Resolves the window of a Conv/pool over the spatial input sizes `inSp`. */
export function resolveWindow(node: Node, inSp: number[], kernel: number[], fail: Fail, ceilMode = false): Window {
  const k = inSp.length;
  if (kernel.length !== k) fail(`kernel has ${kernel.length} spatial dims, input has ${k}`);
  // The ONNX spec's ranges: a kernel of 0 would pool nothing (-inf) or convolve nothing.
  if (kernel.some((v) => !Number.isInteger(v) || v < 1)) fail(`kernel_shape [${kernel.join(', ')}] must hold integers >= 1`);
  const strides = checkLen('strides', intsOr(attrInts(node, 'strides', undefined), k, 1), k, fail);
  const dilations = checkLen('dilations', intsOr(attrInts(node, 'dilations', undefined), k, 1), k, fail);
  if (strides.some((s) => s < 1)) fail('strides must be >= 1');
  if (dilations.some((d) => d < 1)) fail('dilations must be >= 1');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads: number[];
  const out: number[] = [];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      const o = Math.ceil(inSp[i] / strides[i]);
      const eff = (kernel[i] - 1) * dilations[i] + 1;
      const total = Math.max(0, (o - 1) * strides[i] + eff - inSp[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + k] = total - pads[i];
      out.push(o);
    }
    return { kernel, strides, dilations, pads, out };
  }
  if (autoPad === 'VALID') pads = new Array<number>(2 * k).fill(0);
  else if (autoPad === 'NOTSET') pads = checkLen('pads', intsOr(attrInts(node, 'pads', undefined), 2 * k, 0), 2 * k, fail);
  else fail(`unknown auto_pad '${autoPad}'`);
  if (pads.some((p) => !Number.isInteger(p) || p < 0)) fail(`pads [${pads.join(', ')}] must hold integers >= 0`);
  for (let i = 0; i < k; i++) {
    const eff = (kernel[i] - 1) * dilations[i] + 1;
    const span = inSp[i] + pads[i] + pads[i + k] - eff;
    if (span < 0) fail(`window of ${eff} does not fit the padded input of ${inSp[i] + pads[i] + pads[i + k]} on spatial axis ${i}`);
    let o = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    // ONNX ceil rule: the last window must start inside the input plus its begin padding.
    if (ceilMode && (o - 1) * strides[i] >= inSp[i] + pads[i]) o--;
    out.push(o);
  }
  return { kernel, strides, dilations, pads, out };
}

/** Output size of one spatial axis with explicit pads, as oneDNN computes it (floor). */
export function windowOutput(inSize: number, padBegin: number, padEnd: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((inSize + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

/**
 * Pads whose ends give exactly the output sizes `w.out` by the floor rule (what the native pool
 * checks and oneDNN requires): ceil_mode's extension grows an end; where ONNX's ceil rule dropped a
 * last window that would start in the padding, the end shrinks to the last window's reach. No
 * window changes: an end pad only ever covers cells past the last window.
 */
export function padsWithCeil(w: Window, inSp: number[], fail?: Fail): number[] {
  const k = inSp.length;
  const pads = [...w.pads];
  for (let i = 0; i < k; i++) {
    if (windowOutput(inSp[i], pads[i], pads[i + k], w.kernel[i], w.strides[i], w.dilations[i]) === w.out[i]) continue;
    const eff = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const need = (w.out[i] - 1) * w.strides[i] + eff - inSp[i] - pads[i];
    if (need < 0 || windowOutput(inSp[i], pads[i], need, w.kernel[i], w.strides[i], w.dilations[i]) !== w.out[i]) {
      const msg = `no end padding of spatial axis ${i} gives ${w.out[i]} outputs (input ${inSp[i]}, begin pad ${pads[i]}, kernel ${w.kernel[i]}, stride ${w.strides[i]})`;
      if (fail) fail(msg);
      throw new Error(msg);
    }
    pads[i + k] = need;
  }
  return pads;
}
