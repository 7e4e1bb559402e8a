// The delta pipeline: (b) flicker of the markdown display over the corpus, and
// (c) how much `hold` keeps back, measured in Node with markdown-it; (a)
// main-thread time from a 100k-event OpenAI-style stream to the final text,
// beside eventsource-parser and @microsoft/fetch-event-source with JSON.parse,
// in Node and headless Chromium. Timing asserts nothing; a contestant that
// builds another text than the stream holds is a problem.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import remend from 'remend';
import { runInChromium } from '../lib/browser.mjs';
import { gc } from '../lib/node-gc.mjs';
import { BENCHES_DIR, findEntry } from '../lib/pkg.mjs';
import { summarize } from '../lib/stats.mjs';
import { fixed, formatTable, heading, int } from '../lib/table.mjs';
import { measureAll } from '../parser/measure.mjs';
import { buildStreams } from '../parser/streams.mjs';
import { PEERS, expectedAnswer, loadWasmSse } from './contestants.mjs';
import { CURVE_POINTS, longAnswer, measureCurve } from './curve.mjs';
import { measureFlicker } from './flicker.mjs';

export const name = 'delta';
export const summary = 'delta pipeline: markdown flicker vs naive and remend (Node), main-thread time to the final text vs eventsource-parser + JSON.parse';

const REFERENCE = 'eventsource-parser + JSON.parse';
const CORPUS = join(BENCHES_DIR, '..', 'tests', 'corpus', 'markdown');

export async function run(ctx) {
  const problems = [];
  try {
    problems.push(...(await flicker(ctx)));
  } catch (err) {
    ctx.print(`\n!!! delta · flicker crashed: ${err?.stack ?? err}`);
    problems.push(`delta · flicker crashed: ${err?.message ?? err}`);
  }
  for (const env of ctx.envs) {
    try {
      const out = env === 'node' ? await inNode(ctx) : await inChromium(ctx);
      problems.push(...report(out, ctx));
    } catch (err) {
      ctx.print(`\n!!! delta · ${env} crashed: ${err?.stack ?? err}`);
      problems.push(`delta · ${env} crashed: ${err?.message ?? err}`);
    }
  }
  return problems;
}

async function nodeApi() {
  const entry = findEntry('node');
  if (!entry.ok) return { missing: entry.reason };
  const contestants = await loadWasmSse(pathToFileURL(join(entry.dir, entry.entry)).href, entry.reason);
  return { contestants, entry };
}

async function flicker({ print, log }) {
  const docs = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => [f, readFileSync(join(CORPUS, f), 'utf8')]);
  const entry = findEntry('node');
  let createDeltaStream;
  const notes = [];
  if (entry.ok) {
    const url = pathToFileURL(join(entry.dir, entry.entry)).href;
    const mod = await import(url);
    await mod.ready;
    createDeltaStream = mod.createDeltaStream ?? (await import(new URL('delta.js', url).href)).createDeltaStream;
  } else notes.push(`wasm-sse not measured: ${entry.reason}`);
  log('delta/flicker: streaming the corpus');
  const { rows, problems, examples, contestants } = measureFlicker({ docs, createDeltaStream, remend });
  log('delta/flicker: the per-flush cost curve');
  const curve = measureCurve({ text: longAnswer(docs, CURVE_POINTS.at(-1)), createDeltaStream, remend });
  print(heading(`delta · flicker · node ${process.version} · ${docs.length} documents of tests/corpus/markdown, a flush after every delta`));
  print('   share of flushes whose display renders (markdown-it, CommonMark + GFM tables/strikethrough) other than a prefix of the final text');
  const table = rows.map((r) => [
    r.tokenization,
    int(r.tally.naive.flushes),
    ...contestants.map((c) => `${fixed((100 * r.tally[c].broken) / r.tally[c].flushes, 1)}%`),
    Number.isNaN(r.heldBack) ? '-' : `${fixed(r.heldBack, 2)} ch`,
  ]);
  const sum = (c, k) => rows.reduce((a, r) => a + r.tally[c][k], 0);
  table.push(['all', int(sum('naive', 'flushes')), ...contestants.map((c) => `${fixed((100 * sum(c, 'broken')) / sum(c, 'flushes'), 1)}%`), '']);
  print(
    formatTable(
      [{ title: 'tokens', align: 'left' }, { title: 'deltas' }, ...contestants.map((c) => ({ title: c })), { title: 'hold keeps back (mean)' }],
      table,
    ),
  );
  print(heading(`delta · cost per flush · node ${process.version} · one ${int(CURVE_POINTS.at(-1) / 1000)} KB answer (the corpus answers in a row) in 20-byte deltas, a flush after each`));
  print('   µs per step (push, flush, read what a UI renders: the display tail; remend: its healed text), mean of the 50 flushes up to each point, median of 3 runs');
  print(
    formatTable(
      [{ title: 'contestant', align: 'left' }, ...CURVE_POINTS.map((p) => ({ title: `at ${int(p / 1000)} KB` })), { title: 'last / first' }],
      curve.map(({ name, us }) => [name, ...us.map((u) => fixed(u, 2)), `${fixed(us.at(-1) / us[0], 1)}x`]),
    ),
  );
  for (const n of notes) print(`!!! ${n}`);
  if (examples.length) print(`first break of each:\n${examples.map((e) => `   ${e.slice(0, 400)}`).join('\n')}`);
  for (const p of problems) print(`!!! ${p}`);
  return [...problems, ...notes.map((n) => `delta · flicker: ${n}`)];
}

