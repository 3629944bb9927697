// qwb export --format so: the exported .so, driven by the generated example.c and by Python ctypes,
// gives byte-identical outputs to the in-app ModelSession (FP32 and INT8, batch 1 and 3, one thread on
// both sides), rejects bad calls with a message, and the other formats write what they promise.
// The first run compiles the runtime archive (about a minute on 2 cores); later runs reuse it.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { QwbError } from '../../engine/api/errors';
import { loadNativeAddon } from '../../engine/runtime/native';
import { buildExample, DEMO_MODEL, inApp, makeInput, quantizeDemo, run, service, writeRaw } from './helpers';

const MAX_BATCH = 4;

// Python side: create with 1 thread, check dims, run batch 3 from a raw file, then the error cases.
const PY = String.raw`
import ctypes, sys, json
lib = ctypes.CDLL(sys.argv[1])
lib.qwb_error.restype = ctypes.c_char_p
lib.qwb_error.argtypes = [ctypes.c_void_p]
lib.qwb_create.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.qwb_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
lib.qwb_input_dims.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
lib.qwb_output_dims.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
lib.qwb_destroy.argtypes = [ctypes.c_void_p]
lib.qwb_runtime_info.restype = ctypes.c_char_p
runtime = json.loads(lib.qwb_runtime_info())
h = ctypes.c_void_p()
assert lib.qwb_create(ctypes.byref(h), 1) == 0, lib.qwb_error(None)
dims = (ctypes.c_int64 * 8)(); rank = ctypes.c_int()
assert lib.qwb_input_dims(h, dims, ctypes.byref(rank)) == 0
in_dims = list(dims[:rank.value])
assert lib.qwb_output_dims(h, dims, ctypes.byref(rank)) == 0
out_dims = list(dims[:rank.value])
batch = int(sys.argv[3])
raw = open(sys.argv[2], 'rb').read()
x = (ctypes.c_float * (len(raw) // 4)).from_buffer_copy(raw)
n_out = batch
for d in out_dims[1:]: n_out *= d
y = (ctypes.c_float * n_out)()
rc = lib.qwb_run(h, x, batch, y)
assert rc == 0, lib.qwb_error(h)
open(sys.argv[4], 'wb').write(bytes(y))
errors = {}
for name, b in (('batch0', 0), ('too_big', int(sys.argv[5]) + 1)):
    rc = lib.qwb_run(h, x, b, y)
    errors[name] = [rc, lib.qwb_error(h).decode()]
rc = lib.qwb_run(h, None, 1, y); errors['null_input'] = [rc, lib.qwb_error(h).decode()]
rc = lib.qwb_run(None, x, 1, y); errors['null_handle'] = [rc, '']
rc = lib.qwb_create(None, 1); errors['null_create'] = [rc, lib.qwb_error(None).decode()]
rc = lib.qwb_input_dims(h, None, None); errors['null_dims'] = [rc, lib.qwb_error(h).decode()]
# The handle still works after the errors.
assert lib.qwb_run(h, x, batch, y) == 0, lib.qwb_error(h)
# Two threads, each with its own handle, run at the same time (ctypes releases the GIL during
# the call): every output must equal the single-threaded one.
import threading
expected = bytes(y)
same = []
def worker():
    hh = ctypes.c_void_p()
    assert lib.qwb_create(ctypes.byref(hh), 1) == 0, lib.qwb_error(None)
    yy = (ctypes.c_float * n_out)()
    for _ in range(4):
        assert lib.qwb_run(hh, x, batch, yy) == 0, lib.qwb_error(hh)
        same.append(bytes(yy) == expected)
    lib.qwb_destroy(hh)
threads = [threading.Thread(target=worker) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
lib.qwb_destroy(h)
lib.qwb_destroy(None)
print(json.dumps({'in_dims': in_dims, 'out_dims': out_dims, 'errors': errors, 'two_handles_same': same, 'runtime': runtime}))
`;

