// Parser throughput: wasm-sse's createParser against its JS peers, over
// generated streams cut into 16 KiB chunks, in Node and in headless Chromium.
// It measures; it asserts nothing about time. What it does check is that every
// contestant delivered the events the stream holds: a mismatch is a problem.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInChromium } from '../lib/browser.mjs';
import { gc } from '../lib/node-gc.mjs';
import { findEntry } from '../lib/pkg.mjs';
import { summarize } from '../lib/stats.mjs';
import { bytes, fixed, formatTable, heading, int } from '../lib/table.mjs';
import { PEERS, loadWasmSse } from './contestants.mjs';
import { measureAll } from './measure.mjs';
import { CHUNK_SIZE, buildStreams } from './streams.mjs';

export const name = 'parser';
export const summary = 'SSE parser throughput, wasm-sse vs eventsource-parser, @microsoft/fetch-event-source, baseline';

const REFERENCE = 'eventsource-parser';

/**
 * @param {{ envs: ('node' | 'chromium')[], runs: number, warmup: number,
 *   print: (text: string) => void, log: (line: string) => void }} ctx
 * @returns {Promise<string[]>} problems to report at the end (empty when none)
 */
export async function run(ctx) {
  const problems = [];
  for (const env of ctx.envs) {
    try {
      const { label, results, notes } = env === 'node' ? await inNode(ctx) : await inChromium(ctx);
      problems.push(...report(label, results, notes, ctx));
    } catch (err) {
      // One environment failing (no chromium, say) still lets the other report.
      ctx.print(`\n!!! parser · ${env} crashed: ${err?.stack ?? err}`);
      problems.push(`parser · ${env} crashed: ${err?.message ?? err}`);
    }
  }
  return problems;
}

async function inNode({ runs, warmup, log }) {
  const entry = findEntry('node');
  const wasm = await loadWasmSse(entry.ok ? pathToFileURL(join(entry.dir, entry.entry)).href : null, entry.reason);
  const contestants = [wasm, ...(wasm.text ? [wasm.text] : []), ...PEERS];
  log('parser/node: generating streams');
  const streams = buildStreams();
  const results = await measureAll({ streams, contestants, runs, warmup, gc, log: (l) => log(`parser/node: ${l}`) });
  return { label: `node ${process.version}`, results, notes: [wasmSseNote(contestants[0], `pkg/${entry.entry}`)] };
}

async function inChromium(ctx) {
  const { out, version, entry, notes } = await runInChromium('parser', 'runParserBench', ctx);
  notes.unshift(wasmSseNote(out.results[0].rows[0], `/pkg/${entry.entry}`));
  return { label: `chromium ${version}`, results: out.results, notes };
}

const wasmSseNote = (contestant, from) => (contestant.missing ? 'wasm-sse not measured' : `wasm-sse from ${from}`);

const COLUMNS = [
  { title: 'contestant', align: 'left' },
  { title: 'MB/s' },
  { title: 'ns/event' },
  { title: 'events/s' },
  { title: `vs ${REFERENCE}` },
  { title: 'median ms' },
  { title: 'spread' },
];

function report(label, results, notes, { runs, warmup, print }) {
  const problems = [];
  print(heading(`parser · ${label} · median of ${runs} runs after ${warmup} warm-up · ${notes.join(' · ')}`));
  print('   MB = 1,000,000 bytes; spread = (slowest - fastest) / median; events/s relative to eventsource-parser');
  for (const { stream, rows } of results) {
    print(
      `\n${stream.name}: ${stream.title}. ${bytes(stream.bytes)} in ${int(stream.chunkCount)} chunks ` +
        `of ${CHUNK_SIZE / 1024} KiB (${stream.edgesInUtf8} edges inside a UTF-8 sequence, ${stream.edgesInCrlf} inside a CRLF), fnv1a ${stream.checksum}`,
    );
    const ref = rows.find((r) => r.name === REFERENCE && r.times.length);
    const refRate = ref ? stream.expected.events / (summarize(ref.times).median / 1000) : NaN;
    const table = rows.map((row) => {
      if (row.missing) return [row.name, '-', '-', '-', 'not measured', '', ''];
      if (row.failed) return [row.name, 'FAILED', '', '', '', '', ''];
      const t = summarize(row.times);
      const seconds = t.median / 1000;
      const rate = stream.expected.events / seconds;
      return [
        row.name,
        fixed(stream.bytes / 1e6 / seconds, 1),
        fixed((t.median * 1e6) / stream.expected.events, 0),
        int(rate),
        `${fixed(rate / refRate, 2)}x`,
        fixed(t.median, 1),
        `${fixed(t.spread * 100, 0)}%`,
      ];
    });
    print(formatTable(COLUMNS, table));
    const found = rows.flatMap((row) => check(row, stream.expected).map((p) => `parser · ${label} · ${stream.name} · ${row.name}: ${p}`));
    // Loud, right under the table it puts in doubt, and again in the summary.
    for (const p of found) print(`!!! ${p}`);
    problems.push(...found);
  }
  const missing = new Map(results.flatMap(({ rows }) => rows.filter((r) => r.missing).map((r) => [r.name, r.missing])));
  for (const [who, why] of missing) {
    print(`\n!!! ${who} not measured: ${why}`);
    problems.push(`parser · ${label} · ${who} not measured: ${why}`);
  }
  return problems;
}

// Everything a contestant got wrong about the events of a stream.
function check(row, expected) {
  if (row.missing) return []; // said once per environment, under its tables
  if (row.failed) return [`threw ${row.failed}`];
  const found = [];
  if (row.unstable) found.push(row.unstable);
  if (row.tally.error) found.push(`reported an error: ${row.tally.error}`);
  // The baseline reports only a count: its null fields are not compared.
  const wrong = Object.entries(expected).filter(([k, v]) => row.tally[k] !== null && row.tally[k] !== v);
  if (wrong.length) found.push(`MISMATCH ${wrong.map(([k, v]) => `${k} ${row.tally[k]} (expected ${v})`).join(', ')}`);
  return found;
}
