// The delta channels (reasoning, tool calls with incremental input, usage,
// finish reason), in Node and headless Chromium:
//
// (1) Cost: createDeltaStream({ format, markdown: 'hold', flush: 'manual' }),
//     feed(chunk) + flush() per chunk, of pkg/ ("new") beside the last
//     text-only build ("old", see ../lib/baseline.mjs) in the same run, on a
//     text-only stream (the same work for both) and on Anthropic and OpenAI
//     answers with reasoning and a tool call (the old build extracts only their
//     text). The aim is new <= 1.10 x old per event.
// (2) Tool input: a call whose arguments grow to about 20 KB in 500 deltas,
//     followed the AI SDK's way (parsePartialJson of all the arguments on each
//     delta) and wasm-sse's (incremental, O(new bytes)); total time and the
//     cost per delta as the arguments grow.
//
// Timing asserts nothing. A problem is a build or contestant that could not be
// measured (a missing baseline is only a note) or that delivered other
// channels than the stream holds.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { baselinePkg } from '../lib/baseline.mjs';
import { runInChromium } from '../lib/browser.mjs';
import { gc } from '../lib/node-gc.mjs';
import { BENCHES_DIR, findEntry } from '../lib/pkg.mjs';
import { median, summarize } from '../lib/stats.mjs';
import { bytes, fixed, formatTable, heading, int } from '../lib/table.mjs';
import { loadDelta } from './contestants.mjs';
import { measureChannelCost, measureToolInput } from './measure.mjs';

export const name = 'channels';
export const summary = 'delta channels: cost per event vs the text-only build (same run), incremental tool input vs the AI SDK re-parsing the arguments';

/** The aim of (1): the channels cost at most this much more per event. */
const TARGET_RATIO = 1.1;

export async function run(ctx) {
  const problems = [];
  const baseline = await baselinePkg({ log: (l) => ctx.log(`channels: ${l}`) });
  const ratios = [];
  for (const env of ctx.envs) {
    try {
      const out = env === 'node' ? await inNode(ctx, baseline) : await inChromium(ctx, baseline);
      problems.push(...reportCost(out, ctx, ratios), ...reportTool(out, ctx));
    } catch (err) {
      ctx.print(`\n!!! channels · ${env} crashed: ${err?.stack ?? err}`);
      problems.push(`channels · ${env} crashed: ${err?.message ?? err}`);
    }
  }
  reportTarget(ratios, ctx);
  return problems;
}

function baselineNote(baseline, entry) {
  if (!baseline.ok) return `no baseline: ${baseline.reason}`;
  if (!entry.ok) return `no baseline: ${entry.reason}`;
  return `old = ${baseline.label}`;
}

async function inNode({ runs, warmup, log }, baseline) {
  const entry = findEntry('node');
  const baseEntry = baseline.ok ? findEntry('node', '.', baseline.dir) : baseline;
  const url = (e) => (e.ok ? pathToFileURL(join(e.dir, e.entry)).href : null);
  const fresh = await loadDelta(url(entry), entry.reason);
  const base = await loadDelta(url(baseEntry), baseEntry.reason);
  const builds = [
    { name: 'old', textOnly: true, ...base },
    { name: 'new', textOnly: false, ...fresh },
  ];
  log('channels/node: channel cost');
  const cost = await measureChannelCost({ builds, runs, warmup, gc, log: (l) => log(`channels/node: ${l}`) });
  log('channels/node: tool input');
  const tool = await measureToolInput({ ...fresh, runs, warmup, gc, log: (l) => log(`channels/node: ${l}`) });
  return { label: `node ${process.version}`, cost, tool, notes: [baselineNote(baseline, baseEntry)] };
}

async function inChromium(ctx, baseline) {
  const baseEntry = baseline.ok ? findEntry('browser', '.', baseline.dir) : baseline;
  const { out, version, notes } = await runInChromium('channels', 'runChannelsBench', {
    ...ctx,
    mounts: baseEntry.ok ? { '/baseline/': baseEntry.dir } : {},
    params: { baselinePath: baseEntry.ok ? `/baseline/${baseEntry.entry}` : null, baselineMissing: baseEntry.reason },
  });
  return { label: `chromium ${version}`, cost: out.cost, tool: out.tool, notes: [baselineNote(baseline, baseEntry), ...notes] };
}

const chunkLabel = (size) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);

