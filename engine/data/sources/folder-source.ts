// Image folders (PNG/JPEG) decoded with sharp one item at a time (a few decodes in flight): alpha
// dropped, other colour spaces converted to sRGB, resized with sharp (scale to cover, center crop,
// bilinear) when a size is given.

import sharp from 'sharp';
import { DataError } from '../errors';
import type { RawItem } from '../preprocess';
import { scanFolder } from './folder-scan';
import type { Source } from './source';

const IN_FLIGHT = 4;

function corrupt(file: string, e: unknown): DataError {
  return new DataError('DATA_CORRUPT', `data: ${file} cannot be decoded as an image (${(e as Error).message})`);
}

async function decode(file: string, index: number, size?: [number, number]): Promise<RawItem> {
  try {
    const run = async (srgb: boolean) => {
      let img = sharp(file, { failOn: 'warning' }).removeAlpha();
      if (srgb) img = img.toColourspace('srgb');
      if (size) img = img.resize(size[1], size[0], { fit: 'cover', position: 'centre', kernel: 'linear' });
      return img.raw().toBuffer({ resolveWithObject: true });
    };
    let { data, info } = await run(false);
    if (info.channels !== 1 && info.channels !== 3) ({ data, info } = await run(true));
    return { index, pixels: data, h: info.height, w: info.width, c: info.channels, layout: 'hwc', file };
  } catch (e) {
    throw corrupt(file, e);
  }
}

export async function openFolderSource(root: string, size?: [number, number]): Promise<Source> {
  const { files, labels, classes } = await scanFolder(root);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(files[0]).metadata();
  } catch (e) {
    throw corrupt(files[0], e);
  }
  const ch = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
  return {
    path: root,
    total: files.length,
    shape: { h: meta.height ?? 0, w: meta.width ?? 0, c: ch === 1 ? 1 : 3, uint8: true },
    labels,
    classes,
    async *read(indices) {
      const pending: Array<Promise<RawItem>> = [];
      let next = 0;
      const fill = () => {
        while (pending.length < IN_FLIGHT && next < indices.length) {
          const i = indices[next++];
          const p = decode(files[i], i, size);
          p.catch(() => undefined); // awaited in order below; never an unhandled rejection
          pending.push(p);
        }
      };
      fill();
      while (pending.length > 0) {
        const item = await pending.shift()!;
        fill();
        yield item;
      }
    },
  };
}
