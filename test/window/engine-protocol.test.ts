// The engine process's message protocol, against a real engine process: request ids, errors,
// progress, cancel (the job stops within a second and writes nothing), refusal of anything outside
// SERVICE_METHODS at both ends, and a crash of the engine that the shell survives.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { FromEngineMessage, ProgressEvent } from '../../engine/api/contract';
import { forkEngine } from '../../engine/host/fork-engine';
import { checkToEngine } from '../../engine/host/protocol';
import { EngineError } from '../../renderer/src/api/client';
import { startTestEngine, tempDir, type TestEngine } from './engine-helpers';

describe('engine protocol', () => {
  let eng: TestEngine;
  let tmp: string;
  before(() => {
    eng = startTestEngine();
    tmp = tempDir('qwb-protocol-');
  });
  after(() => {
    eng.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('checks messages: methods from SERVICE_METHODS only, ids, params', () => {
    assert.equal(checkToEngine({ id: 1, method: 'inspectModel', params: { path: 'x' } }).kind, 'request');
    assert.equal(checkToEngine({ id: 1, cancel: true }).kind, 'cancel');
    for (const bad of [null, 3, [], { id: -1, method: 'demo' }, { id: 1.5, method: 'demo' }, { id: 2, method: 'toString' }, { id: 2, method: 'constructor' }, { id: 3, method: 'demo', params: [1] }]) {
      const c = checkToEngine(bad);
      assert.equal(c.kind, 'invalid', JSON.stringify(bad));
      if (c.kind === 'invalid') assert.equal(c.error.code, 'E_PROTOCOL');
    }
  });

  it('answers concurrent requests by their own ids', async () => {
    const [info, demo, info2] = await Promise.all([eng.client.call('runtimeInfo', undefined), eng.client.call('demoInfo', undefined), eng.client.call('runtimeInfo', undefined)]);
    assert.match(info.onednn, /^\d+\.\d+/);
    assert.deepEqual(info2, info);
    assert.ok(demo.modelPath.endsWith('fashion_resnet.onnx'));
    assert.equal(demo.sampleCount, 1000);
    assert.equal(demo.classes.length, 10);
  });

  it('returns engine errors as plain {code, message} naming the file', async () => {
    const missing = path.join(tmp, 'nope.onnx');
    await assert.rejects(eng.client.call('inspectModel', { path: missing }), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'E_IO');
      assert.ok(e.message.includes(missing), e.message);
      return true;
    });
  });

  it('refuses unknown methods in the shell and in the engine process itself', async () => {
    const viaRouter = new Promise<FromEngineMessage>((resolve) => {
      const rc = eng.router.connect(resolve);
      rc.handle({ id: 7, method: 'readFile', params: { path: '/etc/passwd' } });
    });
    const m = await viaRouter;
    assert.ok('error' in m && m.id === 7 && m.error.code === 'E_PROTOCOL', JSON.stringify(m));

    // Straight to a fresh engine process, no router in between.
    const ch = forkEngine();
    try {
      const answers: FromEngineMessage[] = [];
      const got = new Promise<void>((resolve) =>
        ch.onMessage((msg) => {
          answers.push(msg);
          if (answers.length === 2) resolve();
        }),
      );
      ch.send({ id: 1, method: '__proto__' } as never);
      ch.send({ id: 2, method: 'runtimeInfo' });
      await got;
      const byId = new Map(answers.map((a) => ['id' in a ? a.id : -1, a]));
      const a1 = byId.get(1)!;
      assert.ok('error' in a1 && a1.error.code === 'E_PROTOCOL');
      assert.ok('result' in byId.get(2)!);
    } finally {
      ch.kill();
    }
  });

  it('reports progress with counts, and cancel stops the job within a second writing nothing', async () => {
    const demo = await eng.client.call('demoInfo', undefined);
    const out = path.join(tmp, 'cancelled.int8.onnx');
    const events: ProgressEvent[] = [];
    const ctl = new AbortController();
    let cancelledAt = 0;
    const job = eng.client.call(
      'quantizeModel',
      { modelPath: demo.modelPath, outPath: out, calib: demo.images, calibLabels: demo.labels, calibCount: 1000, method: 'entropy', preprocess: { mean: demo.mean, std: demo.std } },
      {
        signal: ctl.signal,
        onProgress: (p) => {
          events.push(p);
          if (!cancelledAt && p.done !== undefined && p.done > 0) {
            cancelledAt = Date.now();
            ctl.abort();
          }
        },
      },
    );
    await assert.rejects(job, (e: unknown) => e instanceof EngineError && e.code === 'E_CANCELLED');
    const took = Date.now() - cancelledAt;
    assert.ok(cancelledAt > 0, 'a progress event with a count came before the end');
    assert.ok(took < 1000, `cancel took ${took} ms`);
    const counted = events.find((e) => e.done !== undefined);
    assert.ok(counted && counted.total === 1000 && counted.job === 'quantize', JSON.stringify(counted));
    assert.equal(fs.existsSync(out), false, 'a cancelled quantize writes nothing');
    // The engine is still there and answers.
    assert.ok((await eng.client.call('runtimeInfo', undefined)).cores > 0);
  });

  it('survives an engine crash: pending requests fail with E_ENGINE, the next one starts a new engine', async () => {
    const demo = await eng.client.call('demoInfo', undefined);
    const first = eng.pid();
    const exits: string[] = [];
    const off = eng.client.onEngineExit((m) => exits.push(m));
    const job = eng.client.call(
      'quantizeModel',
      { modelPath: demo.modelPath, outPath: path.join(tmp, 'crash.int8.onnx'), calib: demo.images, calibCount: 1000, method: 'entropy', preprocess: { mean: demo.mean, std: demo.std } },
      { onProgress: () => (first ? process.kill(first, 'SIGSEGV') : undefined) },
    );
    await assert.rejects(job, (e: unknown) => {
      assert.ok(e instanceof EngineError && e.code === 'E_ENGINE', String(e));
      assert.match(e.message, /SIGSEGV.*crash in native code/);
      return true;
    });
    off();
    assert.equal(exits.length, 1);
    const info = await eng.client.call('runtimeInfo', undefined);
    assert.ok(info.cores > 0);
    assert.notEqual(eng.pid(), first, 'a new engine process answered');
  });
});
