// The CLI as a new user meets it: `qwb --help`, `qwb COMMAND --help` for every command, every option
// the help lists is accepted and changes what the command asks of the service, unknown options get
// the closest valid name, the README's CLI section is the table's, and SIGINT/SIGTERM cancel a
// running job with exit code 130.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { UsageError } from '../../engine/cli/args';
import { HANDLERS } from '../../engine/cli/handlers';
import { README_BEGIN, README_END, readmeSection } from '../../engine/cli/help';
import { parseCommand } from '../../engine/cli/parse';
import { COMMANDS, type CommandSpec } from '../../engine/cli/table';

const root = path.resolve(__dirname, '..', '..', '..');
const qwb = path.join(root, 'bin', 'qwb.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [qwb, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The request a command line maps to, or the UsageError it raises. */
function request(spec: CommandSpec, argv: string[]): unknown {
  const handler = HANDLERS[spec.name as keyof typeof HANDLERS];
  try {
    return (handler.request as (a: unknown) => unknown)(parseCommand(spec, argv).args);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
}

/** argv without option `name` and its value. */
function without(argv: string[], name: string, valued: boolean): string[] {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? argv : [...argv.slice(0, i), ...argv.slice(i + (valued ? 2 : 1))];
}

test('qwb --help lists every command and the exit codes; --version prints package.json version', () => {
  for (const args of [[], ['--help'], ['-h'], ['help']]) {
    const h = cli(...args);
    assert.equal(h.code, 0, h.err);
    for (const c of COMMANDS) assert.match(h.out, new RegExp(`^  qwb ${c.name} `, 'm'), `'qwb ${args.join(' ')}' lists ${c.name}`);
    for (const code of [0, 1, 2, 130]) assert.match(h.out, new RegExp(`^  ${code} `, 'm'));
  }
  const v = cli('--version');
  assert.equal(v.code, 0);
  assert.equal(v.out.trim(), `qwb ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}`);
  assert.equal(cli('help', 'quantize').out, cli('quantize', '--help').out);
  assert.deepEqual(Object.keys(HANDLERS).sort(), COMMANDS.map((c) => c.name).sort());
});

for (const spec of COMMANDS) {
  test(`qwb ${spec.name} --help: every option it lists has a default and changes the request`, () => {
    const h = cli(spec.name, '--help');
    assert.equal(h.code, 0, h.err);
    assert.equal(cli(spec.name, '-h').out, h.out);
    assert.match(h.out, new RegExp(`^usage: qwb ${spec.name} `, 'm'));
    const example = /^example:\n {2}qwb (.+)$/m.exec(h.out)?.[1];
    assert.ok(example, 'the help has an example');
    const listed = [...h.out.matchAll(/^ {2}--([a-z0-9-]+)(.*)$/gm)].map((m) => ({ name: m[1], head: m[2] }));
    assert.deepEqual(listed.map((o) => o.name).sort(), [...spec.options.map((o) => o.name), 'help'].sort(), 'help lists exactly the table');

    const base = example.split(' ').slice(1);
    const baseReq = request(spec, base);
    assert.ok(!(baseReq instanceof UsageError), `the example parses: ${String(baseReq)}`);
    for (const { name } of listed) {
      if (name === 'help') continue;
      const o = spec.options.find((x) => x.name === name)!;
      const valued = o.value !== undefined;
      // What the help says when the option is absent.
      const block = h.out.slice(h.out.indexOf(`\n  --${name}`) + 1).split(/\n {2}--/)[0];
      assert.match(block.replace(/\s+/g, ' '), /\[(required|default: [^\]]+)[^\]]*\]/, `--${name} shows its default`);
      if (name === 'json') {
        assert.ok(parseCommand(spec, [...base, '--json']).args.flag('json'));
        continue;
      }
      if (valued && !o.aliasOf) assert.ok(o.sample !== undefined, `--${name} has a sample value in the table`);
      const add = valued ? [`--${name}`, o.sample!] : [`--${name}`];
      if (o.aliasOf) {
        const target = spec.options.find((x) => x.name === o.aliasOf)!;
        const i = base.indexOf(`--${o.aliasOf}`);
        assert.ok(i >= 0, `the example uses --${o.aliasOf}`);
        const swapped = [...base.slice(0, i), `--${name}`, ...base.slice(i + 1)];
        assert.deepEqual(request(spec, swapped), baseReq, `--${name} means --${o.aliasOf}`);
        assert.ok(request(spec, [...base, `--${name}`, target.sample!]) instanceof UsageError, `--${name} with --${o.aliasOf} is refused`);
      } else if (base.includes(`--${name}`)) {
        const r = request(spec, without(base, name, valued));
        assert.ok(r instanceof UsageError ? !!o.required : true, `removing --${name}: ${String(r)}`);
        if (o.required === true) assert.ok(r instanceof UsageError, `--${name} is required`);
        const changed = valued ? request(spec, [...without(base, name, true), ...add]) : r;
        assert.ok(!(changed instanceof UsageError), `--${name} ${o.sample ?? ''}: ${String(changed)}`);
        assert.notDeepEqual(changed, baseReq, `--${name} changes the request`);
      } else {
        const r = request(spec, [...base, ...add]);
        assert.ok(!(r instanceof UsageError), `--${name} ${o.sample ?? ''} is accepted: ${String(r)}`);
        assert.notDeepEqual(r, baseReq, `--${name} changes the request`);
      }
    }
  });
}

