// What the browser downloads for wasm-sse: the .wasm plus every .js file its
// default (browser) entry loads, each gzipped at level 9 as a server would
// send it, against the size budget. Environment-independent: runs once.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findEntry, loadedFiles } from '../lib/pkg.mjs';
import { fixed, formatTable, heading, int } from '../lib/table.mjs';

export const name = 'size';
export const summary = 'gzipped size of the shipped package (browser entry + wasm) against the budget';
export const perEnv = false;

/** 20 KB, decimal: the budget the design sets for wasm + JS, gzipped. */
export const BUDGET = 20_000;
const WASM = 'wasm_sse_bg.wasm';

export async function run({ print }) {
  const entry = findEntry('browser');
  print(heading('size · browser entry of the package, gzip level 9 per file'));
  if (!entry.ok) {
    print(`!!! not measured: ${entry.reason}`);
    return [`size: not measured: ${entry.reason}`];
  }
  const files = loadedFiles(entry.dir, entry.entry);
  if (!files.includes(WASM)) files.push(WASM);
  const rows = files.map((file) => {
    const raw = readFileSync(join(entry.dir, file));
    return { file, raw: raw.length, gz: gzipSync(raw, { level: 9 }).length };
  });
  const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), { raw: 0, gz: 0 });
  const table = [...rows, { file: 'total', ...total }].map((r) => [r.file, int(r.raw), int(r.gz)]);
  print(`pkg: ${entry.dir}, entry ${entry.entry}`);
  print(formatTable([{ title: 'file', align: 'left' }, { title: 'bytes' }, { title: 'gzip -9' }], table));
  const verdict = total.gz <= BUDGET ? 'within' : 'OVER';
  print(`total gzipped ${int(total.gz)} B = ${fixed((100 * total.gz) / BUDGET, 0)}% of the ${int(BUDGET)} B (20 KB) budget: ${verdict}`);
  // Over budget is reported, not failed on: this is a measurement.
  return [];
}
