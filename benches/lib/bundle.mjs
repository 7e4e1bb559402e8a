// Bundles a browser entry with esbuild, in memory. The package under test is
// never bundled: entries import it by URL at run time, so it is measured as
// shipped (its own .wasm loaded from the server, its own init).

import { build } from 'esbuild';

/** @returns {Promise<string>} one ES module */
export async function bundle(entry) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
    sourcemap: 'inline',
  });
  return out.outputFiles[0].text;
}
