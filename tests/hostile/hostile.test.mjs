// Hostile input through the built package's fetchEventSource (pkg/, `make
// build`) against the test server's /hostile route: every check of checks.js
// in Node, and those about the network (headers, statuses, redirects, timeouts)
// also in a page in headless Chromium. Each test's name is what the user sees.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nodePackage, openPackagePage, root } from '../chaos/harness.mjs';
import { startSseServer } from '../support/sse-server.mjs';
import { hostileChecks, runHostileCheck } from './checks.js';

// A hang is a failure with the check's name, not a stuck run.
const TIMEOUT = 120_000;

let server;
let page;

before(async () => {
  server = await startSseServer();
});

after(async () => {
  await page?.close();
  server?.close();
});

for (const check of hostileChecks) {
  test(`node: ${check.name}`, { timeout: TIMEOUT }, async () => {
    const { fetchEventSource } = await nodePackage();
    assert.equal(await runHostileCheck(fetchEventSource, server.base, check.name), null);
  });
}

for (const check of hostileChecks.filter((c) => c.browser)) {
  test(`chromium: ${check.name}`, { timeout: TIMEOUT }, async () => {
    page ??= await openPackagePage({ '/hostile/': `${root}tests/hostile` });
    assert.equal(await page.call('/hostile/checks.js', 'runHostileCheck', server.base, check.name), null);
  });
}
