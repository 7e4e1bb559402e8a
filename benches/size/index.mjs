// What the browser downloads for wasm-sse, per entry of the package: the .wasm
// plus every .js file the entry loads, each gzipped at level 9 as a server
// would send it. `wasm-sse/parser` (the parser alone) has a budget of 20 KB;
// the main entry (parser, fetch client, delta pipeline) is reported.
// Environment-independent: runs once.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findEntry, loadedFiles } from '../lib/pkg.mjs';
import { fixed, formatTable, heading, int } from '../lib/table.mjs';

export const name = 'size';
export const summary = 'gzipped size of each browser entry of the package (JS + wasm), the parser entry against its budget';
export const perEnv = false;

/** 20 KB, decimal: the budget for the parser (wasm + JS, gzipped). */
export const BUDGET = 20_000;

const ENTRIES = [
  { subpath: './parser', label: 'wasm-sse/parser (createParser, EventSourceParserStream)', budget: BUDGET },
  { subpath: '.', label: 'wasm-sse (parser + fetchEventSource + createDeltaStream)' },
];

export async function run({ print }) {
  const problems = [];
  for (const { subpath, label, budget } of ENTRIES) {
    const entry = findEntry('browser', subpath);
    print(heading(`size · ${label} · browser entry, gzip level 9 per file`));
    if (!entry.ok) {
      print(`!!! not measured: ${entry.reason}`);
      problems.push(`size: ${subpath} not measured: ${entry.reason}`);
      continue;
    }
    const files = loadedFiles(entry.dir, entry.entry);
    const wasm = join(dirname(entry.entry), 'wasm_sse_bg.wasm');
    if (!files.includes(wasm)) files.push(wasm);
    const rows = files.map((file) => {
      const raw = readFileSync(join(entry.dir, file));
      return { file, raw: raw.length, gz: gzipSync(raw, { level: 9 }).length };
    });
    const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), { raw: 0, gz: 0 });
    const table = [...rows, { file: 'total', ...total }].map((r) => [r.file, int(r.raw), int(r.gz)]);
    print(`pkg: ${entry.dir}, entry ${entry.entry}`);
    print(formatTable([{ title: 'file', align: 'left' }, { title: 'bytes' }, { title: 'gzip -9' }], table));
    if (budget) {
      const verdict = total.gz <= budget ? 'within' : 'OVER';
      print(`total gzipped ${int(total.gz)} B = ${fixed((100 * total.gz) / budget, 0)}% of the ${int(budget)} B budget: ${verdict}`);
    } else {
      print(`total gzipped ${int(total.gz)} B`);
    }
  }
  // Over budget is reported, not failed on: this is a measurement.
  return problems;
}
