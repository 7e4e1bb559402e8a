// Assembles the npm package in pkg/ from wasm-bindgen's output and pkg-template/.
// Usage: node scripts/build-pkg.mjs <wasm-bindgen out dir> <parser-only wasm-bindgen out dir> <pkg dir>
//
// The main entry gets the full wasm (parser, client, delta); `wasm-sse/parser`
// (pkg/parser/) gets the parser-only wasm with the same api.js, records.js and loader.js beside it.
import { cargoVersion } from './cargo-version.mjs';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [bindgenDir, parserBindgenDir, pkgDir] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const template = join(root, 'pkg-template');

const version = cargoVersion(root);

rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(join(pkgDir, 'parser'), { recursive: true });
// wasm-sse.iife.js: the classic-script build, made there by scripts/build-iife.mjs.
for (const file of ['wasm_sse.js', 'wasm_sse_bg.wasm', 'wasm-sse.iife.js']) {
  copyFileSync(join(bindgenDir, file), join(pkgDir, file));
}
for (const file of ['wasm_sse.js', 'wasm_sse_bg.wasm']) {
  copyFileSync(join(parserBindgenDir, file), join(pkgDir, 'parser', file));
}
// The parser entry's own copies of the JS its wasm needs (each wasm has its own loader state).
for (const file of ['api.js', 'records.js', 'loader.js']) copyFileSync(join(template, file), join(pkgDir, 'parser', file));
// The top-level files of pkg-template/ and of pkg-template/parser/; other
// folders hold sources that are built, not shipped as they are.
for (const dir of ['', 'parser']) {
  for (const entry of readdirSync(join(template, dir), { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'package.json') continue;
    copyFileSync(join(template, dir, entry.name), join(pkgDir, dir, entry.name));
  }
}
// One version for the crate and the npm package: Cargo.toml's.
const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
manifest.version = version;
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

// Every file the manifest ships must exist, and every file present must be shipped.
const shipped = new Set(manifest.files);
const present = readdirSync(pkgDir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => relative(pkgDir, join(e.parentPath ?? e.path, e.name)))
  .filter((f) => f !== 'package.json');
const missing = [...shipped].filter((f) => !present.includes(f));
const unlisted = present.filter((f) => !shipped.has(f));
if (missing.length || unlisted.length) {
  console.error(`${pkgDir} does not match package.json "files": missing ${missing}, unlisted ${unlisted}`);
  process.exit(1);
}
console.log(`built ${pkgDir} (wasm-sse ${version})`);
