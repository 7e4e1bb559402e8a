// Importing the package never makes the app wait for the wasm: a page whose
// server holds the .wasm response still runs its own module code and renders;
// the synchronous constructors say to await `ready`; once the wasm arrives,
// everything works. Against the packed tarball, as users install it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/browser.mjs';
import { serveStatic } from '../support/static-server.mjs';

const root = new URL('../..', import.meta.url).pathname;
const work = join(root, 'target', 'package-tests', 'loading');
const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

let browser;
let dir;

before(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [{ filename }] = JSON.parse(npm(['pack', join(root, 'pkg'), '--json', '--pack-destination', work], root));
  dir = join(work, 'app');
  mkdirSync(dir);
  cpSync(join(root, 'tests', 'package', 'checks.js'), join(dir, 'checks.js'));
  for (const file of ['conformance.js', 'client-checks.js', 'delta-checks.js']) cpSync(join(root, 'tests', 'package', file), join(dir, file));
  npm(['init', '-y'], dir);
  npm(['install', '--no-save', join(work, filename)], dir);
});

after(async () => {
  await browser?.close();
});

/** The page: an app that imports wasm-sse and wasm-sse/parser, renders, then awaits ready. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": {
  "wasm-sse": "./node_modules/wasm-sse/index.js",
  "wasm-sse/parser": "./node_modules/wasm-sse/parser/index.js",
  "wasm-sse/slim": "./node_modules/wasm-sse/slim.js"
} }</script>
<script type="module">
  import * as sse from 'wasm-sse';
  import * as parserOnly from 'wasm-sse/parser';
  import { beforeReady } from './checks.js';
  document.body.textContent = 'rendered';
  window.__early = { main: beforeReady(sse), parser: beforeReady(parserOnly) };
  // Started before the wasm is in: it waits inside the call.
  window.__delta = sse.fetchEventSource('data:text/event-stream,', {}).then(() => 'resolved', (e) => String(e));
  await sse.ready;
  await parserOnly.ready;
  const seen = [];
  sse.createParser({ onEvent: (e) => seen.push(e.data) }).feed('data: after ready\\n\\n');
  window.__after = { seen, delta: typeof sse.createDeltaStream({}).feed };
</script>`;

/** A page of a library that loads the wasm itself, through `wasm-sse/slim`. */
const SLIM_PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "wasm-sse/slim": "./node_modules/wasm-sse/slim.js" } }</script>
<script type="module">
  import * as slim from 'wasm-sse/slim';
  import { beforeReady } from './checks.js';
  const early = beforeReady(slim);
  const requested = performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm'));
  const bytes = await (await fetch('./node_modules/wasm-sse/wasm_sse_bg.wasm')).arrayBuffer();
  slim.initSync(bytes);
  await slim.ready;
  const seen = [];
  slim.createParser({ onEvent: (e) => seen.push(e.data) }).feed('data: slim\\n\\n');
  window.__slim = { early, requested, seen };
</script>`;

test("a page's own module code runs and renders while the server still holds the wasm", async () => {
  const server = await serveStatic({ mounts: { '/': dir }, files: { '/index.html': PAGE }, hold: /\.wasm$/ });
  try {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    try {
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => document.body?.textContent === 'rendered' && window.__early !== undefined);
      assert.ok(server.held().some((p) => p.endsWith('/wasm_sse_bg.wasm')), `the wasm was requested: ${server.held()}`);
      const early = await page.evaluate(() => window.__early);
      for (const [entry, { readyIsPromise, errors }] of Object.entries(early)) {
        assert.equal(readyIsPromise, true, `${entry}: ready is a promise`);
        for (const [name, message] of Object.entries(errors)) {
          if (entry === 'parser' && name === 'createDeltaStream') continue;
          assert.match(message, /^NotReadyError not-ready: .*before the wasm was loaded; await ready first/, `${entry} ${name}`);
        }
      }
      assert.equal(await page.evaluate(() => window.__after), undefined, 'nothing ran that needs the wasm');
      server.release();
      await page.waitForFunction(() => window.__after !== undefined, null, { timeout: 60_000 });
      const after = await page.evaluate(() => window.__after);
      assert.deepEqual(after, { seen: ['after ready'], delta: 'function' });
      assert.equal(await page.evaluate(() => window.__delta), 'resolved', 'fetchEventSource called before ready waited for it');
    } finally {
      await page.close();
    }
  } finally {
    await server.close();
  }
});

test('wasm-sse/slim loads nothing by itself, then works after initSync(bytes)', async () => {
  const server = await serveStatic({ mounts: { '/': dir }, files: { '/index.html': SLIM_PAGE } });
  try {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    try {
      await page.goto(`${server.origin}/index.html`);
      await page.waitForFunction(() => window.__slim !== undefined, null, { timeout: 60_000 });
      const { early, requested, seen } = await page.evaluate(() => window.__slim);
      assert.equal(requested, false, 'the slim entry fetched the wasm by itself');
      assert.match(early.errors.createParser, /^NotReadyError not-ready/);
      assert.deepEqual(seen, ['slim']);
    } finally {
      await page.close();
    }
  } finally {
    await server.close();
  }
});

test('no module of the package has a top-level await', () => {
  const pkg = join(dir, 'node_modules', 'wasm-sse');
  const modules = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(m?js)$/.test(entry.name)) modules.push(path);
    }
  };
  walk(pkg);
  assert.ok(modules.length >= 10, `found ${modules.length} modules`);
  for (const file of modules) {
    // Parsing as a module succeeds; the same source must also parse as the
    // body of a non-async function, which a top-level await cannot.
    const source = execFileSync(process.execPath, ['-e', `
      const src = require('fs').readFileSync(${JSON.stringify(file)}, 'utf8')
        .replace(/^\\s*import\\s[^;]*;|^\\s*export\\s+(const|let|function|class|async function)\\s/gm, (m, kind) => kind ? kind + ' ' : '')
        .replace(/^\\s*export\\s*\\{[^}]*\\}[^;]*;/gm, '').replace(/^\\s*export\\s+default\\s/gm, '').replace(/\\bimport\\.meta\\b/g, '({})');
      try { new Function(src); console.log('ok'); } catch (e) { console.log(e.message); }
    `], { encoding: 'utf8' }).trim();
    assert.equal(source, 'ok', `${file}: ${source}`);
  }
});
