// What the chaos and hostile suites share: the built package (pkg/, from
// `make build`) in Node, and in a page of its own origin in headless Chromium.
import { launchChromium } from '../support/browser.mjs';
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
