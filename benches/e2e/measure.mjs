// The e2e runner: fetch() against the bench's stream server to the
// contestant's callback, every contestant one after the other (never two
// streams at once). Runs unchanged in the bench page (browser.mjs) and in Node
// (index.mjs), which pass the contestants, a CPU clock and gc().
//
// Throughput, per write size of the server: `warmup` unmeasured runs per
// contestant, then `runs` measured rounds, round-robin with the first
// contestant rotating. A run is fetch() to the end of the stream (the
// contestant's promise settles), garbage collected before, outside the timing.
//
// Latency: `paced.rounds` rounds of one paced stream per contestant, the
// order reversed every other round so that drift does not land on one of
// them. An event's latency is the time its stamp (server.mjs pacedStamp)
// reaches the sink minus the server's write time, both wall clocks
// (timeOrigin + now); the server's clock is put on ours with the offset of
// the fastest of a few /clock round trips, measured right before each run.
// The delta pipeline flushes per event there (flush: 'event').

import { PEERS, floor } from './contestants.mjs';
import { pacedStamps } from './stamps.mjs';
import { hashText } from '../delta/contestants.mjs';
import { eventWrites } from './stream.mjs';

const wall = () => performance.timeOrigin + performance.now();
const pause = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * @param {{ wasm: object[], runs: number, warmup: number, server: string,
 *   sizes: number[], paced: { n: number, ms: number, rounds: number, skip: number },
 *   cpuSeconds: () => Promise<number | null> | number | null, gc: (() => void) | null,
 *   log?: (line: string) => void }} opts
 */
export async function runE2e({ wasm, runs, warmup, server, sizes, paced, cpuSeconds, gc, log = console.log }) {
  const contestants = [...wasm, ...PEERS];
  const live = contestants.filter((c) => !c.missing);
  const clock = { cpuSeconds, gc: gc ?? (() => {}) };
  const throughput = [];
  const viaSocket = globalThis.fetch.bind(globalThis);
  const whole = new Uint8Array(await (await fetch(`${server}/stream?size=${2 ** 30}`)).arrayBuffer());
  for (const mode of ['memory', 'socket']) {
    for (const size of sizes) {
      const pieces = mode === 'memory' ? eventWrites(whole, size).map((p) => p.slice()) : null;
      const how = { fetch: pieces ? memoryFetch(pieces) : viaSocket, flush: 'frame' };
      log(`throughput, ${mode}, ${size} B: ${runs} runs after ${warmup} warm-up of ${live.length} contestants`);
      const rows = await measureThroughput(live, `${server}/stream?size=${size}`, how, runs, warmup, clock, log);
      throughput.push({ mode, size, rows, reads: pieces ? pieces.length : floor.reads });
    }
  }
  log(`latency: ${paced.rounds} rounds of ${paced.n} events every ${paced.ms} ms`);
  const latency = await measureLatency(live, server, paced, { fetch: viaSocket, flush: 'event' }, clock, log);
  return {
    contestants: contestants.map(({ name, kind, missing, from }) => ({ name, kind, missing, from })),
    throughput,
    latency,
  };
}

/**
 * A fetch that answers every request with the stream from memory, one piece
 * per read: the read sizes exactly, whatever the consumer's speed (over a
 * socket, a reader that falls behind gets bigger reads).
 */
