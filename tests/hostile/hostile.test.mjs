// Hostile input through the built package's fetchEventSource (pkg/, `make
// build`) against the test server's /hostile route: every check of checks.js
// in Node, and those about the network (headers, statuses, redirects, timeouts)
// also in a page in headless Chromium. Each test's name is what the user sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodePackage, root, suiteFixtures } from '../chaos/harness.mjs';
import { hostileChecks, runHostileCheck } from './checks.js';

// A hang is a failure with the check's name, not a stuck run.
const TIMEOUT = 120_000;

const fixtures = suiteFixtures({ '/hostile/': `${root}tests/hostile` });

for (const check of hostileChecks) {
  test(`node: ${check.name}`, { timeout: TIMEOUT }, async () => {
    const { fetchEventSource } = await nodePackage();
    assert.equal(await runHostileCheck(fetchEventSource, fixtures.server.base, check.name), null);
  });
}

for (const check of hostileChecks.filter((c) => c.browser)) {
  test(`chromium: ${check.name}`, { timeout: TIMEOUT }, async () => {
    const page = await fixtures.page();
    assert.equal(await page.call('/hostile/checks.js', 'runHostileCheck', fixtures.server.base, check.name), null);
  });
}

test('node: createDeltaStream.feed past the default 32 MiB ends the stream with a max-buffer DeltaError, text kept', { timeout: TIMEOUT }, async () => {
  const { createDeltaStream } = await nodePackage();
  let last;
  const errors = [];
  const stream = createDeltaStream({ format: 'text', flush: 'manual', onDelta: (f) => (last = f), onError: (e) => errors.push(e) });
  stream.feed('data: before\n\n');
  stream.feed(`data: ${'x'.repeat(32 * 1024 * 1024 + 1)}`);
  stream.feed('\n\ndata: after\n\n');
  stream.finish();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].name, 'DeltaError');
  assert.equal(errors[0].type, 'max-buffer');
  assert.equal(errors[0].limit, 32 * 1024 * 1024);
  assert.equal(last.text, 'before');
  assert.equal(last.done, true);
});
