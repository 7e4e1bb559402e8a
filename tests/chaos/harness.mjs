// What the chaos and hostile suites share: the built package (pkg/, from
// `make build`) in Node, and in a page of its own origin in headless Chromium.
import { after, before } from 'node:test';
import { launchChromium } from '../support/browser.mjs';
import { startSseServer } from '../support/sse-server.mjs';
import { serveStatic } from '../support/static-server.mjs';

export const root = new URL('../..', import.meta.url).pathname;

/** The package's Node entry, as `import 'wasm-sse'` resolves it in Node. */
export const nodePackage = () => import(`${root}pkg/node.js`);

/**
 * A blank page that can import /pkg/ and the folders of `mounts` (URL prefix ->
 * directory). `call(module, name, ...args)` imports `module` in the page and
 * calls its export `name` with the package's fetchEventSource first.
 */
export async function openPackagePage(mounts) {
  const server = await serveStatic({
    mounts: { '/pkg/': `${root}pkg`, ...mounts },
    files: { '/index.html': '<!doctype html><meta charset="utf-8"><title>wasm-sse</title>' },
  });
  const browser = await launchChromium();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}/index.html`);
  return {
    errors,
    call: (module, name, ...args) =>
      page.evaluate(
        async ([module, name, args]) => {
          const { fetchEventSource } = await import('/pkg/index.js');
          return (await import(module))[name](fetchEventSource, ...args);
        },
        [module, name, args],
      ),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * A test file's fixtures: the test server (`server`, started before the file's
 * tests) and a package page with `mounts`, opened at the first `page()`; both
 * are closed after the tests.
 */
export function suiteFixtures(mounts) {
  const fixtures = { server: null, page: () => (opening ??= openPackagePage(mounts)) };
  let opening;
  before(async () => {
    fixtures.server = await startSseServer();
  });
  after(async () => {
    const page = await opening?.catch(() => null);
    await page?.close();
    fixtures.server?.close();
  });
  return fixtures;
}
