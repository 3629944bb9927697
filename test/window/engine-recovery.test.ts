// Engine isolation and recovery at the router and in the store, with real engine processes: an
// engine killed during calibration fails only the job it ran, a new engine starts by itself and
// answers, the window's store reloads the open model into it and keeps the wizard's settings; the
// window's "Restart the engine" kills a running engine and starts a new one; an engine that keeps
// dying is not restarted forever.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { EngineEventMessage, FromEngineMessage, ShellSession } from '../../engine/api/contract';
import { EngineRouter } from '../../engine/host/engine-router';
import { forkEngine } from '../../engine/host/fork-engine';
import { EngineError } from '../../renderer/src/api/client';
import { createAppStore, type AppStore } from '../../renderer/src/store';
import type { StoreDeps } from '../../renderer/src/store/deps';
import { startTestEngine, tempDir, type TestEngine } from './engine-helpers';

const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function nextEvent(eng: TestEngine, kind: EngineEventMessage['event'], timeoutMs = 30_000): Promise<EngineEventMessage> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${kind}' event within ${timeoutMs} ms`)), timeoutMs);
    const off = eng.client.onEngineEvent((e) => {
      if (e.event !== kind) return;
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('engine recovery', () => {
  let eng: TestEngine;
  let tmp: string;
  before(() => {
    eng = startTestEngine();
    tmp = tempDir('qwb-recovery-');
  });
  after(() => {
    eng.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an engine killed during calibration: only that job fails, a new engine starts by itself and answers', async () => {
    const demo = await eng.client.call('demoInfo', undefined);
    const first = eng.pid();
    const startedBefore = eng.router.started;
    const out = path.join(tmp, 'killed.int8.onnx');
    const exited = nextEvent(eng, 'engine-exit');
    const restarted = nextEvent(eng, 'engine-restarted');
    let killed = false;
    const job = eng.client.call(
      'quantizeModel',
      { modelPath: demo.modelPath, outPath: out, calib: demo.images, calibCount: 1000, method: 'entropy', preprocess: { mean: demo.mean, std: demo.std } },
      {
        onProgress: (p) => {
          if (!killed && p.done !== undefined && p.done > 0) {
            killed = true;
            process.kill(first!, 'SIGKILL');
          }
        },
      },
    );
    await assert.rejects(job, (e: unknown) => {
      assert.ok(e instanceof EngineError && e.code === 'E_ENGINE', String(e));
      assert.match(e.message, /killed by SIGKILL.*lost; a new engine process is starting/);
      return true;
    });
    const exit = await exited;
    assert.equal(exit.restarting, true);
    assert.deepEqual(exit.lost, ['quantizeModel']);
    assert.match(exit.message, /SIGKILL/);
    // Nobody asked for anything: the shell started the new engine and probed it on its own.
    await restarted;
    assert.equal(eng.router.started, startedBefore + 1);
    const second = eng.pid();
    assert.ok(second !== first && alive(second), `a new engine process (${second}) replaced ${first}`);
    assert.equal(alive(first), false);
    assert.equal(fs.existsSync(out), false, 'the killed job wrote nothing');
    assert.ok((await eng.client.call('runtimeInfo', undefined)).cores > 0);
    assert.equal(eng.router.started, startedBefore + 1, 'the next request used that engine');
  });

  it('the store reloads the open model into the new engine and keeps the wizard’s settings', async () => {
    const calls: string[] = [];
    const session: ShellSession = { mode: 'browser', workspace: tmp, exportDir: path.join(tmp, 'exports'), version: 'test' };
    const deps: StoreDeps = {
      call: (m, p, o) => {
        calls.push(m);
        return eng.client.call(m, p, o);
      },
      restartEngine: () => eng.client.restartEngine(),
      session,
      persist: { load: () => undefined, save: () => {} },
      now: () => Date.now(),
    };
    const store: AppStore = createAppStore(deps);
    const off = eng.client.onEngineEvent((e) => store.getState().engine.onEvent(e));
    try {
      await store.getState().model.openDemo();
      await store.getState().calibration.useSample();
      const lastLayer = store.getState().model.layers!.at(-1)!.name;
      store.getState().calibration.setMode({ method: 'entropy', calibCount: '1000', symmetric: true, exclude: [lastLayer] });
      store.getState().calibration.setPreprocess({ mean: '0.3', std: '0.35' });
      const settings = JSON.stringify({ mode: store.getState().calibration.mode, pre: store.getState().calibration.preprocess, data: store.getState().calibration.data });
      const nodes = store.getState().model.summary!.nodeCount;

      const run = store.getState().run.start();
      await until('calibration progress', () => (store.getState().run.done ?? 0) > 0);
      const victim = eng.pid()!;
      calls.length = 0;
      process.kill(victim, 'SIGKILL');
      await run;
      const r = store.getState().run;
      assert.equal(r.status, 'error');
      assert.equal(r.error?.code, 'E_ENGINE');
      assert.match(r.error?.message ?? '', /killed by SIGKILL/);
      assert.equal(fs.existsSync(r.outPath!), false);

      await until('the recovery', () => store.getState().engine.notice?.recovered !== undefined);
      const e = store.getState().engine;
      assert.equal(e.status, 'running');
      assert.equal(e.restarts, 1);
      assert.deepEqual(e.notice?.lost, ['the quantization']);
      assert.match(e.notice?.message ?? '', /SIGKILL/);
      assert.equal(e.notice?.recovered, 'A new engine process is running: fashion_resnet.onnx was reloaded; your settings are kept.');
      // The model was read again, by the new engine process.
      assert.ok(calls.includes('inspectModel') && calls.includes('modelLayers'), `calls after the kill: ${calls}`);
      assert.notEqual(eng.pid(), victim);
      assert.equal(store.getState().model.status, 'ready');
      assert.equal(store.getState().model.summary!.nodeCount, nodes);
      assert.equal(JSON.stringify({ mode: store.getState().calibration.mode, pre: store.getState().calibration.preprocess, data: store.getState().calibration.data }), settings);

      // Only the job was lost: the same window, unchanged, runs it again to the end.
      store.getState().calibration.setMode({ method: 'minmax', calibCount: '32' });
      await store.getState().run.start();
      assert.equal(store.getState().run.status, 'done', JSON.stringify(store.getState().run.error));
      assert.ok(fs.existsSync(store.getState().run.result!.outPath));
      store.getState().engine.dismiss();
      assert.equal(store.getState().engine.notice, undefined);
    } finally {
      off();
    }
  });

  it('"Restart the engine" kills a running engine mid-job and starts a new one', async () => {
    const demo = await eng.client.call('demoInfo', undefined);
    const before = eng.pid();
    const exited = nextEvent(eng, 'engine-exit');
    const restarted = nextEvent(eng, 'engine-restarted');
    let asked = false;
    const job = eng.client.call(
      'quantizeModel',
      { modelPath: demo.modelPath, outPath: path.join(tmp, 'restarted.int8.onnx'), calib: demo.images, calibCount: 1000, method: 'entropy', preprocess: { mean: demo.mean, std: demo.std } },
      {
        onProgress: (p) => {
          if (!asked && p.done !== undefined && p.done > 0) {
            asked = true;
            eng.client.restartEngine();
          }
        },
      },
    );
    await assert.rejects(job, (e: unknown) => e instanceof EngineError && e.code === 'E_ENGINE' && /restarted from the window/.test(e.message));
    assert.match((await exited).message, /restarted from the window/);
    await restarted;
    const after = eng.pid();
    assert.ok(after !== before && alive(after));
    await until('the old engine to be gone', () => !alive(before));
    assert.ok(!fs.existsSync(path.join(tmp, 'restarted.int8.onnx')));
  });

  it('"Restart the engine" also ends an engine that ignores SIGTERM (SIGKILL after the grace period)', async () => {
    const stubborn = path.join(tmp, 'stubborn.js');
    fs.writeFileSync(stubborn, "process.on('SIGTERM', () => {}); process.on('message', () => {}); setInterval(() => {}, 1000);\n");
    const pids: number[] = [];
    const router = new EngineRouter(() => {
      const ch = forkEngine({ entry: stubborn });
      pids.push(ch.pid!);
      return ch;
    });
    const answers: FromEngineMessage[] = [];
    const client = router.connect((m) => answers.push(m));
    try {
      client.handle({ id: 1, method: 'runtimeInfo' });
      await until('the first engine', () => pids.length === 1 && alive(pids[0]));
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      client.handle({ control: 'restart-engine' });
      await until('the stuck engine to be gone', () => !alive(pids[0]), 10_000);
      const took = Date.now() - t0;
      assert.ok(took >= 1500 && took < 6000, `gone ${took} ms after the restart`);
      assert.equal(pids.length, 2);
      const failed = answers.find((a) => 'id' in a && a.id === 1);
      assert.ok(failed && 'error' in failed && failed.error.code === 'E_ENGINE');
    } finally {
      router.close();
      await until('the engines to be gone', () => pids.every((p) => !alive(p)), 10_000);
    }
  });

  it('an engine that keeps dying is not restarted forever; a restart from the window tries again', async () => {
    const crash = path.join(tmp, 'crash-at-once.js');
    fs.writeFileSync(crash, 'process.exit(3);\n');
    const router = new EngineRouter(() => forkEngine({ entry: crash }), { crashLimit: 3, crashWindowMs: 60_000 });
    const events: EngineEventMessage[] = [];
    const answers: FromEngineMessage[] = [];
    const client = router.connect((m) => ('event' in m ? events.push(m) : answers.push(m)));
    try {
      client.handle({ id: 1, method: 'runtimeInfo' });
      await until('three exits', () => events.filter((e) => e.event === 'engine-exit').length >= 3, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      const exits = events.filter((e) => e.event === 'engine-exit');
      assert.equal(exits.length, 3, JSON.stringify(events));
      assert.deepEqual(
        exits.map((e) => e.restarting),
        [true, true, false],
      );
      assert.match(exits[2].message, /exited with code 3\. It stopped 3 times within 60 s, so no new engine is started by itself/);
      assert.equal(router.started, 3);
      assert.ok(answers.length === 1 && 'error' in answers[0] && answers[0].error.code === 'E_ENGINE');
      // The window's restart tries again (three more times, then gives up again).
      client.handle({ control: 'restart-engine' });
      await until('three more exits', () => events.filter((e) => e.event === 'engine-exit').length >= 6, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(router.started, 6);
      // Anything else that looks like a control is a malformed message: no restart.
      client.handle({ control: 'restart-engine', id: 9 });
      client.handle({ control: 'shutdown' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(router.started, 6);
      const refused = answers.find((a) => 'id' in a && a.id === 9);
      assert.ok(refused && 'error' in refused && refused.error.code === 'E_PROTOCOL', JSON.stringify(answers));
    } finally {
      router.close();
    }
  });
});
