// Soak: 1 GiB through fetchEventSource, sampling memory every second, in
// headless Chromium and in Node. Two streams: 1 KiB events counted in
// onmessage (memory must stay flat), and an OpenAI chat stream through the
// `delta` option with markdown 'hold' (the answer's text grows, by design;
// everything else must stay flat). Reports MB/s and the heap: at the first
// sample, its peak, at the end, and the growth that is not the text.
//
// Chromium: the page's V8 heap (`Runtime.getHeapUsage`: usedSize, and
// backingStorageSize, the ArrayBuffers, the wasm memory among them). Node:
// process.memoryUsage() (heapUsed, arrayBuffers, which hold the wasm memory, rss).
// Each sample is taken after a full GC (what the run holds), and the heap is
// also read just before it (with the garbage: how much the run churns).
// The answer is two JS strings a flush hands out, `text` and `display` (read
// at every flush, as a UI does: building it copies the text), of 2-byte units
// (the text has non-Latin-1 characters): "other growth" is the heap growth
// from the first sample to the peak, minus the answer's growth meanwhile.
//
// SOAK_BYTES=N streams N bytes instead of 1 GiB (a quick look).

import { spawnUntilReady } from '../../examples/server/kit.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCHES_DIR, findEntry } from '../lib/pkg.mjs';
import { withBenchPage } from '../lib/browser.mjs';
import { gc } from '../lib/node-gc.mjs';
import { bytes, fixed, formatTable, heading, int } from '../lib/table.mjs';
import { plan } from './streams.mjs';

export const name = 'soak';
export const summary = '1 GiB through fetchEventSource (plain events, and an OpenAI stream through `delta`), memory sampled every second, Chromium and Node';

const SIZE = Number(process.env.SOAK_BYTES ?? 2 ** 30);
const KINDS = ['plain', 'openai'];
// Growth past this (beyond the text) is reported as a problem: the heap did not stay flat.
const FLAT_SLACK = 32 * 1024 * 1024;

export async function run(ctx) {
  const server = await startServer();
  const rows = [];
  const problems = [];
  try {
    for (const env of ctx.envs) {
      for (const kind of KINDS) {
        const want = plan(kind, SIZE);
        const url = `${server.origin}/${kind}?bytes=${SIZE}`;
        ctx.log(`soak/${env}: ${kind}, ${bytes(want.bytes)}`);
        const r = env === 'node' ? await inNode(url, kind) : await inChromium(url, kind, ctx);
        if (r.missing) {
          problems.push(`soak · ${env}: wasm-sse not measured: ${r.missing}`);
          continue;
        }
        rows.push({ env: r.env, kind, want, ...r });
        problems.push(...check(env, kind, want, r));
      }
    }
  } finally {
    server.close();
  }
  print(ctx, rows);
  for (const p of problems) ctx.print(`!!! ${p}`);
  return problems;
}

/** What a run must have delivered, and whether the heap stayed flat. */
function check(env, kind, want, r) {
  const problems = [];
  const label = `soak · ${env} · ${kind}`;
  if (r.out.error) problems.push(`${label}: ${r.out.error}`);
  if (r.out.bytes !== want.bytes) problems.push(`${label}: ${r.out.bytes} bytes read, the server sent ${want.bytes}`);
  if (kind === 'plain' && (r.out.events !== want.events || r.out.dataLength !== want.events * 1016)) {
    problems.push(`${label}: ${r.out.events} events of ${r.out.dataLength} data chars, want ${want.events} of ${want.events * 1016}`);
  }
  if (kind === 'openai' && (r.out.textLength !== want.textLength || !r.out.done)) {
    problems.push(`${label}: text of ${r.out.textLength} chars (done ${r.out.done}), want ${want.textLength}`);
  }
  const growth = otherGrowth(r.samples);
  if (growth > FLAT_SLACK) problems.push(`${label}: the heap grew ${bytes(growth)} beyond the text: not flat`);
  return problems;
}

/** What the answer may hold: `text` and `display`, each a string of 2-byte units. */
const answerBytes = (sample) => 2 * (sample.textLength + sample.displayLength);

/** The heap's growth from the first sample to its peak, less the answer's growth meanwhile. */
function otherGrowth(samples) {
  if (samples.length < 2) return 0;
  const [first] = samples;
  const peak = samples.reduce((a, s) => (s.heap > a.heap ? s : a), first);
  return peak.heap - first.heap - answerBytes(peak) + answerBytes(first);
}

