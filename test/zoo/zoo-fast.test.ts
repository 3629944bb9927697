// The fast tier of the model corpus (tools/zoo-corpus.json, tier "fast"): small inputs, batch 2.
// The heavy tier (224x224 transformers, AlexNet, VGG, the ResNet-50 segmentation models) runs in
// `npm run test:zoo` (test/zoo/zoo-heavy.zoo-test.ts).

import { test } from 'node:test';

import { registerZooTests } from './corpus';

registerZooTests('fast', test);
