// .npy image arrays: float32 or uint8, (N,H,W), (N,C,H,W) or (N,H,W,C) (see readers/npy-header.ts),
// read at offsets, with an optional labels file.

import { loadLabels } from '../labels';
import { readNpyHeader } from '../readers/npy-header';
import { readRawRecords } from '../readers/idx-stream';
import type { Source } from './source';

export async function openNpySource(data: string, labelsFile?: string, layout?: 'nchw' | 'nhwc'): Promise<Source> {
  const h = await readNpyHeader(data, layout);
  const elem = h.dtype === 'f4' ? 4 : 1;
  const recordBytes = h.h * h.w * h.c * elem;
  const labels = labelsFile === undefined ? undefined : await loadLabels(labelsFile, h.n, data);
  return {
    path: data,
    total: h.n,
    shape: { h: h.h, w: h.w, c: h.c, uint8: h.dtype === 'u1' },
    labels,
    async *read(indices) {
      for await (const r of readRawRecords(data, h.dataOffset, recordBytes, indices)) {
        // Copy so that float32 views are aligned (little-endian x86, as '<f4' is).
        const bytes = r.bytes.slice();
        const pixels = h.dtype === 'f4' ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : bytes;
        yield { index: r.index, pixels, h: h.h, w: h.w, c: h.c, layout: h.layout === 'nchw' ? 'chw' : 'hwc' };
      }
    },
  };
}
