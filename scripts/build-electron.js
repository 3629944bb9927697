#!/usr/bin/env node
// Bundles Electron's main process and preload into dist/electron/ with esbuild (a sandboxed preload
// cannot require its sibling files, so both are single files; `electron` stays external), and the
// electron-builder configuration for `npm run dist`. Type-checking is tsc -p electron/tsconfig.json.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['electron', 'electron-builder'], sourcemap: true, logLevel: 'warning' };
esbuild.buildSync({ ...common, entryPoints: [path.join(root, 'electron', 'main.ts')], outfile: path.join(root, 'dist', 'electron', 'main.js') });
esbuild.buildSync({ ...common, entryPoints: [path.join(root, 'electron', 'preload.ts')], outfile: path.join(root, 'dist', 'electron', 'preload.js') });
esbuild.buildSync({ ...common, sourcemap: false, entryPoints: [path.join(root, 'electron', 'builder.config.ts')], outfile: path.join(root, 'dist', 'electron', 'builder.config.js') });
