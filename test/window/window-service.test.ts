// The service methods the window adds: the layer table, the data preview (checked against the IDX
// bytes read independently here) and the export details (snippet from the real example.c).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';

import { Service } from '../../engine/api/service';
import { usageSnippet } from '../../engine/api/export-details';
import { EXAMPLE_C } from '../../engine/export/example-c';
import { NodeHost } from '../../engine/host/node-host';

const service = new Service(new NodeHost());

describe('window service methods', () => {
  it('modelLayers: every node, shapes, what quantizes and why not', async () => {
    const demo = await service.demoInfo();
    const summary = await service.inspectModel({ path: demo.modelPath });
    const { layers } = await service.modelLayers({ path: demo.modelPath });
    assert.equal(layers.length, summary.nodeCount);
    assert.equal(summary.fileBytes, fs.statSync(demo.modelPath).size);
    const convs = layers.filter((l) => l.op === 'Conv');
    assert.ok(convs.length > 0 && convs.every((l) => l.quantizable), 'every Conv of the demo quantizes');
    assert.ok(convs.every((l) => l.outputShape?.length === 4 && l.outputShape[0] === 1));
    const relu = layers.find((l) => l.op === 'Relu' && l.quantizable);
    assert.match(relu?.note ?? '', /^fused into /);
    const bn = layers.find((l) => l.op === 'BatchNormalization');
    if (bn) assert.match(bn.note ?? '', /folded/);
    assert.ok(layers.every((l) => !l.unsupported));
  });

  it('previewData: thumbnails, labels and the preprocessed range of the demo sample', async () => {
    const demo = await service.demoInfo();
    const p = await service.previewData({ data: demo.images, labels: demo.labels, modelPath: demo.modelPath, preprocess: { mean: demo.mean, std: demo.std }, samples: 6, statsSamples: 100, classNames: demo.classes });
    assert.equal(p.kind, 'idx');
    assert.equal(p.total, 1000);
    assert.deepEqual(p.itemDims, [1, 28, 28]);
    assert.equal(p.samples.length, 6);
    for (const s of p.samples) assert.match(s.thumbnail, /^data:image\/png;base64,iVBOR/);
    assert.equal(p.problem, undefined);

    // Oracle: the raw IDX records and labels, decoded here.
    const img = zlib.gunzipSync(fs.readFileSync(demo.images));
    const lab = zlib.gunzipSync(fs.readFileSync(demo.labels));
    const px = img.subarray(16, 16 + 100 * 784);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of px) {
      const x = (v / 255 - demo.mean[0]) / demo.std[0];
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    assert.equal(p.stats.count, 100);
    assert.ok(Math.abs(p.stats.min - min) < 1e-5 && Math.abs(p.stats.max - max) < 1e-5);
    assert.ok(Math.abs(p.stats.mean - sum / px.length) < 1e-4, `${p.stats.mean} vs ${sum / px.length}`);
    const counts = new Map<number, number>();
    for (const l of lab.subarray(8, 108)) counts.set(l, (counts.get(l) ?? 0) + 1);
    assert.deepEqual(p.labels.map((l) => [l.label, l.count]), [...counts].sort((a, b) => a[0] - b[0]));
    assert.equal(p.samples[0].labelName, demo.classes[lab[8]]);
  });

  it('previewData names a data set that does not fit the model', async () => {
    const demo = await service.demoInfo();
    const p = await service.previewData({ data: demo.images, labels: demo.labels, modelPath: demo.modelPath, preprocess: { size: [32, 32] }, samples: 1, statsSamples: 1 });
    assert.match(p.problem ?? '', /1x32x32.*expects/);
  });

  it('usageSnippet: the ABI calls of the generated example.c', () => {
    const s = usageSnippet(EXAMPLE_C)!;
    for (const call of ['qwb_create(&model', 'qwb_input_dims(model', 'qwb_run(model', 'qwb_destroy(model)']) assert.ok(s.includes(call), call);
    assert.ok(!s.includes('--iters'), 'option parsing left out');
    assert.ok(s.split('\n').length < 30, s);
  });
});
