// Headless Chromium for browser benches: the system's /usr/bin/chromium driven
// by playwright-core (which downloads no browser of its own), pointed at a
// page that runs one bench's bundled entry, served from 127.0.0.1.

import { chromium } from 'playwright-core';
import { bundle } from './bundle.mjs';
import { join } from 'node:path';
import { BENCHES_DIR, PKG_DIR, findEntry } from './pkg.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/support/chromium.mjs';
import { serveStatic } from '../../tests/support/static-server.mjs';

const ARGS = [
  ...CHROMIUM_ARGS,
  // window.gc(), so a bench can collect garbage between runs, outside the timing.
  '--js-flags=--expose-gc',
];

/**
 * Bundles `entry` (a browser module; it imports the package under test by URL,
 * never from the bundle), serves it as /NAME/index.html next to benches/ at /
 * and the built package at /pkg/, opens it in a fresh headless Chromium and
 * hands the page to `fn`. Browser and server are closed whatever happens; the
 * page's console goes to `log`, and an uncaught page error fails the bench
 * instead of hanging it.
 * `mounts` serves more folders (another build of the package, say) under
 * their URL prefixes.
 * @template T
 * @param {{ name: string, entry: string }} bench
 * @param {(page: import('playwright-core').Page, ctx: { origin: string, version: string }) => Promise<T>} fn
 * @param {{ log?: (line: string) => void, mounts?: Record<string, string> }} [opts]
 * @returns {Promise<T>}
 */
export async function withBenchPage({ name, entry }, fn, { log = (l) => console.error(l), mounts = {} } = {}) {
  const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name} bench</title>
<script type="module" src="/${name}/bundle.js"></script>`;
  const server = await serveStatic({
    mounts: { ...mounts, '/pkg/': PKG_DIR, '/': BENCHES_DIR },
    files: { [`/${name}/bundle.js`]: await bundle(entry), [`/${name}/index.html`]: page },
    isolate: true,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
  try {
    const tab = await browser.newPage();
    const pageError = new Promise((_, fail) => tab.on('pageerror', fail));
    pageError.catch(() => {});
    tab.on('console', (msg) => log(msg.text()));
    await tab.goto(`${server.origin}/${name}/index.html`);
    return await Promise.race([fn(tab, { origin: server.origin, version: browser.version() }), pageError]);
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Runs bench `name` in Chromium: bundles `benches/NAME/browser.mjs`, waits for
 * the page's `globalThis[runner]`, calls it with the wasm-sse URL (or why it is
 * missing), the run counts and `params` (anything else the bench's page needs,
 * structured-cloneable). `setup(page)`, if given, runs first (to expose
 * functions to the page, say). `mounts` serves more folders (see
 * withBenchPage); the page finds them at their prefix on the same origin.
 * Returns its output, the browser version, the package entry and the notes
 * every browser bench reports.
 */
export async function runInChromium(name, runner, { runs, warmup, log, params = {}, setup, mounts }) {
  const entry = findEntry('browser');
  log(`${name}/chromium: bundling ${name}/browser.mjs, starting chromium`);
  const bench = { name, entry: join(BENCHES_DIR, name, 'browser.mjs') };
  return withBenchPage(
    bench,
    async (page, { origin, version }) => {
      await setup?.(page);
      await page.waitForFunction((fn) => typeof globalThis[fn] === 'function', runner);
      const out = await page.evaluate(([fn, opts]) => globalThis[fn](opts), [
        runner,
        { ...params, wasmSseUrl: entry.ok ? `${origin}/pkg/${entry.entry}` : null, wasmSseMissing: entry.reason, runs, warmup },
      ]);
      const notes = [];
      if (!out.crossOriginIsolated) notes.push('page not cross-origin isolated: coarse timer');
      if (!out.gc) notes.push('no gc() between runs');
      return { out, version, entry, notes };
    },
    { log: (line) => log(`${name}/chromium: ${line}`), mounts },
  );
}