function memoryFetch(pieces) {
  return async () => {
    let next = 0;
    const body = new ReadableStream(
      {
        pull(controller) {
          if (next < pieces.length) controller.enqueue(pieces[next++]);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  };
}

// One run: wall time and CPU time, both in ms. Throws what the contestant
// threw, or a timeout (the stream is then left to run: the contestant is
// broken and not run again).
async function runOnce(contestant, url, sink, timeoutMs, clock, how) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no end of stream after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    clock.gc();
    const cpu0 = await clock.cpuSeconds();
    const t0 = performance.now();
    await Promise.race([contestant.run(url, sink, how), timeout]);
    const ms = performance.now() - t0;
    const cpu1 = await clock.cpuSeconds();
    return { ms, cpuMs: cpu0 === null ? null : (cpu1 - cpu0) * 1000 };
  } finally {
    clearTimeout(timer);
  }
}

async function throughputRun(contestant, url, how, clock) {
  if (contestant.kind === 'text') {
    let text = '';
    const { ms, cpuMs } = await runOnce(contestant, url, (piece) => (text += piece), 120_000, clock, how);
    return { ms, cpuMs, tally: { length: text.length, hash: hashText(text) } };
  }
  let events = 0;
  let dataLength = 0;
  let last = null;
  const sink = (data) => {
    events++;
    dataLength += data.length;
    last = data;
  };
  const { ms, cpuMs } = await runOnce(contestant, url, sink, 120_000, clock, how);
  return { ms, cpuMs, tally: { events, dataLength, last } };
}

async function measureThroughput(live, url, how, runs, warmup, clock, log) {
  const rows = live.map((c) => ({ name: c.name, kind: c.kind, times: [], cpu: [], tally: null }));
  const keep = (row, tally) => {
    if (row.tally && JSON.stringify(row.tally) !== JSON.stringify(tally)) {
      row.unstable ??= `tally changed between runs: ${JSON.stringify(row.tally)} then ${JSON.stringify(tally)}`;
    }
    row.tally = tally;
  };
  for (const [k, c] of live.entries()) {
    try {
      for (let i = 0; i < warmup; i++) keep(rows[k], (await throughputRun(c, url, how, clock)).tally);
    } catch (err) {
      rows[k].failed = String(err?.stack ?? err);
    }
  }
  const ready = live.map((c, k) => [c, rows[k]]).filter(([, row]) => !row.failed);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < ready.length; k++) {
      const [c, row] = ready[(k + r) % ready.length];
      if (row.failed) continue;
      try {
        const { ms, cpuMs, tally } = await throughputRun(c, url, how, clock);
        row.times.push(ms);
        if (cpuMs !== null) row.cpu.push(cpuMs);
        keep(row, tally);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
    }
    log(`  round ${r + 1}: ${ready.map(([c, row]) => `${c.name} ${row.times.at(-1)?.toFixed(1)} ms`).join(', ')}`);
  }
  return rows;
}

/** Server clock minus ours, from the fastest of `probes` round trips. */
async function clockOffset(server, probes = 15) {
  let best = { rtt: Infinity, offset: NaN };
  for (let i = 0; i < probes; i++) {
    const a = wall();
    const text = await (await fetch(`${server}/clock`)).text();
    const b = wall();
    if (b - a < best.rtt) best = { rtt: b - a, offset: Number(text) - (a + b) / 2 };
  }
  return best;
}

async function latencyRun(contestant, server, { n, ms, skip }, how, clock) {
  const arrivals = [];
  const pieces = [];
  // Nothing but a timestamp and a reference in the callback.
  const sink = (piece) => {
    arrivals.push(performance.now());
    pieces.push(piece);
  };
  const offset = await clockOffset(server);
  await runOnce(contestant, `${server}/paced?n=${n}&ms=${ms}`, sink, n * ms + 30_000, clock, how);
  const latencies = [];
  const seen = new Set();
  let problem = null;
  // A stamp arrives with the piece that brings its end: text pieces may cut
  // one in two (the delta pipeline holds back what may still change).
  const ends = [];
  let length = 0;
  for (const piece of pieces) ends.push((length += piece.length));
  let k = 0;
  for (const [i, t, end] of pacedStamps(pieces.join(''))) {
    while (ends[k] < end) k++;
    if (seen.has(i)) problem ??= `event ${i} arrived twice`;
    seen.add(i);
    if (i >= skip) latencies.push(performance.timeOrigin + arrivals[k] - (t - offset.offset));
  }
  if (seen.size !== n) problem ??= `got ${seen.size} stamped events (expected ${n})`;
  if (contestant.kind === 'data' && pieces.at(-1) !== '[DONE]') problem ??= `the last event is ${JSON.stringify(pieces.at(-1))}, not [DONE]`;
  return { latencies, clock: offset, problem };
}

async function measureLatency(live, server, paced, how, clock, log) {
  const rows = live.map((c) => ({ name: c.name, latencies: [], clocks: [] }));
  const order = live.map((c, k) => k);
  for (let r = 0; r < paced.rounds; r++) {
    for (const k of r % 2 ? [...order].reverse() : order) {
      const row = rows[k];
      if (row.failed) continue;
      try {
        const { latencies, clock: offset, problem } = await latencyRun(live[k], server, paced, how, clock);
        if (problem) row.failed = problem;
        row.latencies.push(...latencies);
        row.clocks.push(offset);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
      await pause(50);
    }
    log(`latency round ${r + 1} done`);
  }
  return rows;
}
