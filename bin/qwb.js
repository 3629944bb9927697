#!/usr/bin/env node
// qwb launcher: the CLI is compiled TypeScript under dist/.
'use strict';
const fs = require('fs');
const path = require('path');

const entry = path.join(__dirname, '..', 'dist', 'engine', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(`qwb: ${entry} is missing; build first with \`npm run build\` (or \`npx tsc -p tsconfig.json\`)\n`);
  process.exit(1);
}
require(entry).runFromProcess();
