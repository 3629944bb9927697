// IDX image files: uint8 (N,H,W) or (N,H,W,C), raw or gzip, with an optional labels file.

import { DataError } from '../errors';
import { loadLabels } from '../labels';
import { readIdxHeader, readRecords } from '../readers/idx-stream';
import type { Source } from './source';

export async function openIdxSource(images: string, labelsFile?: string): Promise<Source> {
  const h = await readIdxHeader(images);
  const s = h.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new DataError('DATA_SHAPE', `data: ${images} has shape [${s.join(',')}]; expected images (N,H,W) or (N,H,W,C)${s.length === 1 ? ' (is this a labels file?)' : ''}`);
  }
  const [n, height, width] = s;
  const c = s.length === 4 ? s[3] : 1;
  const recordBytes = height * width * c;
  const labels = labelsFile === undefined ? undefined : await loadLabels(labelsFile, n, images);
  return {
    path: images,
    total: n,
    shape: { h: height, w: width, c, uint8: true },
    labels,
    async *read(indices) {
      for await (const r of readRecords(h, recordBytes, indices)) {
        yield { index: r.index, pixels: r.bytes, h: height, w: width, c, layout: 'hwc' };
      }
    },
  };
}
