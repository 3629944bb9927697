// The window's store slices, each driven through its actions against a real engine process (the
// same client the window uses), plus the pure parts: preprocessing parsing, the reduce-range
// preset, the ETA and the chart selectors.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { RuntimeInfo, ShellSession } from '../../engine/api/contract';
import { createAppStore, type AppStore } from '../../renderer/src/store';
import { parsePreprocess } from '../../renderer/src/store/calibration-slice';
import type { StoreDeps } from '../../renderer/src/store/deps';
import { estimateEta } from '../../renderer/src/store/eta';
import { reduceRangePreset } from '../../renderer/src/store/reduce-range';
import { Service } from '../../engine/api/service';
import { NodeHost } from '../../engine/host/node-host';
import { selectHeadline, selectLayerRows, selectLayerSqnr, selectLayerTiming, selectOpHistogram } from '../../renderer/src/store/selectors';
import { startTestEngine, tempDir, type TestEngine } from './engine-helpers';

describe('store slices (real engine)', () => {
  let eng: TestEngine;
  let tmp: string;
  let saved: Map<string, unknown>;
  const makeStore = (): AppStore => {
    const session: ShellSession = { mode: 'browser', workspace: tmp, exportDir: path.join(tmp, 'exports'), version: 'test' };
    const deps: StoreDeps = {
      call: (m, p, o) => eng.client.call(m, p, o),
      restartEngine: () => eng.client.restartEngine(),
      session,
      persist: { load: (k) => saved.get(k), save: (k, v) => void saved.set(k, v) },
      now: () => Date.now(),
    };
    return createAppStore(deps);
  };
  before(() => {
    eng = startTestEngine();
    tmp = tempDir('qwb-store-');
    saved = new Map();
  });
  after(() => {
    eng.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('model: opens the demo, remembers it, reports a missing file in place', async () => {
    const store = makeStore();
    await store.getState().model.openDemo();
    let m = store.getState().model;
    assert.equal(m.status, 'ready');
    assert.equal(m.summary?.nodeCount, 22);
    assert.equal(m.layers?.length, 22);
    assert.equal(m.recent[0].source, 'demo');
    assert.deepEqual(saved.get('qwb.recent'), m.recent);
    // The wizard is preset from the model's input [batch, 1, 28, 28].
    assert.equal(store.getState().calibration.preprocess.size, '28, 28');
    assert.equal(store.getState().calibration.preprocess.color, 'gray');
    // A fresh store reads the recent list back.
    assert.equal(makeStore().getState().model.recent[0].path, m.ref!.path);

    const gone = path.join(tmp, 'gone.onnx');
    await store.getState().model.open({ path: gone, name: 'gone.onnx', source: 'path' });
    m = store.getState().model;
    assert.equal(m.status, 'error');
    assert.equal(m.error?.code, 'E_IO');
    assert.equal(m.error?.title, 'Opening gone.onnx');
    assert.ok(m.error?.message.includes(gone));
    assert.match(m.error?.hint ?? '', /exists/);
    assert.ok(!m.recent.some((r) => r.path === gone), 'a model that failed to open is not remembered');
    m.forget(m.recent[0].path);
    assert.equal(store.getState().model.recent.length, 0);
  });

  it('calibration: steps, the bundled sample with its preview, preprocessing checks', async () => {
    const store = makeStore();
    await store.getState().model.openDemo();
    const c = () => store.getState().calibration;
    c().back();
    assert.equal(c().step, 'data');
    c().next();
    c().next();
    c().next();
    c().next();
    assert.equal(c().step, 'run');
    c().setStep('data');
    await c().useSample();
    assert.equal(c().source, 'sample');
    assert.equal(c().previewStatus, 'ready');
    assert.equal(c().preview?.samples.length, 12);
    assert.equal(c().preview?.labels.length, 10);
    assert.equal(c().preprocess.mean, '0.286');
    c().setPreprocess({ size: '32' });
    await c().loadPreview();
    assert.equal(c().previewStatus, 'error');
    assert.match(c().previewError?.message ?? '', /Size: give height and width/);
    c().setPreprocess({ size: '32, 32' });
    await c().loadPreview();
    assert.equal(c().previewStatus, 'ready');
    assert.match(c().preview?.problem ?? '', /expects/);
    assert.deepEqual(parsePreprocess({ size: '224,224', color: 'rgb', mean: '0.485 0.456 0.406', std: '0.229, 0.224, 0.225' }), {
      size: [224, 224],
      color: 'rgb',
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
    assert.throws(() => parsePreprocess({ size: '', color: '', mean: 'a', std: '' }), /Mean: 'a' is not a list of numbers/);
    assert.throws(() => parsePreprocess({ size: '', color: '', mean: '', std: '0' }), /divide by zero/);
  });

  it('run: cancel stops the job (cancelled, not an error, no file); a second run finishes', async () => {
    const store = makeStore();
    await store.getState().model.openDemo();
    await store.getState().calibration.useSample();
    await store.getState().calibration.loadRuntime();
    store.getState().calibration.setMode({ method: 'entropy', calibCount: '1000' });
    const started = store.getState().run.start();
    await new Promise<void>((resolve) => {
      const off = store.subscribe((s) => {
        if (s.run.done !== undefined && s.run.done > 0) {
          off();
          resolve();
        }
      });
    });
    store.getState().run.cancel();
    assert.equal(store.getState().run.status, 'cancelling');
    await started;
    const r = store.getState().run;
    assert.equal(r.status, 'cancelled');
    assert.equal(r.error, undefined);
    assert.ok(r.cancelMs! < 1000, `engine answered the cancel in ${r.cancelMs} ms`);
    assert.equal(fs.existsSync(r.outPath!), false);

    store.getState().calibration.setMode({ method: 'minmax', calibCount: '64' });
    const seen: number[] = [];
    const off = store.subscribe((s) => {
      if (s.run.done !== undefined && seen[seen.length - 1] !== s.run.done) seen.push(s.run.done);
    });
    await store.getState().run.start();
    off();
    const done = store.getState().run;
    assert.equal(done.status, 'done', JSON.stringify(done.error));
    assert.equal(done.result?.calibrationSamples, 64);
    assert.ok(fs.existsSync(done.result!.outPath));
    assert.ok(done.outPath!.startsWith(path.join(tmp, 'models')), done.outPath);
    assert.equal(done.result?.weightBits, store.getState().calibration.mode.reduceRange ? 7 : 8);
    assert.ok(seen.length >= 1 && seen[seen.length - 1] === 64, `progress counts ${seen}`);

    // Compare, then the exports that need it.
    const cmp = () => store.getState().compare;
    cmp().setLimit('100');
    await store.getState().export.start('json');
    assert.equal(store.getState().export.jobs.json.status, 'error', 'JSON report before the comparison');
    await cmp().start();
    assert.equal(cmp().status, 'done', JSON.stringify(cmp().error));
    assert.equal(cmp().result?.count, 100);
    const h = selectHeadline(cmp().result, cmp().benchFp32, cmp().benchInt8, cmp().sizes)!;
    assert.ok(h.fp32.top1! > 0.8 && Math.abs(h.int8.top1! - h.fp32.top1!) < 0.05);
    assert.ok(h.int8.bytes < h.fp32.bytes, 'INT8 weights are smaller');
    assert.ok(h.speedup > 0 && h.batch === 8);
    const timing = selectLayerTiming(cmp().benchFp32);
    assert.ok(timing.length > 0 && timing.length <= 12);
    assert.ok(timing.some((t) => t.int8 !== null));
    const sq = selectLayerSqnr(cmp().result);
    assert.equal(sq.filter((x) => x.worst).length, 3);
    assert.ok(sq.every((x, i) => i === 0 || x.sqnr >= sq[i - 1].sqnr));

    const ex = () => store.getState().export;
    ex().setFolder(path.join(tmp, 'out'));
    await ex().start('json');
    await ex().start('qdq');
    assert.equal(ex().jobs.json.status, 'done', JSON.stringify(ex().jobs.json.error));
    assert.equal(ex().jobs.qdq.status, 'done', JSON.stringify(ex().jobs.qdq.error));
    const report = JSON.parse(fs.readFileSync(ex().jobs.json.result!.files[0], 'utf8')) as { count: number };
    assert.equal(report.count, 100);
    assert.ok(ex().jobs.qdq.result!.entries![0].bytes > 10_000);

    // Opening another model clears what belonged to the last one.
    await store.getState().model.openDemo();
    assert.equal(store.getState().run.status, 'idle');
    assert.equal(store.getState().compare.status, 'idle');
    assert.equal(store.getState().export.jobs.json.status, 'idle');
  });
});

describe('store pure parts', () => {
  const info = (accumulation: RuntimeInfo['int8']['accumulation'], weightBits: 7 | 8, reason: string): RuntimeInfo => ({
    onednn: '2.6.3', isa: 'avx2', cores: 2, cpu: { vendor: 'x', brand: 'x', features: [] }, int8: { accumulation, weightBits, reason },
  });

  it("reduce range: the engine's advice and reason, never a guess from the ISA's name", () => {
    const sat = reduceRangePreset(info('16bit-pairs', 7, "7-bit weights (reduce range): oneDNN's int8 kernels here have no VNNI or AMX"));
    assert.equal(sat.on, true);
    assert.match(sat.reason, /^7-bit weights .*no VNNI or AMX\.$/);
    // An ISA name that mentions nothing still follows the advice (Zen 5 reports avx512_core_bf16).
    assert.equal(reduceRangePreset({ ...info('vnni', 8, '8-bit weights: 32 bits (VNNI)'), isa: 'avx512_core_bf16' }).on, false);
    assert.equal(reduceRangePreset(info('amx', 8, '8-bit weights: 32 bits (AMX)')).on, false);
    assert.equal(reduceRangePreset(undefined).on, true);
  });

  it('reduce range preset of this machine is what quantize itself picks', async () => {
    const real = await new Service(new NodeHost()).runtimeInfo();
    assert.equal(reduceRangePreset(real).on, real.int8.accumulation === '16bit-pairs');
  });

  it('ETA from the rate since the first counted event', () => {
    assert.equal(estimateEta({}, 1000, 10, 100), undefined);
    assert.equal(estimateEta({ t0: 0, done0: 0 }, 0, 0, 100), undefined);
    assert.equal(estimateEta({ t0: 1000, done0: 10 }, 3000, 30, 100), 7); // 10 items/s, 70 left
    assert.equal(estimateEta({ t0: 0, done0: 0 }, 1000, 100, 100), 0);
  });

  it('selectors: histogram and layer table put unsupported ops first; search by name or op', () => {
    const summary = { opCounts: { Conv: 3, Relu: 3, Foo: 1 }, unsupportedOps: [{ opType: 'Foo', nodes: ['f'] }] } as never;
    assert.deepEqual(
      selectOpHistogram(summary).map((o) => o.op),
      ['Foo', 'Conv', 'Relu'],
    );
    const rows = [
      { name: 'a', op: 'Conv', quantizable: true },
      { name: 'f', op: 'Foo', quantizable: false, unsupported: true },
      { name: 'b', op: 'Relu', quantizable: true },
    ];
    assert.deepEqual(
      selectLayerRows(rows, '').map((r) => r.name),
      ['f', 'a', 'b'],
    );
    assert.deepEqual(
      selectLayerRows(rows, 'RELU').map((r) => r.name),
      ['b'],
    );
  });
});
