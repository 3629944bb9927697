// Rewrites the README's CLI section (between the qwb-cli markers) from the option table
// (engine/cli/table.ts). test/engine/cli-help.test.ts fails when the README and the table drift.
// Usage: node dist/tools/update-cli-readme.js

import * as fs from 'node:fs';
import * as path from 'node:path';

import { readmeSection, replaceReadmeSection } from '../engine/cli/help';
import { packageRoot } from '../engine/package-root';

const file = path.join(packageRoot(), 'README.md');
const before = fs.readFileSync(file, 'utf8');
const after = replaceReadmeSection(before, readmeSection());
if (after === before) console.log(`${file}: CLI section up to date`);
else {
  fs.writeFileSync(file, after);
  console.log(`${file}: CLI section rewritten from engine/cli/table.ts`);
}
