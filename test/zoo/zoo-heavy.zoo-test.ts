// The heavy tier of the model corpus (tools/zoo-corpus.json, tier "heavy"), run by
// `npm run test:zoo` (scripts/run-tests.js --zoo), which CI runs after `npm test`.

import { test } from 'node:test';

import { registerZooTests } from './corpus';

registerZooTests('heavy', test);
