// The window end to end in browser mode: `qwb serve` (a real web host and engine process) driven
// by Debian's Chromium. Drops the demo model through a real drop event, walks the calibration
// wizard on the bundled sample, cancels one run (the engine stops within a second and writes
// nothing) and finishes another, compares FP32 and INT8, exports the .so (built with gcc and run),
// the QDQ ONNX and the reports, downloads the .tar.gz, and screenshots every screen at 1400x900
// and 900x640 in light and dark. Any console error or page error fails it.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';
import { Service } from '../../engine/api/service';
import { NodeHost } from '../../engine/host/node-host';

import { chromiumMissing, launchChromium, SHOTS, unnamedControls, watchErrors } from './browser';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const DataTransfer: any;
declare const File: any;
declare const sessionStorage: any;

const ROOT = path.join(__dirname, '..', '..', '..');
const DEMO = path.join(ROOT, 'assets', 'demo', 'fashion_resnet.onnx');
const skip = chromiumMissing() ?? (fs.existsSync(path.join(ROOT, 'dist', 'window', 'index.html')) ? undefined : 'the renderer is not built (dist/window)');

async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'qwb.js'), 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`qwb serve exited (${code}) before printing its URL: ${out}`)));
  });
  return { child, url };
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

describe('window in browser mode (Chromium, real engine)', { skip }, () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let tmp: string;
  let workspace: string;
  const t0 = Date.now();

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-e2e-'));
    server = await startServe();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
    page = await context.newPage();
    errors = watchErrors(page);
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(`# window e2e took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('goes from a dropped model to an exported .so that runs', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Quantize a model to INT8' }).waitFor();
    assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
    // The API takes the token from a header (the page keeps it in sessionStorage), never the cookie alone.
    const session = await page.evaluate(async () => (await fetch('/api/session', { headers: { 'x-qwb-token': sessionStorage.getItem('qwb.token') ?? '' } })).json());
    workspace = (session as { workspace: string }).workspace;
    await shot(page, 'home-flow');

    // --- Home: drop the demo model (its real bytes, through a real drop event)
    const b64 = fs.readFileSync(DEMO).toString('base64');
    const dt = await page.evaluateHandle((data) => {
      const bin = atob(data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const t = new DataTransfer();
      t.items.add(new File([bytes], 'fashion_resnet.onnx', { type: 'application/octet-stream' }));
      return t;
    }, b64);
    const zone = page.getByTestId('dropzone');
    await zone.dispatchEvent('dragover', { dataTransfer: dt });
    await zone.dispatchEvent('drop', { dataTransfer: dt });

    // --- Model
    await page.getByRole('heading', { name: 'fashion_resnet.onnx', level: 1 }).waitFor();
    const uploadedPath = await page.locator('.page-head .mono').textContent();
    assert.ok(uploadedPath?.startsWith(path.join(workspace, 'uploads')), `uploaded into the workspace: ${uploadedPath}`);
    assert.equal(fs.readFileSync(uploadedPath!).length, fs.statSync(DEMO).size);
    const layers = page.getByRole('table', { name: 'Layers' });
    assert.equal(await layers.locator('tbody tr').count(), 22);
    await page.getByLabel('Search layers').fill('gemm');
    assert.equal(await layers.locator('tbody tr').count(), 1);
    await page.getByLabel('Search layers').fill('');
    assert.ok(await page.getByRole('img', { name: /Op types by node count: Conv 9/ }).isVisible());
    await shot(page, 'model-flow');
    await page.getByRole('heading', { name: 'Layers', exact: true }).evaluate((h: any) => h.scrollIntoView({ block: 'start' }));
    await shot(page, 'model-layers');

    // --- Calibration wizard: data
    await page.getByRole('button', { name: 'Calibrate →' }).click();
    await page.getByLabel('Bundled sample').check();
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Sample images' }).locator('img').count(), 12);
    assert.ok(await page.getByRole('list', { name: 'Labels found' }).getByText('Ankle boot').isVisible());
    await shot(page, 'calibrate-data-flow');
    await page.getByRole('button', { name: 'Next →' }).click();

    // --- preprocessing: the demo's mean/std, and the tensor's range they give
    await page.getByRole('heading', { name: 'Preprocessing', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('Mean (per channel)').inputValue(), '0.286');
    await page.getByRole('button', { name: 'Apply and measure' }).click();
    // Pixel 0 -> (0 - 0.286) / 0.353 = -0.8102; pixel 255 -> 2.0227.
    await page.getByText('-0.8102').waitFor();
    await page.getByText('2.0227').waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();

    // --- mode: reduce range preset from the CPU, with its reason; the keyboard moves the choice
    await page.getByRole('heading', { name: 'Quantization mode', level: 1 }).waitFor();
    const rr = page.getByLabel('Reduce range (7-bit weights)');
    const reason = (await page.locator('#opt-reduceRange-help').textContent()) ?? '';
    // The engine's own advice for this machine (cpuid + oneDNN's effective ISA), word for word.
    const machine = await new Service(new NodeHost()).runtimeInfo();
    assert.match(reason, /^Preset for this CPU: /);
    assert.ok(reason.includes(machine.int8.reason.slice(1)), `preset reason '${reason}' vs the engine's '${machine.int8.reason}'`);
    assert.equal(await rr.isChecked(), machine.int8.weightBits === 7);
    await page.getByLabel('Min/max').focus();
    await page.keyboard.press('ArrowDown');
    assert.ok(await page.getByLabel('Percentile', { exact: true }).isChecked());
    await page.getByLabel('Entropy (KL)').check();
    await page.getByLabel('Calibration samples').fill('1000');
    await shot(page, 'calibrate-mode-flow');
    await page.getByRole('button', { name: 'Next →' }).click();

    // --- run 1: cancelled while it runs
    await page.getByRole('button', { name: 'Start quantization' }).click();
    const bar = page.getByRole('progressbar', { name: 'Quantization progress' });
    await page.waitForFunction(() => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? 0) > 0);
    assert.match((await bar.getAttribute('aria-valuetext')) ?? '', /calibrate \(entropy\): \d+ of 1000 samples/);
    await shot(page, 'calibrate-run-progress');
    const cancelAt = Date.now();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Nothing was written.').waitFor();
    const cancelMs = Date.now() - cancelAt;
    assert.ok(cancelMs < 1500, `cancelled in ${cancelMs} ms`);
    const stopped = Number(/engine stopped ([\d.]+) s/.exec((await page.getByRole('status').filter({ hasText: 'Cancelled' }).textContent()) ?? '')?.[1]);
    assert.ok(stopped < 1, `the engine stopped ${stopped} s after Cancel`);
    const models = path.join(workspace, 'models');
    const onnxFiles = () => (fs.existsSync(models) ? (fs.readdirSync(models, { recursive: true }) as string[]).filter((f) => f.endsWith('.onnx')) : []);
    assert.deepEqual(onnxFiles(), [], 'a cancelled run leaves no model');
    await shot(page, 'calibrate-run-cancelled');

    // --- run 2: min/max on 128 samples, to the end
    await page.getByRole('button', { name: '← Back' }).click();
    await page.getByLabel('Min/max').check();
    await page.getByLabel('Calibration samples').fill('128');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.getByText('INT8 model ready').waitFor({ timeout: 120_000 });
    const int8 = onnxFiles();
    assert.equal(int8.length, 1, `one INT8 model: ${int8}`);
    assert.match(int8[0], /^run\d+\/fashion_resnet\.int8\.onnx$/);
    await shot(page, 'calibrate-run-done');

    // --- Compare
    await page.getByRole('button', { name: 'Compare FP32 and INT8 →' }).click();
    await page.getByLabel('Samples to evaluate').fill('300');
    await page.getByRole('button', { name: 'Run comparison' }).click();
    await page.getByRole('heading', { name: 'Side by side' }).waitFor({ timeout: 180_000 });
    const cells = await page.locator('.metric-table tbody tr').first().locator('td').allTextContents();
    const fp32Top1 = parseFloat(cells[1]);
    const int8Top1 = parseFloat(cells[2]);
    assert.ok(fp32Top1 > 85 && fp32Top1 <= 100, `FP32 top-1 ${cells[1]}`);
    assert.ok(Math.abs(int8Top1 - fp32Top1) < 2, `INT8 top-1 ${cells[2]} vs FP32 ${cells[1]}`);
    const agreement = parseFloat((await page.locator('.metric-table tbody tr').nth(2).locator('td').nth(2).textContent()) ?? '');
    assert.ok(agreement > 95, `agreement ${agreement}`);
    const speedup = parseFloat((await page.locator('.metric-table tbody tr').nth(6).locator('td').nth(2).textContent()) ?? '');
    assert.ok(speedup > 0, `speed-up ${speedup}`);
    const lat = await page.locator('.metric-table tbody tr').nth(3).locator('td').allTextContents();
    process.stdout.write(`# window e2e: FP32 ${lat[1]} ms, INT8 ${lat[2]} ms per batch of 8, speed-up ${speedup}x\n`);
    const timing = page.getByRole('img', { name: /Per-layer time in ms per batch of 8/ });
    assert.ok((await timing.locator('.recharts-bar-rectangle').count()) >= 3, 'timing bars drawn');
    const sqnr = page.getByRole('img', { name: /Per-layer SQNR in dB/ });
    assert.ok((await sqnr.locator('.recharts-bar-rectangle').count()) >= 3, 'SQNR bars drawn');
    assert.equal(await page.getByRole('list', { name: 'Worst layers' }).locator('li').count(), 3);
    await shot(page, 'compare-flow');
    await page.getByRole('heading', { name: 'Per-layer time' }).evaluate((h: any) => h.scrollIntoView({ block: 'start' }));
    await shot(page, 'compare-charts');

    // --- Export: the .so into a typed folder, built and run; the download; QDQ; reports
    await page.getByRole('button', { name: 'Export →' }).click();
    const out = path.join(tmp, 'export');
    await page.getByLabel('Folder on this machine').fill(out);
    await page.getByLabel('Largest batch (.so)').fill('8');
    await page.getByRole('button', { name: 'Export .so' }).click();
    await page.getByText('The .so written').waitFor({ timeout: 180_000 });
    const so = fs.readdirSync(out).find((f) => f.endsWith('.so'));
    assert.ok(so, `a .so in ${out}: ${fs.readdirSync(out)}`);
    for (const f of ['example.c', 'qwb_model.h', 'manifest.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
    // The artifact names the model by its file name: no folder of this machine (the workspace).
    const manifest = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    assert.equal((JSON.parse(manifest) as { source_model: string }).source_model, 'fashion_resnet.int8.onnx');
    for (const f of ['manifest.json', 'README.md', so]) assert.equal(fs.readFileSync(path.join(out, f)).indexOf(workspace), -1, `${f} names ${workspace}`);
    assert.match((await page.getByLabel('C usage snippet').textContent()) ?? '', /qwb_create\(&model[\s\S]*qwb_run\(model[\s\S]*qwb_destroy\(model\)/);
    execFileSync('gcc', ['-O2', 'example.c', '-o', 'example', '-L.', `-l:${so}`, "-Wl,-rpath,$ORIGIN"], { cwd: out });
    const ran = execFileSync(path.join(out, 'example'), ['--batch', '2', '--iters', '3', '--warmup', '1'], { cwd: out, encoding: 'utf8' });
    assert.match(ran, /^output \[2, 10\]:( -?[\d.e+-]+){5}/m);
    assert.match(ran, /median_ms [\d.]+ \(batch 2, 3 runs\)/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download .*\.tar\.gz/ }).click()]);
    const tgz = path.join(tmp, 'export.tar.gz');
    await download.saveAs(tgz);
    const listed = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
    assert.ok(listed.includes(`/${so}`) && listed.includes('/example.c'), listed);
    await shot(page, 'export-so');

    await page.getByRole('button', { name: 'Export QDQ ONNX' }).click();
    await page.getByText('The QDQ ONNX written').waitFor();
    await page.getByRole('button', { name: 'Comparison as JSON' }).click();
    await page.getByText('The JSON report written').waitFor();
    await page.getByRole('button', { name: 'Comparison as CSV' }).click();
    await page.getByText('The CSV report written').waitFor();
    const files = fs.readdirSync(out);
    const qdq = files.find((f) => f.endsWith('.onnx'));
    assert.ok(qdq && fs.statSync(path.join(out, qdq)).size > 10_000, `QDQ ONNX: ${files}`);
    const json = JSON.parse(fs.readFileSync(path.join(out, files.find((f) => f.endsWith('.compare.json'))!), 'utf8')) as { count: number; fp32: { top1: number } };
    assert.equal(json.count, 300);
    assert.ok(Math.abs(json.fp32.top1 * 100 - fp32Top1) < 0.01);
    assert.ok(fs.readFileSync(path.join(out, files.find((f) => f.endsWith('.compare.csv'))!), 'utf8').split('\n').length > 3);
    for (const f of files.filter((x) => /\.(json|csv|onnx)$/.test(x))) assert.equal(fs.readFileSync(path.join(out, f)).indexOf(workspace), -1, `${f} names ${workspace}`);
    await page.getByRole('heading', { name: 'QDQ ONNX' }).evaluate((h: any) => h.scrollIntoView({ block: 'start' }));
    await shot(page, 'export-flow');
  });

  it('shows every screen at 1400x900 and 900x640, light and dark, with named controls', async () => {
    const screens: [string, string][] = [
      ['home', '1. Home'],
      ['model', '2. Model'],
      ['calibrate', '3. Calibrate'],
      ['compare', '4. Compare'],
      ['export', '5. Export'],
    ];
    for (const [w, h] of [
      [1400, 900],
      [900, 640],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, button] of screens) {
          await page.getByRole('button', { name: button }).click();
          await page.getByTestId(`screen-${name}`).waitFor();
          if (name === 'calibrate') await page.getByRole('button', { name: 'Go to step 1: Calibration data' }).click();
          await page.waitForTimeout(150);
          await shot(page, `${name}-${w}x${h}-${scheme}`);
          assert.deepEqual(await unnamedControls(page), [], `${name}: every control has an accessible name`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('an engine killed mid-calibration: the window says so, starts a new engine, reloads the model, keeps the settings; only that run is lost', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    // The engine processes of this server (its children): the killed one goes, a new one comes.
    const engines = () => {
      try {
        return execFileSync('pgrep', ['-P', String(server.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };
    const oneEngineBut = async (gone: number[]) => {
      for (let i = 0; i < 300; i++) {
        const now = engines();
        if (now.length === 1 && !gone.includes(now[0])) return now[0];
        await page.waitForTimeout(50);
      }
      throw new Error(`no new engine process: ${engines()} (gone: ${gone})`);
    };
    await page.getByRole('button', { name: '3. Calibrate' }).click();
    await page.getByRole('button', { name: 'Go to step 3: Quantization mode' }).click();
    await page.getByLabel('Entropy (KL)').check();
    await page.getByLabel('Calibration samples').fill('1000');
    await page.getByRole('button', { name: 'Go to step 4: Run' }).click();
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? 0) > 0);
    const [victim] = engines();
    process.kill(victim, 'SIGKILL');

    const notice = page.getByRole('alert', { name: 'Engine process' });
    await notice.getByText(/The engine process was killed by SIGKILL \(perhaps out of memory\)/).waitFor();
    await notice.getByText('A new engine process is running: fashion_resnet.onnx was reloaded; your settings are kept.').waitFor();
    await notice.getByText('Lost: the quantization that was running; run it again.').waitFor();
    await page.getByRole('alert').filter({ hasText: 'Quantizing failed' }).getByText(/killed by SIGKILL/).waitFor();
    // Nobody clicked anything: the shell started the new engine, and the window reloaded the model into it.
    const second = await oneEngineBut([victim]);
    await shot(page, 'engine-crash');
    await page.getByRole('button', { name: '2. Model' }).click();
    await page.getByRole('heading', { name: 'fashion_resnet.onnx', level: 1 }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Layers' }).locator('tbody tr').count(), 22);
    // The wizard's settings are the ones the run had.
    await page.getByRole('button', { name: '3. Calibrate' }).click();
    await page.getByRole('button', { name: 'Go to step 3: Quantization mode' }).click();
    assert.ok(await page.getByLabel('Entropy (KL)').isChecked());
    assert.equal(await page.getByLabel('Calibration samples').inputValue(), '1000');

    // The restart affordance: a new engine process on request.
    await notice.getByRole('button', { name: 'Restart the engine' }).click();
    await notice.getByText('The engine process was restarted from the window.').waitFor();
    await notice.getByText('No job was running.').waitFor();
    await notice.getByText(/^A new engine process is running/).waitFor();
    await oneEngineBut([victim, second]);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await notice.count(), 0);

    // Only the job was lost: the same window runs it again, to the end, without reopening anything.
    await page.getByLabel('Min/max').check();
    await page.getByLabel('Calibration samples').fill('64');
    await page.getByRole('button', { name: 'Go to step 4: Run' }).click();
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.getByText('INT8 model ready').waitFor({ timeout: 120_000 });
  });

  it('saw no console error and no page error', () => {
    assert.deepEqual(errors, []);
  });
});
