// Lists a folder dataset: class subfolders (sorted names -> class index, images found recursively)
// or a flat folder of images (no labels). Only .png/.jpg/.jpeg files are allowed; hidden entries
// (names starting with '.') are skipped; anything else is an error naming the file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, fsError } from '../errors';

export interface FolderListing {
  files: string[];
  labels?: Int32Array;
  classes?: string[];
}

const IMAGE = /\.(png|jpe?g)$/i;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function entries(dir: string): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  const list = await fs.promises.readdir(dir, { withFileTypes: true });
  for (const e of list.sort((a, b) => byName(a.name, b.name))) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await fs.promises.stat(full)).isDirectory());
    (isDir ? dirs : files).push(full);
  }
  return { dirs, files };
}

function checkImageName(file: string): void {
  if (!IMAGE.test(file)) {
    throw new DataError('DATA_FORMAT', `data: ${file} is not a PNG or JPEG image (expected .png, .jpg or .jpeg files only); remove it or move it out of the dataset folder`);
  }
}

async function imagesUnder(dir: string, out: string[]): Promise<void> {
  const { dirs, files } = await entries(dir);
  for (const f of files) {
    checkImageName(f);
    out.push(f);
  }
  for (const d of dirs) await imagesUnder(d, out);
}

export async function scanFolder(root: string): Promise<FolderListing> {
  let top: { dirs: string[]; files: string[] };
  try {
    const st = await fs.promises.stat(root);
    if (!st.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    top = await entries(root);
  } catch (e) {
    throw fsError(e, root, 'image folder');
  }
  for (const f of top.files) checkImageName(f);
  if (top.dirs.length === 0) {
    if (top.files.length === 0) throw new DataError('DATA_EMPTY', `data: folder ${root} holds no PNG or JPEG images; expected images, or class subfolders of images`);
    return { files: top.files };
  }
  if (top.files.length > 0) {
    throw new DataError(
      'DATA_SHAPE',
      `data: folder ${root} mixes images (${path.basename(top.files[0])}) with class subfolders (${path.basename(top.dirs[0])}); expected either a flat folder of images or only class subfolders`,
    );
  }
  const files: string[] = [];
  const labels: number[] = [];
  const classes = top.dirs.map((d) => path.basename(d));
  for (let k = 0; k < top.dirs.length; k++) {
    const start = files.length;
    await imagesUnder(top.dirs[k], files);
    for (let i = start; i < files.length; i++) labels.push(k);
  }
  if (files.length === 0) throw new DataError('DATA_EMPTY', `data: the class subfolders of ${root} (${classes.join(', ')}) hold no PNG or JPEG images`);
  return { files, labels: Int32Array.from(labels), classes };
}
