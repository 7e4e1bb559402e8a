// End to end, in headless Chromium: fetch() against a local node:http server
// to onmessage. wasm-sse's fetchEventSource beside @microsoft/fetch-event-source,
// eventsource-parser over fetch (both ways its README shows) and a baseline
// with no SSE parser (decode, split at blank lines). Throughput over the parser
// bench's 100k-event chat stream, written as fast as the socket takes it, in
// wall time and in main-thread CPU time; latency of a stream paced at one
// event every 20 ms. It measures; it asserts nothing about time. A contestant
// that delivers other events than the server sent is a problem.

import { runInChromium } from '../lib/browser.mjs';
import { summarize } from '../lib/stats.mjs';
import { bytes, fixed, formatTable, heading, int } from '../lib/table.mjs';
import { buildStreams } from '../parser/streams.mjs';
import { ESP_FEED, ESP_STREAM, MICROSOFT, WASM_SSE } from './contestants.mjs';
import { WRITE_SIZE, startStreamServer } from './server.mjs';

export const name = 'e2e';
export const summary = 'fetch() to onmessage in Chromium: throughput and latency, wasm-sse fetchEventSource vs @microsoft/fetch-event-source and eventsource-parser';
// Chromium only: in Node the server and the client would share one thread.
export const perEnv = false;

// Latency: rounds of n events every ms per contestant; the first `skip` of
// each run are left out (connection just opened, code paths not yet hot).
const PACED = { n: 100, ms: 20, rounds: 4, skip: 5 };
const TARGETS = { microsoft: 2, eventsourceParser: 1.2, latencyMs: 0.2 };

export async function run(ctx) {
  if (!ctx.envs.includes('chromium')) {
    ctx.print(heading('e2e · skipped: it runs in Chromium only (--env chromium or all)'));
    return [];
  }
  ctx.log('e2e: generating the chat stream');
  const [chat] = buildStreams({ docEvents: 0 }).filter((s) => s.name === 'chat-lf');
  const body = new Uint8Array(chat.bytes);
  let at = 0;
  for (const c of chat.chunks) {
    body.set(c, at);
    at += c.length;
  }
  const expected = { events: chat.expected.events, dataLength: chat.expected.dataLength, last: '[DONE]' };
  const server = await startStreamServer(body);
  ctx.log(`e2e: stream server on ${server.origin}`);
  let result;
  try {
    result = await runInChromium('e2e', 'runE2eBench', {
      ...ctx,
      params: { server: `${server.origin}${server.prefix}`, paced: PACED },
      setup: exposeMainThreadTime,
    });
  } finally {
    await server.close();
  }
  const { out, version, notes } = result;
  const wasm = out.contestants.find((c) => c.name === WASM_SSE);
  notes.unshift(wasm.missing ? 'wasm-sse not measured' : `wasm-sse from ${new URL(wasm.from).pathname}`);
  if (server.requests.preflight) notes.push(`${server.requests.preflight} CORS preflight(s)`);
  if (server.requests.unknown) notes.push(`${server.requests.unknown} request(s) to unknown paths`);
  const label = `chromium ${version}`;
  return [
    ...reportThroughput(out, { label, notes, chat, expected }, ctx),
    ...reportLatency(out, { label }, ctx),
    ...out.contestants.filter((c) => c.missing).map((c) => report(ctx, `e2e · ${label} · ${c.name} not measured: ${c.missing}`)),
  ];
}

// The page's main-thread CPU time (DevTools Performance metric ThreadTime,
// seconds): what a contestant costs the thread that also runs the app. Wall
// time mixes in the network, and other load on the machine.
async function exposeMainThreadTime(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.exposeFunction('e2eMainThreadSeconds', async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'ThreadTime')?.value ?? null;
  });
}

// Prints a problem where it belongs and returns it for the summary.
function report({ print }, problem) {
  print(`!!! ${problem}`);
  return problem;
}

const median = (row) => summarize(row.times).median;
const measured = (row) => row && !row.failed && row.times.length > 0;

// The faster of eventsource-parser's two ways, in throughput: the reference.
function eventsourceParserReference(rows) {
  const both = rows.filter((r) => (r.name === ESP_FEED || r.name === ESP_STREAM) && measured(r));
  return both.sort((a, b) => median(a) - median(b))[0];
}

