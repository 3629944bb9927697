// Every engine request's params are checked against its method's schema before any engine code
// runs, with one sentence naming the method and the field: in the shell's router (which the web
// host's socket and Electron's IPC both feed) and again in the engine process itself.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SERVICE_METHODS, type FromEngineMessage } from '../../engine/api/contract';
import { forkEngine } from '../../engine/host/fork-engine';
import { checkParams, METHOD_SCHEMAS } from '../../engine/host/method-schemas';
import { checkToEngine } from '../../engine/host/protocol';
import { startTestEngine } from './engine-helpers';

/** Params each method is really called with (the window's store and the CLI build these). */
const VALID: Record<string, unknown[]> = {
  inspectModel: [{ path: '/m.onnx' }, { path: 'm.onnx', batch: 4, inputDims: { x: [1, 3, 224, 224] } }],
  modelLayers: [{ path: '/m.onnx' }],
  runModel: [
    { modelPath: 'm.onnx', input: 'x.npy', output: 'y.npy' },
    { modelPath: 'm.onnx', input: { a: 'a.npy' }, output: { y: 'y.npy' }, threads: 2, fused: false },
  ],
  evaluate: [{ modelPath: 'm.onnx', data: 'd', labels: 'l', mean: [0.5], std: [0.25], batch: 8, backend: 'ort', preprocess: { size: [28, 28], color: 'gray' } }],
  demo: [undefined, {}, { limit: 10, int8: false }],
  runtimeInfo: [undefined, {}],
  demoInfo: [undefined],
  quantizeModel: [
    {
      modelPath: '/a.onnx',
      outPath: '/b.onnx',
      method: 'entropy',
      calib: 'd',
      calibCount: 256,
      perTensor: false,
      symmetric: false,
      reduceRange: true,
      exclude: ['/fc/Gemm'],
      preprocess: { size: [28, 28], color: 'gray', mean: [0.286], std: [0.353] },
      // What structured clone (Electron's IPC) keeps and JSON drops: an optional field left undefined.
      calibLabels: undefined,
    },
    { modelPath: 'a', outPath: 'b', method: 'custom', thresholdsFile: 't.json', targetDrop: 0.5, data: 'd', limit: 100 },
  ],
  compareModels: [{ fp32Path: 'a', int8Path: 'b', data: 'd', limit: 300, layerSamples: 16, preprocess: {} }],
  benchModel: [{ modelPath: 'a', int8Path: 'b', perLayer: true, batch: 8, iters: 20 }],
  exportModel: [
    { modelPath: 'a', format: 'so', out: '/tmp/x', maxBatch: 64 },
    // A comparison without labels: JSON carries NaN accuracy and infinite SQNR as null.
    { modelPath: 'a', format: 'json', out: '/tmp/x', comparison: { count: 3, fp32: { top1: null, top5: null, ms: 1 }, int8: { top1: NaN, top5: 0.5, ms: 2 }, agreement: 1, layers: [{ name: 'c', op: 'Conv', tensor: 't', sqnr_db: null, cosine: 1 }] } },
  ],
  previewData: [{ data: 'd', labels: 'l', modelPath: 'm', samples: 12, statsSamples: 256, classNames: ['a', 'b'], preprocess: { mean: [0.1, 0.2, 0.3] } }],
};

