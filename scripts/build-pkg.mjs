// Assembles the npm package in pkg/ from wasm-bindgen's output and pkg-template/.
// Usage: node scripts/build-pkg.mjs <wasm-bindgen out dir> <pkg dir>
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [bindgenDir, pkgDir] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const template = join(root, 'pkg-template');

const cargoToml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargoToml)[1];

rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });
// wasm-sse.iife.js: the classic-script build, made there by scripts/build-iife.mjs.
for (const file of ['wasm_sse.js', 'wasm_sse_bg.wasm', 'wasm-sse.iife.js']) {
  copyFileSync(join(bindgenDir, file), join(pkgDir, file));
}
for (const entry of readdirSync(template, { withFileTypes: true })) {
  const file = entry.name;
  if (!entry.isFile() || file === 'package.json') continue;
  copyFileSync(join(template, file), join(pkgDir, file));
}
// One version for the crate and the npm package: Cargo.toml's.
const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
manifest.version = version;
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

// Every file the manifest ships must exist, and every file present must be shipped.
const shipped = new Set(manifest.files);
const present = readdirSync(pkgDir).filter((f) => f !== 'package.json');
const missing = [...shipped].filter((f) => !present.includes(f));
const unlisted = present.filter((f) => !shipped.has(f));
if (missing.length || unlisted.length) {
  console.error(`${pkgDir} does not match package.json "files": missing ${missing}, unlisted ${unlisted}`);
  process.exit(1);
}
console.log(`built ${pkgDir} (wasm-sse ${version})`);
