// The timing loop, shared by the Node and the browser runner: no Node or DOM
// APIs here, only performance.now(), which both have.
//
// For each stream, every contestant gets `warmup` unmeasured runs (the JIT and
// wasm tier-up settle), then `runs` measured runs. Every run's tally must be
// the same; the runner checks it against what the stream holds. Measured runs go round-robin across contestants, with
// the starting contestant rotating, so slow drift of the machine (the other
// core, thermal state) spreads over all of them instead of landing on one.
// A run is: create the parser, feed every chunk, read its tally. Garbage is
// collected before each run, outside the timing, when the engine allows it.

import { median } from '../lib/stats.mjs';

/**
 * @param {{ streams: import('./streams.mjs').Stream[], contestants: object[],
 *   runs: number, warmup: number, gc?: () => void, log?: (line: string) => void }} opts
 * @returns {Promise<object[]>} per stream: its description and, per contestant,
 *   the measured times in ms and the tally (or `missing`, or `failed`).
 */
export async function measureAll({ streams, contestants, runs, warmup, gc = () => {}, log = () => {} }) {
  const results = [];
  for (const stream of streams) {
    const { chunks, ...described } = stream;
    const rows = contestants.map((c) => ({ name: c.name, times: [], tally: null, missing: c.missing }));
    const live = contestants.map((c, i) => [c, rows[i]]).filter(([c]) => !c.missing);
    for (const [c, row] of live) {
      try {
        for (let i = 0; i < warmup; i++) keepTally(row, runOnce(c, stream, gc).tally);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
    }
    const ready = live.filter(([, row]) => !row.failed);
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < ready.length; k++) {
        const [c, row] = ready[(k + r) % ready.length];
        const { ms, tally } = runOnce(c, stream, gc);
        row.times.push(ms);
        keepTally(row, tally);
      }
      await yieldToEventLoop();
    }
    log(`${stream.name}: ${ready.map(([c, row]) => `${c.name} ${median(row.times).toFixed(1)} ms`).join(', ')}`);
    results.push({ stream: described, rows });
  }
  return results;
}

function keepTally(row, tally) {
  if (row.tally && JSON.stringify(row.tally) !== JSON.stringify(tally)) {
    row.unstable ??= `tally changed between runs: ${JSON.stringify(row.tally)} then ${JSON.stringify(tally)}`;
  }
  row.tally = tally;
}

function runOnce(contestant, stream, gc) {
  gc();
  const t0 = performance.now();
  const parser = contestant.create(stream);
  for (const chunk of stream.chunks) parser.feed(chunk);
  const tally = parser.end();
  const ms = performance.now() - t0;
  parser.dispose?.();
  return { ms, tally };
}

// Lets a browser page flush console messages between runs (and Node timers).
const yieldToEventLoop = () => new Promise((ok) => setTimeout(ok, 0));