/** [method, params, the message it must give]. */
const INVALID: [string, unknown, RegExp][] = [
  ['quantizeModel', { modelPath: 'a', outPath: 'b', calibCount: '12' }, /^params\.calibCount must be an integer, got "12"$/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', calibCount: 12.5 }, /params\.calibCount must be an integer, got 12\.5/],
  ['quantizeModel', { modelPath: 'a' }, /^params\.outPath is required \(a string without NUL characters\)$/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', method: 'kl' }, /params\.method must be one of "minmax", "percentile", "entropy", "mse", "custom", got "kl"/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', exclude: 'fc' }, /params\.exclude must be an array, got "fc"/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', exclude: ['ok', 3] }, /params\.exclude\[1\] must be a string/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', percentile: null }, /params\.percentile must be a finite number, got null/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', targetDrop: Infinity }, /params\.targetDrop must be a finite number, got Infinity/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', reduceRange: 'yes' }, /params\.reduceRange must be true or false/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', shell: 'rm -rf /' }, /^params\.shell is an unknown field \(the fields are modelPath, outPath, calib, /],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', preprocess: { size: ['a', 1] } }, /params\.preprocess\.size\[0\] must be an integer, got "a"/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', preprocess: { size: [28] } }, /params\.preprocess\.size must be a pair/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', preprocess: { colour: 'gray' } }, /params\.preprocess\.colour is an unknown field/],
  ['quantizeModel', { modelPath: 'a', outPath: 'b', preprocess: { mean: [1, 2, 3, 4, 5] } }, /params\.preprocess\.mean has 5 items; at most 4/],
  ['inspectModel', { path: 'a\0/etc/passwd' }, /params\.path must be a string without NUL characters/],
  ['inspectModel', { path: 7 }, /params\.path must be a string without NUL characters, got 7/],
  ['inspectModel', { path: 'a', inputDims: { x: [1, '3'] } }, /params\.inputDims\["x"\]\[1\] must be an integer/],
  ['inspectModel', { path: 'a', __proto__: { polluted: true }, constructor: 1 }, /params\.constructor is an unknown field/],
  // JSON.parse makes "__proto__" an own key (what a socket would deliver).
  ['inspectModel', JSON.parse('{"path": "a", "__proto__": {"polluted": true}}'), /params\.__proto__ is an unknown field/],
  ['runModel', { modelPath: 'm', input: ['x.npy'], output: 'y.npy' }, /params\.input must be a string without NUL characters or an object of/],
  ['runtimeInfo', { verbose: true }, /^params must be empty: this method takes no parameters, got fields verbose$/],
  ['demoInfo', { x: 1 }, /params must be empty/],
  ['demo', { limit: '10' }, /params\.limit must be an integer/],
  ['exportModel', { modelPath: 'a', format: 'zip', out: 'o' }, /params\.format must be one of "so", "qdq", "json", "csv", got "zip"/],
  ['exportModel', { modelPath: 'a', format: 'json', out: 'o', comparison: { count: 1, fp32: {}, int8: {}, agreement: 1, layers: [] } }, /params\.comparison\.fp32\.top1 is required/],
  ['exportModel', { modelPath: 'a', format: 'json', out: 'o', comparison: { count: 1, fp32: { top1: 1, top5: 1, ms: 1 }, int8: { top1: 1, top5: 1, ms: 1 }, agreement: 1, layers: [{ name: 'x', op: 'Conv', tensor: 't', sqnr_db: 1, cosine: 1, path: '/home/me' }] } }, /params\.comparison\.layers\[0\]\.path is an unknown field/],
  ['previewData', { data: 'd', samples: 1e300 }, /params\.samples must be an integer/],
];

describe('engine request schemas', () => {
  it('cover every method of SERVICE_METHODS and accept what the window and the CLI send', () => {
    assert.deepEqual(Object.keys(METHOD_SCHEMAS).sort(), [...SERVICE_METHODS].sort());
    for (const m of SERVICE_METHODS) {
      assert.ok(VALID[m]?.length, `valid params listed for ${m}`);
      for (const p of VALID[m]) assert.equal(checkParams(m, p), undefined, `${m} ${JSON.stringify(p)}`);
    }
  });

  it('refuse wrong types, missing and unknown fields with a sentence naming the field', () => {
    for (const [m, p, re] of INVALID) {
      const problem = checkParams(m as never, p);
      assert.ok(problem, `${m} ${JSON.stringify(p)} was accepted`);
      assert.match(problem, re, `${m} ${JSON.stringify(p)}`);
      // The protocol refuses it, addressed to its id, with the method named first.
      const c = checkToEngine({ id: 5, method: m, params: p });
      assert.ok(c.kind === 'invalid' && c.id === 5 && c.error.code === 'E_PROTOCOL' && c.error.message === `${m}: ${problem}`, JSON.stringify(c));
    }
    // A request carries id, method and params, nothing else.
    const extra = checkToEngine({ id: 1, method: 'runtimeInfo', params: {}, token: 'x' });
    assert.ok(extra.kind === 'invalid' && /only id, method and params, not 'token'/.test(extra.error.message));
  });

  it('the router and the engine process both refuse, and no engine code runs', async () => {
    const bad = { modelPath: 'a', outPath: 'b', calibCount: '12' };
    const eng = startTestEngine();
    try {
      const viaRouter = await new Promise<FromEngineMessage>((resolve) => eng.router.connect(resolve).handle({ id: 3, method: 'quantizeModel', params: bad }));
      assert.ok('error' in viaRouter && viaRouter.error.code === 'E_PROTOCOL', JSON.stringify(viaRouter));
      assert.equal(viaRouter.error.message, 'quantizeModel: params.calibCount must be an integer, got "12"');
      assert.equal(eng.router.started, 0, 'refused in the shell: no engine process was even started');
    } finally {
      eng.close();
    }
    // Straight to an engine process, past any shell.
    const ch = forkEngine();
    try {
      const answer = await new Promise<FromEngineMessage>((resolve) => {
        ch.onMessage(resolve);
        ch.send({ id: 4, method: 'quantizeModel', params: bad });
      });
      assert.ok('error' in answer && answer.error.code === 'E_PROTOCOL' && answer.error.message === 'quantizeModel: params.calibCount must be an integer, got "12"', JSON.stringify(answer));
    } finally {
      ch.kill();
    }
  });
});
