// The repository/package root: the nearest ancestor of this file holding package.json. Works from
// engine/*.ts and from the compiled dist/engine/*.js alike, whatever the process's cwd.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..');
    dir = parent;
  }
}
