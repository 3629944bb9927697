// What exported artifacts and reports say about files: names, never where they sit on the machine
// that made them (a user name, a folder layout). manifest.json, the export's README.md, the QDQ
// model's metadata and the JSON/CSV reports all go through here.

import * as path from 'node:path';

/** A file's name without its folder (either separator: a model quantized on Windows too). */
export function portableName(file: string): string {
  return path.win32.basename(path.posix.basename(file));
}

/** `text` with every mention of `file` (as given and absolute) and of its folder reduced to the
 *  file's name (messages such as "/home/me/m.onnx: opset 9 is below ..." become "m.onnx: ..."). */
export function portableText(text: string, file: string): string {
  const abs = path.resolve(file);
  let out = text;
  for (const f of new Set([abs, file])) if (f !== portableName(file)) out = out.split(f).join(portableName(file));
  const dir = `${path.dirname(abs)}${path.sep}`;
  return dir === path.sep ? out : out.split(dir).join('');
}