describe('export --format so', () => {
  let dir = '';
  let int8Model = '';
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-export-test-'));
    int8Model = await quantizeDemo();
    for (const b of [1, 3]) writeRaw(path.join(dir, `in${b}.bin`), makeInput(b));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['fp32', 'int8'] as const) {
    describe(kind, () => {
      let out = '';
      let library = '';
      let modelPath = '';
      before(async () => {
        modelPath = kind === 'fp32' ? DEMO_MODEL : int8Model;
        out = path.join(dir, `so-${kind}`);
        const r = await service().exportModel({ modelPath, format: 'so', out, maxBatch: MAX_BATCH });
        library = path.basename(r.files[0]);
        assert.ok(r.files[0].endsWith('.so'), `first file is the library: ${r.files[0]}`);
      });

      it('writes the artifact files and a manifest that describes the model', () => {
        for (const f of [library, 'qwb_model.h', 'example.c', 'README.md', 'manifest.json']) assert.ok(fs.existsSync(path.join(out, f)), `${f} missing in ${out}`);
        const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
        assert.deepEqual(m.inputs, [{ name: 'input', dims: [-1, 1, 28, 28], dtype: 'float32' }]);
        assert.deepEqual(m.outputs[0].dims, [-1, 10]);
        assert.equal(m.max_batch, MAX_BATCH);
        assert.equal(m.quantization.int8, kind === 'int8');
        if (kind === 'int8') {
          assert.ok(m.quantization.int8_steps > 0);
          assert.equal(m.quantization.settings.method, 'minmax');
        } else assert.equal(m.quantization.int8_steps, 0);
        assert.match(m.build.onednn, /^\d+\.\d+\.\d+$/);
        assert.match(m.build.compiler, /g\+\+|gcc/i);
        assert.ok(fs.readFileSync(path.join(out, 'README.md'), 'utf8').includes(`-l:${library}`));
      });

      it('exports only the qwb_* C ABI', async () => {
        const r = await run('nm', ['-D', '--defined-only', path.join(out, library)]);
        assert.equal(r.code, 0, r.stderr);
        const syms = r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).pop()).sort();
        assert.deepEqual(syms, ['qwb_create', 'qwb_destroy', 'qwb_error', 'qwb_input_dims', 'qwb_output_dims', 'qwb_run', 'qwb_runtime_info']);
      });

      for (const batch of [1, 3]) {
        it(`example.c output is byte-identical to the in-app session at batch ${batch}`, async () => {
          const exe = await buildExample(out, library);
          const outFile = path.join(out, `out${batch}.bin`);
          const r = await run(exe, ['--batch', String(batch), '--threads', '1', '--input', path.join(dir, `in${batch}.bin`), '--output', outFile, '--iters', '3'], out);
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, /median_ms \d/);
          const got = fs.readFileSync(outFile);
          const want = await inApp(modelPath, batch, makeInput(batch), 1);
          assert.equal(got.length, batch * 10 * 4);
          assert.ok(Buffer.from(want.buffer, want.byteOffset, want.byteLength).equals(got), `.so output differs from the session at batch ${batch}`);
        });
      }

      it('runs from Python ctypes with identical output and returns errors with messages', async () => {
        const outFile = path.join(out, 'py3.bin');
        const r = await run('/usr/bin/python3', ['-c', PY, path.join(out, library), path.join(dir, 'in3.bin'), '3', outFile, String(MAX_BATCH)]);
        assert.equal(r.code, 0, r.stderr);
        const res = JSON.parse(r.stdout) as { in_dims: number[]; out_dims: number[]; errors: Record<string, [number, string]>; two_handles_same: boolean[]; runtime: Record<string, unknown> };
        // The .so reads the machine with the same module as the addon: the same words for it.
        const info = loadNativeAddon().info();
        assert.deepEqual(res.runtime, { onednn: info.onednn, isa: info.isa, features: info.cpu.features, int8_accumulation: info.int8Accumulation });
        assert.deepEqual(res.two_handles_same, Array(8).fill(true), 'two handles on two threads give the single-thread output');
        assert.deepEqual(res.in_dims, [-1, 1, 28, 28]);
        assert.deepEqual(res.out_dims, [-1, 10]);
        const want = await inApp(modelPath, 3, makeInput(3), 1);
        assert.ok(Buffer.from(want.buffer, want.byteOffset, want.byteLength).equals(fs.readFileSync(outFile)), 'ctypes output differs from the session');
        const e = res.errors;
        for (const k of Object.keys(e)) assert.notEqual(e[k][0], 0, `${k} returned 0`);
        assert.match(e.batch0[1], /batch 0 is out of range \(1\.\.4/);
        assert.match(e.too_big[1], /batch 5 is out of range \(1\.\.4/);
        assert.match(e.null_input[1], /must not be NULL/);
        assert.match(e.null_create[1], /must not be NULL/);
        assert.match(e.null_dims[1], /must not be NULL/);
      });
    });
  }

  it('names the package to install when no compiler is found', async () => {
    const saved = process.env.CXX;
    process.env.CXX = '/nonexistent/g++';
    try {
      await assert.rejects(service().exportModel({ modelPath: DEMO_MODEL, format: 'so', out: path.join(dir, 'nocc') }), /apt-get install g\+\+/);
    } finally {
      if (saved === undefined) delete process.env.CXX;
      else process.env.CXX = saved;
    }
  });
});