test('the help shows --method with its default (not as required), bench --calib-count and eval --images', () => {
  const q = cli('quantize', '--help').out;
  assert.match(q, /--method minmax\|percentile\|entropy\|mse\|custom\s+how activation ranges are chosen \[default: minmax\]/);
  assert.doesNotMatch(/^usage: .*$/m.exec(q)![0], /--method/);
  assert.match(cli('bench', '--help').out, /^ {2}--calib-count N /m);
  assert.match(cli('eval', '--help').out, /^ {2}--images FILE /m);
});

test('unknown options and commands are answered with the closest valid name (exit 2)', () => {
  const cases: [string[], RegExp][] = [
    [['quantize', 'm.onnx', '--calb', 'x'], /unknown option --calb \(did you mean --calib\?\)/],
    [['bench', 'm.onnx', '--calib-cont', '3'], /did you mean --calib-count\?/],
    [['eval', 'm.onnx', '--image', 'x'], /did you mean --images\?/],
    [['quantize', 'm.onnx', '--method', 'minmx'], /--method must be one of minmax, .* got 'minmx' \(did you mean minmax\?\)/],
    [['quantise'], /unknown command 'quantise' \(did you mean quantize\?\)/],
    [['info', 'm.onnx', '--json=yes'], /--json takes no value/],
    [['info', 'm.onnx', '--batch'], /--batch needs a value/],
    [['info', 'm.onnx', '--batch', '--json'], /--batch needs a value \(N\), got the option --json/],
  ];
  for (const [args, re] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `qwb ${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
  }
  // A value may start with a single dash (a negative number).
  const neg = request(COMMANDS.find((c) => c.name === 'eval')!, ['m.onnx', '--data', 'd', '--mean', '-0.5']) as { preprocess: { mean: number[] } };
  assert.deepEqual(neg.preprocess.mean, [-0.5]);
});

test("the README's CLI section is generated from the option table", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  assert.ok(a >= 0 && b > a, 'README.md has the qwb-cli markers');
  assert.equal(readme.slice(a + README_BEGIN.length, b).trim(), readmeSection().trim(), 'README CLI section drifted from engine/cli/table.ts: run `node dist/tools/update-cli-readme.js`');
});

/** Starts `qwb ARGS`, sends `signal` after `afterMs`, resolves with the exit code, stderr and how
 *  long the process took to exit after the signal. */
function interrupt(args: string[], signal: NodeJS.Signals, afterMs: number): Promise<{ code: number | null; err: string; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [qwb, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sentAt = 0;
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      sentAt = Date.now();
      child.kill(signal);
    }, afterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err, exitMs: sentAt ? Date.now() - sentAt : -1 });
    });
  });
}

test('SIGINT and SIGTERM cancel the running job through its AbortSignal: exit 130', async () => {
  // The demo runs far longer than the wait (~40 s: FP32, then quantization with four methods).
  for (const [signal, afterMs] of [['SIGINT', 4000], ['SIGTERM', 2500]] as const) {
    const demo = await interrupt(['demo'], signal, afterMs);
    assert.equal(demo.code, 130, demo.err);
    assert.ok(demo.exitMs >= 0, 'the demo was still running when interrupted');
    assert.match(demo.err, new RegExp(`${signal}: cancelling`));
    assert.match(demo.err, /cancelled/);
    assert.ok(demo.exitMs < 15000, `exited ${demo.exitMs} ms after ${signal}`);
  }
});
