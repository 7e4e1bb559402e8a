// Bundles the classic-script build of the package, wasm-sse.iife.js, from
// pkg-template/iife/entry.js, the package's JS and wasm-bindgen's wasm_sse.js,
// into the wasm-bindgen out dir, where build-pkg.mjs picks it up.
// Usage: node scripts/build-iife.mjs <wasm-bindgen out dir>
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { cargoVersion } from './cargo-version.mjs';

const [bindgenDir] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const outfile = join(bindgenDir, 'wasm-sse.iife.js');
const version = cargoVersion(root);

// The template's modules import './wasm_sse.js', which exists only in the
// wasm-bindgen output (and in pkg/ once assembled).
const bindgenOutput = {
  name: 'wasm-bindgen-output',
  setup(b) {
    b.onResolve({ filter: /(^|\/)wasm_sse\.js$/ }, () => ({ path: resolve(bindgenDir, 'wasm_sse.js') }));
  },
};

await build({
  entryPoints: [join(root, 'pkg-template', 'iife', 'entry.js')],
  outfile,
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  banner: { js: `/*! wasm-sse ${version} (classic script; sets globalThis.WasmSse) | MIT OR Apache-2.0 */` },
  // wasm-bindgen's default wasm URL uses import.meta.url, which a classic
  // script does not have; the entry always passes the URL, so it is never read.
  define: { 'import.meta.url': 'undefined' },
  plugins: [bindgenOutput],
  logLevel: 'warning',
});

const code = readFileSync(outfile, 'utf8');
for (const forbidden of ['import.meta']) {
  if (code.includes(forbidden)) {
    console.error(`${outfile} contains "${forbidden}", which a classic script cannot run`);
    process.exit(1);
  }
}
console.log(`built ${outfile} (${code.length} bytes)`);
