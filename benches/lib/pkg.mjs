// Where the built npm package is, and which of its files an environment loads.
// Benches measure the package as shipped (what `make build` writes to pkg/),
// never the Rust sources, so they resolve its entries the way Node and
// bundlers do: through the `exports` map of pkg/package.json.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCHES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** pkg/ beside benches/, or WASM_SSE_PKG to measure another build. */
export const PKG_DIR = resolve(process.env.WASM_SSE_PKG ?? join(BENCHES_DIR, '..', 'pkg'));

/** Condition sets, in the spirit of Node's `import` and a browser bundler's. */
export const CONDITIONS = {
  node: ['node', 'import', 'default'],
  browser: ['browser', 'import', 'module', 'default'],
};

/**
 * @param {'node' | 'browser'} target
 * @param {string} [subpath] an export of the package, "." by default
 * @param {string} [dir] the package's folder: pkg/ (or WASM_SSE_PKG) by default
 * @returns {{ ok: true, dir: string, entry: string } | { ok: false, dir: string, reason: string }}
 *   entry is a path relative to dir, without a leading "./".
 */
export function findEntry(target, subpath = '.', dir = PKG_DIR) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    return { ok: false, dir, reason: `${manifest} does not exist: run make build first` };
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const exported = subpath === '.' ? pkg.exports : pkg.exports?.[subpath];
  const entry = pickExport(exported, CONDITIONS[target]) ?? (subpath === '.' ? fallbackEntry(dir, pkg, target) : undefined);
  if (!entry) return { ok: false, dir, reason: `no ${target} entry for ${subpath} in ${manifest}` };
  const rel = entry.replace(/^\.\//, '');
  if (!existsSync(join(dir, rel))) {
    return { ok: false, dir, reason: `${join(dir, rel)} is missing: run make build first` };
  }
  return { ok: true, dir, entry: rel };
}

// The "." export: a string, a conditions object (first matching key wins, in
// the object's own order, as Node resolves it), or an array of fallbacks.
function pickExport(exp, conditions) {
  if (exp == null) return undefined;
  if (typeof exp === 'string') return exp;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const hit = pickExport(e, conditions);
      if (hit) return hit;
    }
    return undefined;
  }
  if ('.' in exp) return pickExport(exp['.'], conditions);
  if (Object.keys(exp).some((k) => k.startsWith('./'))) return undefined;
  for (const [key, value] of Object.entries(exp)) {
    if (conditions.includes(key)) {
      const hit = pickExport(value, conditions);
      if (hit && /\.(m?js|cjs)$/.test(hit)) return hit;
    }
  }
  return undefined;
}

function fallbackEntry(dir, pkg, target) {
  if (target === 'node' && existsSync(join(dir, 'node.js'))) return 'node.js';
  return pkg.module ?? pkg.main ?? (existsSync(join(dir, 'index.js')) ? 'index.js' : undefined);
}

/**
 * Files a JS entry loads, followed through relative static and dynamic
 * imports, re-exports and `new URL('./x', import.meta.url)` assets (how
 * wasm-bindgen output finds its .wasm). Paths are relative to dir.
 * @returns {string[]}
 */
export function loadedFiles(dir, entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    seen.add(rel);
    if (!/\.(m?js|cjs)$/.test(rel)) continue;
    const source = readFileSync(join(dir, rel), 'utf8');
    for (const spec of relativeSpecifiers(source)) {
      // Extensionless specifiers (TypeScript output such as './fetch') as Node's
      // and bundlers' resolution would find them.
      const next = [spec, `${spec}.js`].map((s) => join(dirname(rel), s)).find((p) => existsSync(join(dir, p)) && statSync(join(dir, p)).isFile());
      if (next) queue.push(next);
    }
  }
  return [...seen];
}

function relativeSpecifiers(source) {
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]));
}
