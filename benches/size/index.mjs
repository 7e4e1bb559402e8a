// What the browser downloads for wasm-sse, per entry of the package, beside the
// peers: every file the entry loads (the .wasm too), gzipped at level 9 as a
// server would send it. Two columns, because apps ship JS two ways:
// - "as shipped": the package's own files, as a <script type=module> or a CDN
//   loads them;
// - "bundled": what an app's bundler makes of the same entry (esbuild, bundled
//   and minified; the .wasm is an asset and counts as is).
// The budgets are issue 10's: 8 KB for `wasm-sse/parser`, 35 KB for the main
// entry. The summary also gives brotli (quality 11), which CDNs serve, and the
// AI SDK's `useChat` (@ai-sdk/react, React left out as the app's own) bundled
// the same way. Environment-independent: runs once; sizes are deterministic.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BENCHES_DIR, findEntry, loadedFiles } from '../lib/pkg.mjs';
import { fixed, formatTable, heading, int } from '../lib/table.mjs';

export const name = 'size';
export const summary = 'gzipped size of each browser entry (JS + wasm), as shipped and as bundled, beside the peers and against the budgets';
export const perEnv = false;

/** Budgets in bytes, decimal (issue 10): gzip -9 of everything the entry loads. */
export const BUDGETS = { parser: 8_000, main: 35_000 };

/** Our entries, each with its budget. */
export const OURS = [
  { subpath: './parser', label: 'wasm-sse/parser (createParser, EventSourceParserStream)', budget: BUDGETS.parser },
  { subpath: '.', label: 'wasm-sse (parser + fetchEventSource + createDeltaStream)', budget: BUDGETS.main },
];

// The peers' browser entries, from benches/node_modules (their published files).
const PEERS = [
  { label: 'eventsource-parser', dir: 'eventsource-parser', entry: 'dist/index.js' },
  { label: '@microsoft/fetch-event-source', dir: '@microsoft/fetch-event-source', entry: 'lib/esm/index.js' },
];

// A client-side chat hook beside them: only bundled (it is not loaded unbundled).
const AI_SDK = { label: "AI SDK useChat (@ai-sdk/react)", source: "export { useChat } from '@ai-sdk/react';", external: ['react'] };

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const br = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/**
 * The entry bundled and minified by esbuild, as an app's build would ship it:
 * a file (`absEntry`), or `{ source, external }` resolved from benches/.
 */
async function bundledJs(absEntry) {
  const input =
    typeof absEntry === 'string'
      ? { entryPoints: [absEntry] }
      : { stdin: { contents: absEntry.source, resolveDir: BENCHES_DIR, loader: 'js' }, external: absEntry.external };
  const out = await build({
    ...input,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  return out.outputFiles[0].contents;
}

/**
 * What `entry` of the package in `dir` weighs, gzip -9: `rows` (each file it
 * loads), `shipped` ({ raw, gz } of those files), `wasmGz`, `bundledJsGz` (the
 * entry bundled and minified) and `bundled` (that plus the wasm).
 */
export async function measure(dir, entry) {
  const files = loadedFiles(dir, entry);
  const wasmFiles = files.filter((f) => f.endsWith('.wasm'));
  const wasm = join(dirname(entry), 'wasm_sse_bg.wasm');
  if (!wasmFiles.includes(wasm) && files.some((f) => f.endsWith('wasm_sse.js'))) wasmFiles.push(wasm);
  const rows = files
    .filter((f) => !f.endsWith('.wasm'))
    .concat(wasmFiles)
    .map((file) => {
      const raw = readFileSync(join(dir, file));
      return { file, raw: raw.length, gz: gz(raw) };
    });
  const shipped = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), { raw: 0, gz: 0 });
  const wasmRows = rows.filter((r) => r.file.endsWith('.wasm'));
  const wasmGz = wasmRows.reduce((a, r) => a + r.gz, 0);
  const wasmBr = wasmRows.reduce((a, r) => a + br(readFileSync(join(dir, r.file))), 0);
  const js = await bundledJs(join(dir, entry));
  return { rows, shipped, wasmGz, bundledJsGz: gz(js), bundled: gz(js) + wasmGz, bundledBr: br(js) + wasmBr };
}

/** A bundle with no package files of its own (`{ source, external }`), as `measure` gives it. */
async function measureBundle(input) {
  const js = await bundledJs(input);
  return { shipped: null, wasmGz: 0, bundledJsGz: gz(js), bundled: gz(js), bundledBr: br(js) };
}

export async function run({ print }) {
  const problems = [];
  const summaryRows = [];
  for (const { subpath, label, budget } of OURS) {
    const entry = findEntry('browser', subpath);
    print(heading(`size · ${label} · browser entry, gzip level 9 per file`));
    if (!entry.ok) {
      print(`!!! not measured: ${entry.reason}`);
      problems.push(`size: ${subpath} not measured: ${entry.reason}`);
      continue;
    }
    const m = await measure(entry.dir, entry.entry);
    const table = [...m.rows, { file: 'total', ...m.shipped }].map((r) => [r.file, int(r.raw), int(r.gz)]);
    print(`pkg: ${entry.dir}, entry ${entry.entry}`);
    print(formatTable([{ title: 'file', align: 'left' }, { title: 'bytes' }, { title: 'gzip -9' }], table));
    summaryRows.push({ label: `wasm-sse${subpath === '.' ? '' : subpath.slice(1)}`, m, budget });
  }
  for (const peer of PEERS) {
    const dir = join(BENCHES_DIR, 'node_modules', peer.dir);
    try {
      summaryRows.push({ label: peer.label, m: await measure(dir, peer.entry) });
    } catch (error) {
      print(`!!! ${peer.label} not measured (npm ci --prefix benches): ${error.message}`);
      problems.push(`size: ${peer.label} not measured`);
    }
  }
  try {
    summaryRows.push({ label: AI_SDK.label, m: await measureBundle(AI_SDK) });
  } catch (error) {
    print(`!!! ${AI_SDK.label} not measured (npm ci --prefix benches): ${error.message}`);
    problems.push(`size: ${AI_SDK.label} not measured`);
  }
  print(heading('size · every entry, as shipped and as bundled (esbuild --minify), gzip -9 (and brotli 11 bundled), JS + wasm'));
  const verdict = (bytes, budget) => (budget ? `${fixed((100 * bytes) / budget, 0)}% ${bytes <= budget ? 'within' : 'OVER'}` : '');
  print(
    formatTable(
      [
        { title: 'entry', align: 'left' },
        { title: 'as shipped' },
        { title: 'bundled JS' },
        { title: 'wasm' },
        { title: 'bundled total' },
        { title: 'brotli' },
        { title: 'budget' },
        { title: 'bundled vs budget', align: 'left' },
      ],
      summaryRows.map(({ label, m, budget }) => [
        label,
        m.shipped ? int(m.shipped.gz) : '',
        int(m.bundledJsGz),
        int(m.wasmGz),
        int(m.bundled),
        int(m.bundledBr),
        budget ? int(budget) : '',
        verdict(m.bundled, budget),
      ]),
    ),
  );
  // Over budget is reported, not failed on: this is a measurement.
  return problems;
}