function reportCost({ label, cost, notes }, { runs, warmup, print }, ratios) {
  const problems = [];
  print(heading(`channels · cost per event, old (text only) vs new (every channel) · ${label} · median of ${runs} runs after ${warmup} warm-up · ${notes.join(' · ')}`));
  print("   createDeltaStream({ format, markdown: 'hold', flush: 'manual' }): feed(chunk), then flush(), for every chunk; a new stream per answer");
  const streams = [...new Map(cost.map((r) => [r.case.name, r.case])).values()];
  for (const s of streams) print(`   ${s.name}: ${s.title}; ${bytes(s.size)} and ${int(s.events)} events an answer, ${s.repeat} answer(s) a run`);
  const table = cost.map(({ case: c, rows }) => {
    const [old, fresh] = rows.map((row) => (row.times.length ? summarize(row.times) : null));
    const events = c.events * c.repeat;
    const ns = (t) => (t ? fixed((t.median * 1e6) / events, 0) : '-');
    const ratio = old && fresh ? fresh.median / old.median : NaN;
    if (!Number.isNaN(ratio)) ratios.push({ env: label, stream: c.name, chunk: chunkLabel(c.chunkSize), ratio });
    return [
      'feed + flush per chunk',
      c.name,
      chunkLabel(c.chunkSize),
      int(c.chunkCount * c.repeat),
      ns(old),
      ns(fresh),
      Number.isNaN(ratio) ? '-' : `${fixed(ratio, 2)}x`,
      old ? `${fixed(old.spread * 100, 0)}%` : '-',
      fresh ? `${fixed(fresh.spread * 100, 0)}%` : '-',
    ];
  });
  print(
    formatTable(
      [
        { title: 'contestant', align: 'left' },
        { title: 'stream', align: 'left' },
        { title: 'chunk' },
        { title: 'chunks/run' },
        { title: 'old ns/event' },
        { title: 'new ns/event' },
        { title: 'new/old' },
        { title: 'spread old' },
        { title: 'spread new' },
      ],
      table,
    ),
  );
  for (const { case: c, rows } of cost) {
    for (const row of rows) {
      const where = `${c.name} · ${chunkLabel(c.chunkSize)} · ${row.name}`;
      const found = [];
      if (row.missing) {
        // A missing baseline is a note; a missing pkg/ cannot be measured.
        if (row.name === 'old') continue;
        found.push(`not measured: ${row.missing}`);
      } else if (row.failed) found.push(`threw ${row.failed}`);
      else found.push(...row.problems);
      for (const p of found) {
        print(`!!! ${where}: ${p}`);
        problems.push(`channels · cost · ${label} · ${where}: ${p}`);
      }
    }
  }
  return problems;
}

function aiVersion() {
  try {
    return JSON.parse(readFileSync(join(BENCHES_DIR, 'node_modules', 'ai', 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function reportTool({ label, tool, notes }, { runs, warmup, print }) {
  const problems = [];
  const { stream, windows, rows } = tool;
  print(heading(`channels · tool input, incremental vs re-parsing · ${label} · median of ${runs} runs × ${tool.passes} passes after ${warmup} warm-up · ${notes.slice(1).join(' · ') || 'fine timer'}`));
  print(
    `   one tool call whose arguments grow to ${bytes(stream.argumentsBytes)} in ${stream.deltas} deltas (OpenAI chat completions, ` +
      `${int(stream.chunks)} events of ${bytes(stream.bytes)}, one event per chunk); the value read after every delta`,
  );
  print(`   AI SDK: parsePartialJson from ai ${aiVersion()} (exported by \`ai\` itself; async, awaited per delta as the SDK does)`);
  print(`   ns/delta @p: mean time of the ${windows[0].to - windows[0].from + 1} deltas around p of the way (deltas ${windows.map((w) => `${w.from + 1}-${w.to + 1}`).join(', ')})`);
  const table = rows.map((row) => {
    if (row.missing) return [row.name, 'not measured', ...windows.map(() => ''), '', ''];
    if (row.failed) return [row.name, 'FAILED', ...windows.map(() => ''), '', ''];
    const total = summarize(row.totals);
    const curve = windows.map((_, i) => median(row.curves.map((c) => c[i])));
    return [
      row.name,
      fixed(total.median, 2),
      ...curve.map((ns) => int(ns)),
      `${fixed(curve[curve.length - 1] / curve[0], 1)}x`,
      `${fixed(total.spread * 100, 0)}%`,
    ];
  });
  print(
    formatTable(
      [
        { title: 'contestant', align: 'left' },
        { title: 'total ms' },
        ...windows.map((w) => ({ title: `ns/delta @${Math.round(w.share * 100)}%` })),
        { title: '@100% / @10%' },
        { title: 'spread' },
      ],
      table,
    ),
  );
  const found = [...tool.problems];
  for (const row of rows) {
    if (row.missing) found.push(`${row.name} not measured: ${row.missing}`);
    else if (row.failed) found.push(`${row.name} threw ${row.failed}`);
  }
  for (const p of found) {
    print(`!!! ${p}`);
    problems.push(`channels · tool input · ${label} · ${p}`);
  }
  if (!found.length) print('   final values: both deep-equal JSON.parse of the whole arguments');
  return problems;
}

// Information, not a verdict: benches assert nothing about time.
function reportTarget(ratios, { print }) {
  if (!ratios.length) return;
  const over = ratios.filter((r) => r.ratio > TARGET_RATIO);
  print(heading(`channels · aim: new <= ${TARGET_RATIO.toFixed(2)} x old per event · ${over.length ? `${over.length} of ${ratios.length} rows over` : `every row of ${ratios.length} within`}`));
  for (const r of over) print(`   over: ${r.env} · ${r.stream} · ${r.chunk}: ${fixed(r.ratio, 2)}x`);
}