function reportThroughput(out, { label, notes, chat, expected }, ctx) {
  const { runs, warmup, print } = ctx;
  const rows = out.throughput;
  const cpuOf = (row) => (row?.cpu?.length ? summarize(row.cpu).median : NaN);
  print(heading(`e2e · throughput · ${label} · median of ${runs} runs after ${warmup} warm-up · ${notes.join(' · ')}`));
  print(
    `   ${chat.title}, ${bytes(chat.bytes)}, from a node:http server on 127.0.0.1 (${WRITE_SIZE >> 20} MiB writes), fetch() to the end of the stream;` +
      '\n   MB = 1,000,000 bytes; spread = (slowest - fastest) / median; CPU = main-thread CPU time of the run (DevTools ThreadTime);' +
      "\n   x wall, x CPU = this row's median over wasm-sse's: above 1, wasm-sse is ahead",
  );
  const wasm = rows.find((r) => r.name === WASM_SSE);
  const wasmMs = measured(wasm) ? median(wasm) : NaN;
  const wasmCpu = cpuOf(wasm);
  const table = rows.map((row) => {
    if (row.failed) return [row.name, 'FAILED', '', '', '', '', '', '', ''];
    const t = summarize(row.times);
    const cpu = cpuOf(row);
    return [
      row.name,
      int(expected.events / (t.median / 1000)),
      fixed(chat.bytes / 1e6 / (t.median / 1000), 1),
      fixed(t.median, 1),
      `${fixed(t.spread * 100, 0)}%`,
      row === wasm ? '' : times(t.median / wasmMs),
      Number.isNaN(cpu) ? '-' : fixed(cpu, 1),
      Number.isNaN(cpu) ? '-' : fixed((cpu * 1e6) / expected.events, 0),
      row === wasm ? '' : times(cpu / wasmCpu),
    ];
  });
  print(
    formatTable(
      [
        { title: 'contestant', align: 'left' },
        { title: 'events/s' },
        { title: 'MB/s' },
        { title: 'median ms' },
        { title: 'spread' },
        { title: 'x wall' },
        { title: 'CPU ms' },
        { title: 'CPU ns/event' },
        { title: 'x CPU' },
      ],
      table,
    ),
  );
  const problems = [];
  for (const row of rows) {
    const wrong = [];
    if (row.failed) wrong.push(`threw ${row.failed}`);
    else {
      if (row.unstable) wrong.push(row.unstable);
      const off = Object.entries(expected).filter(([k, v]) => row.tally[k] !== v);
      if (off.length) wrong.push(`MISMATCH ${off.map(([k, v]) => `${k} ${JSON.stringify(row.tally[k])} (expected ${JSON.stringify(v)})`).join(', ')}`);
    }
    for (const w of wrong) problems.push(report(ctx, `e2e · ${label} · throughput · ${row.name}: ${w}`));
  }
  const ms = rows.find((r) => r.name === MICROSOFT);
  const esp = eventsourceParserReference(rows);
  const ratios = (row) => [measured(wasm) && measured(row) ? median(row) / wasmMs : NaN, cpuOf(row) / wasmCpu];
  verdict(print, `wasm-sse vs ${MICROSOFT}`, ...ratios(ms), TARGETS.microsoft);
  verdict(print, `wasm-sse vs eventsource-parser (${esp ? esp.name.replace('eventsource-parser, ', '') : 'none'}, the faster of its two)`, ...(esp ? ratios(esp) : [NaN, NaN]), TARGETS.eventsourceParser);
  return problems;
}

// The target is on events/s (wall time); main-thread CPU is said beside it.
function verdict(print, what, ratio, cpuRatio, target) {
  const state = Number.isNaN(ratio) ? 'not measured' : ratio >= target ? 'met' : 'NOT met';
  const cpu = Number.isNaN(cpuRatio) ? '' : ` (main-thread CPU: ${fixed(cpuRatio, 2)}x)`;
  print(`   target: ${what}, events/s >= ${fixed(target, 1)}x: ${Number.isNaN(ratio) ? '-' : `${fixed(ratio, 2)}x`}, ${state}${cpu}`);
}

// Nearest rank.
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function reportLatency(out, { label }, ctx) {
  const { print } = ctx;
  const rows = out.latency;
  const clocks = rows.flatMap((r) => r.clocks);
  const rtts = clocks.map((c) => c.rtt).sort((a, b) => a - b);
  const offsets = clocks.map((c) => c.offset);
  print(heading(`e2e · latency · ${label} · ${PACED.rounds} rounds of ${PACED.n} events, one every ${PACED.ms} ms, contestants one at a time, order reversed every other round`));
  print(
    `   server write (its wall clock) to onmessage (the page's), the first ${PACED.skip} events of each run left out;` +
      `\n   clocks matched before each run by the fastest of 15 /clock round trips (best RTT ${fixed(rtts[0] ?? NaN, 3)}-${fixed(rtts.at(-1) ?? NaN, 3)} ms,` +
      ` offset drift ${fixed(Math.max(...offsets) - Math.min(...offsets), 3)} ms): absolute values are good to about half an RTT, differences much better`,
  );
  const stats = new Map();
  for (const row of rows) {
    if (row.failed || !row.latencies.length) continue;
    const s = [...row.latencies].sort((a, b) => a - b);
    stats.set(row.name, { p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99), max: s.at(-1), n: s.length });
  }
  const wasm = stats.get(WASM_SSE);
  const table = rows.map((row) => {
    const s = stats.get(row.name);
    if (!s) return [row.name, 'FAILED', '', '', '', '', ''];
    return [
      row.name,
      fixed(s.p50, 3),
      fixed(s.p90, 3),
      fixed(s.p99, 3),
      fixed(s.max, 3),
      int(s.n),
      wasm && row.name !== WASM_SSE ? signed(wasm.p50 - s.p50) : '',
    ];
  });
  print(
    formatTable(
      [
        { title: 'contestant', align: 'left' },
        { title: 'p50 ms' },
        { title: 'p90 ms' },
        { title: 'p99 ms' },
        { title: 'max ms' },
        { title: 'events' },
        { title: 'wasm-sse p50 - this' },
      ],
      table,
    ),
  );
  const problems = rows.filter((r) => r.failed).map((r) => report(ctx, `e2e · ${label} · latency · ${r.name}: ${r.failed}`));
  const esp = eventsourceParserReference(out.throughput);
  const ref = esp && stats.get(esp.name);
  const diff = wasm && ref ? wasm.p50 - ref.p50 : NaN;
  const state = Number.isNaN(diff) ? 'not measured' : diff <= TARGETS.latencyMs ? 'met' : 'NOT met';
  print(
    `   target: p50 wasm-sse - eventsource-parser (${esp ? esp.name.replace('eventsource-parser, ', '') : 'none'}) <= +${fixed(TARGETS.latencyMs, 1)} ms: ` +
      `${Number.isNaN(diff) ? '-' : `${signed(diff)} ms`}, ${state}`,
  );
  return problems;
}

const times = (x) => (Number.isFinite(x) ? `${fixed(x, 2)}x` : '-');
const signed = (x) => `${x >= 0 ? '+' : ''}${fixed(x, 3)}`;
