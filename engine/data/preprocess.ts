// Declared preprocessing (PreprocessSpec) resolved against a source, and applied to one decoded item:
// bilinear resize + center crop (skipped when the item already has the output size), colour
// conversion, scale, per-channel mean/std, written as CHW float32 into a batch buffer.

import { DataError } from './errors';
import type { PreprocessSpec } from './types';

/** One decoded item as a source hands it over: raw values, HWC or CHW, 1 or 3 channels. */
export interface RawItem {
  index: number;
  pixels: Uint8Array | Float32Array;
  h: number;
  w: number;
  c: number;
  layout: 'hwc' | 'chw';
  /** The image file, for folder sources (named in errors). */
  file?: string;
}

export interface PreprocessPlan {
  outC: number;
  outH: number;
  outW: number;
  /** Whether items of another size are resized (a size was asked for); else they must match. */
  resize: boolean;
  color: 'gray' | 'rgb' | 'bgr';
  mul: Float64Array; // scale / std[c]
  add: Float64Array; // -mean[c] / std[c]
}

export interface SourceShape {
  h: number;
  w: number;
  c: number;
  uint8: boolean;
}

const LUMA = [0.299, 0.587, 0.114]; // ITU-R BT.601, as PIL's convert('L')

function perChannel(name: string, v: number[] | undefined, dflt: number, c: number): number[] {
  const a = v ?? [dflt];
  if (!Array.isArray(a) || (a.length !== 1 && a.length !== c) || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new DataError('DATA_SPEC', `data: ${name} must be 1 or ${c} finite numbers (one per output channel), got ${JSON.stringify(v)}`);
  }
  return a.length === 1 ? new Array<number>(c).fill(a[0]) : a;
}

/** Resolves defaults and checks the options against the source (channels must be 1 or 3). */
export function planPreprocess(pre: PreprocessSpec, src: SourceShape, source: string): PreprocessPlan {
  if (src.c !== 1 && src.c !== 3) {
    throw new DataError('DATA_SHAPE', `data: ${source} has ${src.c} channels per item; expected 1 (gray) or 3 (RGB)`);
  }
  if (pre.layout !== undefined && pre.layout !== 'nchw') {
    throw new DataError('DATA_SPEC', `data: layout '${String(pre.layout)}' is not supported; expected 'nchw'`);
  }
  if (pre.color !== undefined && !['gray', 'rgb', 'bgr'].includes(pre.color)) {
    throw new DataError('DATA_SPEC', `data: color '${String(pre.color)}' is not supported; expected gray, rgb or bgr`);
  }
  if (pre.size !== undefined) {
    const s = pre.size;
    if (!Array.isArray(s) || s.length !== 2 || s.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new DataError('DATA_SPEC', `data: size must be two integers >= 1 (height, width), got ${JSON.stringify(s)}`);
    }
  }
  const scale = pre.scale ?? (src.uint8 ? 1 / 255 : 1);
  if (!Number.isFinite(scale)) throw new DataError('DATA_SPEC', `data: scale must be a finite number, got ${pre.scale}`);
  const color = pre.color ?? (src.c === 1 ? 'gray' : 'rgb');
  const outC = color === 'gray' ? 1 : 3;
  const mean = perChannel('mean', pre.mean, 0, outC);
  const std = perChannel('std', pre.std, 1, outC);
  if (std.some((s) => s === 0)) throw new DataError('DATA_SPEC', `data: std must not contain 0, got ${JSON.stringify(pre.std)}`);
  return {
    outC,
    outH: pre.size ? pre.size[0] : src.h,
    outW: pre.size ? pre.size[1] : src.w,
    resize: pre.size !== undefined,
    color,
    mul: Float64Array.from(std, (s) => scale / s),
    add: Float64Array.from(mean, (m, i) => -m / std[i]),
  };
}