function chatStream() {
  const [chat] = buildStreams({ docEvents: 0 }).filter((s) => s.name === 'chat-lf');
  return chat;
}

async function inNode({ runs, warmup, log }) {
  const api = await nodeApi();
  const contestants = [...(api.contestants ?? [{ name: 'wasm-sse', missing: api.missing }]), ...PEERS];
  log('delta/node: generating the chat stream');
  const chat = chatStream();
  const expected = expectedAnswer(chat.chunks);
  const results = await measureAll({ streams: [chat], contestants, runs, warmup, gc, log: (l) => log(`delta/node: ${l}`) });
  return { label: `node ${process.version}`, results, expected, notes: [] };
}

async function inChromium(ctx) {
  const { out, version, notes } = await runInChromium('delta', 'runDeltaBench', ctx);
  return { label: `chromium ${version}`, results: out.results, expected: out.expected, notes };
}

const COLUMNS = [
  { title: 'contestant', align: 'left' },
  { title: 'median ms' },
  { title: 'ns/event' },
  { title: 'MB/s' },
  { title: `speed vs ${REFERENCE}` },
  { title: 'spread' },
];

function report({ label, results, expected, notes }, { runs, warmup, print }) {
  const problems = [];
  const [{ stream, rows }] = results;
  print(heading(`delta · main thread · ${label} · median of ${runs} runs after ${warmup} warm-up${notes.length ? ` · ${notes.join(' · ')}` : ''}`));
  print(`   ${stream.title} (${(stream.bytes / 1e6).toFixed(2)} MB in 16 KiB chunks) to the final answer text (${int(expected.length)} UTF-16 units)`);
  const ref = rows.find((r) => r.name === REFERENCE && r.times.length);
  const refMs = ref ? summarize(ref.times).median : NaN;
  const table = rows.map((row) => {
    if (row.missing) return [row.name, 'not measured', '', '', '', ''];
    if (row.failed) return [row.name, 'FAILED', '', '', '', ''];
    const t = summarize(row.times);
    return [
      row.name,
      fixed(t.median, 1),
      fixed((t.median * 1e6) / stream.expected.events, 0),
      fixed(stream.bytes / 1e6 / (t.median / 1000), 1),
      `${fixed(refMs / t.median, 2)}x`,
      `${fixed(t.spread * 100, 0)}%`,
    ];
  });
  print(formatTable(COLUMNS, table));
  for (const row of rows) {
    let p = null;
    if (row.missing) p = `${row.name} not measured: ${row.missing}`;
    else if (row.failed) p = `${row.name} threw ${row.failed}`;
    else if (row.unstable) p = `${row.name}: ${row.unstable}`;
    else if (row.tally.length !== expected.length || row.tally.hash !== expected.hash) {
      p = `${row.name}: MISMATCH text of ${row.tally.length} units, hash ${row.tally.hash} (expected ${expected.length}, ${expected.hash})`;
    }
    if (p) {
      print(`!!! ${p}`);
      problems.push(`delta · ${label} · ${p}`);
    }
  }
  return problems;
}
