// ONNX backend node tests from Debian's libonnx-testdata, run through our ModelSession (fused FP32).
// Every test not listed in expectations.json must pass (within 1e-4 of the largest reference
// magnitude); every listed test must still fail, and for the reason listed, so the list stays honest
// (a listed test that starts failing for another reason fails the suite).
// Regenerate the list: node dist/tools/update-conformance-expectations.js

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { listNodeTests, NODE_TEST_ROOT, readExpectations, runNodeTests } from './node-tests';

test('ONNX backend node tests: conformance', { timeout: 10 * 60_000 }, async () => {
  const names = listNodeTests(process.env.QWB_CONFORMANCE_FILTER);
  assert.ok(names.length > 0, `no node tests under ${NODE_TEST_ROOT} (install Debian libonnx-testdata)`);
  const expected = readExpectations().expected_failures;
  const unexpectedFailures: string[] = [];
  const unexpectedPasses: string[] = [];
  const otherReasons: string[] = [];
  let pass = 0;
  let bound = 0;
  let worst = { name: '', err: 0 };
  await runNodeTests(names, (r) => {
    if (r.pass) {
      pass++;
      if (r.bound) bound++;
      if ((r.maxRelErr ?? 0) > worst.err) worst = { name: r.name, err: r.maxRelErr ?? 0 };
      if (r.name in expected) unexpectedPasses.push(r.name);
    } else if (!(r.name in expected)) {
      unexpectedFailures.push(`${r.name}: ${r.reason}`);
    } else if (r.reason !== expected[r.name]) {
      // Listed as failing, but for another reason than the list gives: something else broke.
      otherReasons.push(`${r.name} fails with "${r.reason}", listed as "${expected[r.name]}"`);
    }
  });
  const listed = names.filter((n) => n in expected).length;
  console.log(`conformance: ${pass} of ${names.length} node tests pass (${bound} with parameter inputs bound as initializers; ${listed} listed as expected failures)`);
  if (pass) console.log(`conformance: worst relative error among passing tests ${worst.err.toExponential(2)} (${worst.name})`);
  const stale = Object.keys(expected).filter((n) => !names.includes(n) && !process.env.QWB_CONFORMANCE_FILTER);
  const problems = [
    ...unexpectedFailures.map((s) => `unexpected failure ${s}`),
    ...otherReasons.map((s) => `failure for another reason: ${s}`),
    ...unexpectedPasses.map((n) => `${n} passes now: remove ${n} from expectations (node dist/tools/update-conformance-expectations.js)`),
    ...stale.map((n) => `${n} is listed in expectations but no such node test exists: remove it`),
  ];
  assert.equal(problems.length, 0, `${problems.length} conformance problem(s):\n  ${problems.join('\n  ')}`);
});