/** Source channel weights that make output channel `oc`. */
function channelMix(color: PreprocessPlan['color'], srcC: number, oc: number): Array<[number, number]> {
  if (srcC === 1) return [[0, 1]];
  if (color === 'gray') return LUMA.map((w, i) => [i, w] as [number, number]);
  return [[color === 'bgr' ? 2 - oc : oc, 1]];
}

/** Source coordinates of each output row/column: scale to cover, center crop, half-pixel centres. */
function axis(srcLen: number, outLen: number, s: number, off: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outLen);
  const i1 = new Int32Array(outLen);
  const f = new Float64Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const p = Math.min(Math.max((o + off + 0.5) / s - 0.5, 0), srcLen - 1);
    i0[o] = Math.floor(p);
    i1[o] = Math.min(i0[o] + 1, srcLen - 1);
    f[o] = p - i0[o];
  }
  return { i0, i1, f };
}

/** Writes the preprocessed item as CHW at out[offset..]. */
export function writeItem(item: RawItem, plan: PreprocessPlan, out: Float32Array, offset: number, source: string): void {
  const { h, w, c, pixels } = item;
  const { outC, outH, outW } = plan;
  if ((h !== outH || w !== outW) && !plan.resize) {
    throw new DataError(
      'DATA_SHAPE',
      `data: ${item.file ?? `${source} item ${item.index}`} is ${h}x${w} but the dataset's items are ${outH}x${outW}; give a size (--size H,W) to resize all items`,
    );
  }
  if (c !== 1 && c !== 3) throw new DataError('DATA_SHAPE', `data: ${item.file ?? `${source} item ${item.index}`} has ${c} channels; expected 1 or 3`);
  const sC = item.layout === 'hwc' ? 1 : h * w;
  const sX = item.layout === 'hwc' ? c : 1;
  const sY = item.layout === 'hwc' ? w * c : w;
  if (h === outH && w === outW) {
    copyItem(item, plan, out, offset, sC, sX, sY);
    return;
  }
  const s = Math.max(outH / h, outW / w);
  const ys = axis(h, outH, s, (h * s - outH) / 2);
  const xs = axis(w, outW, s, (w * s - outW) / 2);
  const plane = outH * outW;
  for (let oc = 0; oc < outC; oc++) {
    const mix = channelMix(plan.color, c, oc);
    const mul = plan.mul[oc];
    const add = plan.add[oc];
    const base = offset + oc * plane;
    for (let y = 0; y < outH; y++) {
      const r0 = ys.i0[y] * sY;
      const r1 = ys.i1[y] * sY;
      const fy = ys.f[y];
      for (let x = 0; x < outW; x++) {
        const c0 = xs.i0[x] * sX;
        const c1 = xs.i1[x] * sX;
        const fx = xs.f[x];
        let v = 0;
        for (const [ch, wt] of mix) {
          const b = ch * sC;
          const top = pixels[b + r0 + c0] * (1 - fx) + pixels[b + r0 + c1] * fx;
          const bot = pixels[b + r1 + c0] * (1 - fx) + pixels[b + r1 + c1] * fx;
          v += wt * (top * (1 - fy) + bot * fy);
        }
        out[base + y * outW + x] = v * mul + add;
      }
    }
  }
}

/** writeItem without resizing (the item already has the output size). */
function copyItem(item: RawItem, plan: PreprocessPlan, out: Float32Array, offset: number, sC: number, sX: number, sY: number): void {
  const { h, w, c, pixels } = item;
  const plane = h * w;
  for (let oc = 0; oc < plan.outC; oc++) {
    const mix = channelMix(plan.color, c, oc);
    const mul = plan.mul[oc];
    const add = plan.add[oc];
    const base = offset + oc * plane;
    if (mix.length === 1) {
      const b = mix[0][0] * sC;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[base + y * w + x] = pixels[b + y * sY + x * sX] * mul + add;
    } else {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let v = 0;
          for (const [ch, wt] of mix) v += wt * pixels[ch * sC + y * sY + x * sX];
          out[base + y * w + x] = v * mul + add;
        }
      }
    }
  }
}
