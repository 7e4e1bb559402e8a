// fetchEventSource (built with --features client into target/pkg-client, not in
// the npm package yet) against the real local test server, in Node, in a page and
// in a module worker in Chromium. The page is served from another origin than
// the server, so CORS (preflight included) is exercised too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium, pageResult } from '../support/browser.mjs';
import { serveStatic } from '../support/static-server.mjs';

const root = new URL('../..', import.meta.url).pathname;
const pkg = join(root, 'target', 'pkg-client');
let server;
let base;

before(async () => {
  server = spawn(process.execPath, [join(root, 'tests', 'server', 'sse-server.mjs'), '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Wait for this server's own READY line: a stale server on some port cannot stand in for it.
  const port = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
  for (const file of ['index.html', 'worker.js']) cpSync(join(root, 'tests', 'package', 'fixtures', 'client', file), join(pkg, file));
  cpSync(join(root, 'tests', 'package', 'client-checks.js'), join(pkg, 'client-checks.js'));
});

after(() => {
  server?.kill('SIGTERM');
});

function assertAllPassed(label, result) {
  assert.ok(result && !result.error, `${label}: ${JSON.stringify(result)}`);
  assert.deepEqual(result.failures, [], `${label} failures`);
  assert.ok(result.passed >= 15, `${label} ran ${result.passed} checks`);
}

test('fetchEventSource passes every client check in Node', async () => {
  const { initSync } = await import(join(pkg, 'wasm_sse.js'));
  initSync({ module: readFileSync(join(pkg, 'wasm_sse_bg.wasm')) });
  const client = await import(join(pkg, 'client.js'));
  const { runClientChecks } = await import(join(pkg, 'client-checks.js'));
  assertAllPassed('node', await runClientChecks(client, base));
});

test('fetchEventSource passes every client check in a Chromium page and a module worker, cross-origin', async () => {
  const site = await serveStatic({ mounts: { '/': pkg } });
  const browser = await launchChromium();
  try {
    const result = await pageResult(browser, `${site.origin}/index.html?server=${encodeURIComponent(base)}`, 120_000);
    assertAllPassed('page', result.page);
    assertAllPassed('worker', result.worker);
  } finally {
    await browser.close();
    await site.close();
  }
});