function print(ctx, rows) {
  ctx.print(heading(`soak · ${bytes(SIZE)} per stream through fetchEventSource, memory sampled every second`));
  ctx.print('   plain: 1 KiB events, onmessage; openai: chat chunks, `delta: { format: \'openai\', markdown: \'hold\' }`, flush per frame');
  ctx.print('   heap: Chromium V8 usedSize / Node heapUsed, sampled after a full GC (what is held), and before it (garbage included: "no GC");');
  ctx.print('   buffers: Chromium backingStorageSize / Node arrayBuffers (the wasm memory is one of them)');
  ctx.print('   answer: 2 bytes per UTF-16 unit of the last flush\'s text and display; other growth: the heap\'s, less the answer\'s');
  const table = rows.map((r) => {
    const s = r.samples;
    const peak = (key) => (s.length ? bytes(Math.max(...s.map((x) => x[key]))) : '-');
    const at = (sample) => (sample ? bytes(sample.heap) : '-');
    return [
      r.env,
      r.kind,
      fixed(r.out.ms / 1000, 1),
      fixed(r.want.bytes / 1e6 / (r.out.ms / 1000), 0),
      int(r.kind === 'plain' ? r.out.events : r.out.metricsEvents),
      String(s.length),
      peak('raw'),
      at(s[0]),
      peak('heap'),
      at(s.at(-1)),
      peak('buffers'),
      r.kind === 'openai' ? bytes(answerBytes(r.out)) : '-',
      bytes(Math.max(0, otherGrowth(s))),
      r.rss === undefined ? '-' : bytes(r.rss),
    ];
  });
  ctx.print(
    formatTable(
      [
        { title: 'env', align: 'left' },
        { title: 'stream', align: 'left' },
        { title: 's' },
        { title: 'MB/s' },
        { title: 'events' },
        { title: 'samples' },
        { title: 'heap peak, no GC' },
        { title: 'heap first' },
        { title: 'heap peak' },
        { title: 'heap end' },
        { title: 'buffers peak' },
        { title: 'answer' },
        { title: 'other growth' },
        { title: 'rss peak' },
      ],
      table,
    ),
  );
}

/** Samples `read()` every second until `until` settles; returns its value and the samples. */
async function sampled(read, until) {
  const samples = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await new Promise((ok) => setTimeout(ok, 1000));
      if (!stop) samples.push(await read());
    }
  })();
  try {
    return { out: await until, samples };
  } finally {
    stop = true;
    await loop.catch(() => {});
  }
}

async function inNode(url, kind) {
  const entry = findEntry('node');
  if (!entry.ok) return { missing: entry.reason };
  const mod = await import(pathToFileURL(join(entry.dir, entry.entry)).href);
  await mod.ready;
  const { progress, soakOnce } = await import('./client.mjs');
  gc();
  let rss = 0;
  const result = await sampled(async () => {
    const raw = process.memoryUsage().heapUsed;
    gc();
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    return { raw, heap: m.heapUsed, buffers: m.arrayBuffers, textLength: progress.textLength, displayLength: progress.displayLength };
  }, soakOnce(mod.fetchEventSource, { url, kind }));
  return { env: `node ${process.version}`, rss, ...result };
}

async function inChromium(url, kind, ctx) {
  const entry = findEntry('browser');
  if (!entry.ok) return { missing: entry.reason };
  return withBenchPage(
    { name: 'soak', entry: join(BENCHES_DIR, 'soak', 'browser.mjs') },
    async (page, { origin, version }) => {
      const cdp = await page.context().newCDPSession(page);
      await page.waitForFunction(() => typeof globalThis.runSoak === 'function');
      const result = await sampled(
        async () => {
          const raw = (await cdp.send('Runtime.getHeapUsage')).usedSize;
          await cdp.send('HeapProfiler.collectGarbage');
          const [heap, progress] = await Promise.all([cdp.send('Runtime.getHeapUsage'), page.evaluate(() => globalThis.soakProgress())]);
          return { raw, heap: heap.usedSize, buffers: heap.backingStorageSize ?? 0, textLength: progress.textLength, displayLength: progress.displayLength };
        },
        page.evaluate((params) => globalThis.runSoak(params), { wasmSseUrl: `${origin}/pkg/${entry.entry}`, url, kind }),
      );
      return { env: `chromium ${version}`, ...result };
    },
    { log: (line) => ctx.log(`soak/chromium: ${line}`) },
  );
}

/** The stream server as a child process (its own thread and heap). */
async function startServer() {
  const server = await spawnUntilReady(join(BENCHES_DIR, 'soak', 'server.mjs'));
  return { origin: server.origin, close: () => server.stop() };
}