describe('export --format qdq|json|csv', () => {
  let dir = '';
  let int8Model = '';
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-export-fmt-'));
    int8Model = await quantizeDemo();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('qdq copies a QDQ model unchanged and refuses an FP32 one', async () => {
    const r = await service().exportModel({ modelPath: int8Model, format: 'qdq', out: path.join(dir, 'out') });
    assert.equal(r.files[0], path.join(dir, 'out', 'demo.int8.onnx'));
    assert.ok(fs.readFileSync(r.files[0]).equals(fs.readFileSync(int8Model)));
    await assert.rejects(service().exportModel({ modelPath: DEMO_MODEL, format: 'qdq', out: path.join(dir, 'x.onnx') }), (e: unknown) => e instanceof QwbError && /quantize it first/.test(e.message));
  });

  it('json/csv write the comparison report given, else the model summary', async () => {
    const report = { count: 2, fp32: { top1: 1, top5: 1, ms: 3 }, int8: { top1: 0.5, top5: 1, ms: 2 }, agreement: 0.5, layers: [{ name: 'conv "a"', op: 'Conv', tensor: 't,1', sqnr_db: 30.5, cosine: 0.999 }] };
    const rp = path.join(dir, 'cmp.json');
    fs.writeFileSync(rp, JSON.stringify(report));
    const j = await service().exportModel({ modelPath: int8Model, format: 'json', out: path.join(dir, 'r.json'), report: rp });
    assert.deepEqual(JSON.parse(fs.readFileSync(j.files[0], 'utf8')), report);
    const c = await service().exportModel({ modelPath: int8Model, format: 'csv', out: dir, report: rp });
    const lines = fs.readFileSync(c.files[0], 'utf8').trim().split('\n');
    assert.equal(lines[0], 'section,name,op,tensor,sqnr_db,cosine,fp32,int8');
    assert.ok(lines.includes('summary,top1,,,,,1,0.5'), lines.join('\n'));
    assert.equal(lines[lines.length - 1], 'layer,"conv ""a""",Conv,"t,1",30.5,0.999,,');
    const s = await service().exportModel({ modelPath: DEMO_MODEL, format: 'csv', out: dir });
    assert.match(fs.readFileSync(s.files[0], 'utf8'), /^op_type,count\nConv,\d+/);
    fs.writeFileSync(rp, '{"not":"a report"}');
    await assert.rejects(service().exportModel({ modelPath: int8Model, format: 'json', out: dir, report: rp }), /not a comparison report/);
  });
});
