// Entry of the browser bundle: fetch() against the bench's stream server to
// onmessage, every contestant in this one page, one after the other (never two
// streams at once). wasm-sse is imported by URL from the served pkg/.
//
// Throughput: `warmup` unmeasured runs per contestant, then `runs` measured
// rounds, round-robin with the first contestant rotating (as the parser
// bench). A run is fetch() to the end of the stream (the contestant's promise
// settles), garbage collected before, outside the timing.
//
// Latency: `paced.rounds` rounds of one paced stream per contestant, the
// order reversed every other round so that drift does not land on one of
// them. An event's latency is its arrival in onmessage minus the server's
// write time, both wall clocks (timeOrigin + now); the server's clock is put
// on the page's with the offset of the fastest of a few /clock round trips,
// measured right before each run.

import { PEERS, loadWasmSse } from './contestants.mjs';

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const wall = () => performance.timeOrigin + performance.now();
const pause = (ms) => new Promise((ok) => setTimeout(ok, ms));

globalThis.runE2eBench = async ({ wasmSseUrl, wasmSseMissing, runs, warmup, server, paced }) => {
  const contestants = [await loadWasmSse(wasmSseUrl, wasmSseMissing), ...PEERS];
  const live = contestants.filter((c) => !c.missing);
  console.log(`throughput: ${runs} runs after ${warmup} warm-up of ${live.map((c) => c.name).join(', ')}`);
  const throughput = await measureThroughput(live, `${server}/stream`, runs, warmup);
  console.log(`latency: ${paced.rounds} rounds of ${paced.n} events every ${paced.ms} ms`);
  const latency = await measureLatency(live, server, paced);
  return {
    contestants: contestants.map(({ name, missing, from }) => ({ name, missing, from })),
    throughput,
    latency,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    gc: typeof globalThis.gc === 'function',
  };
};

// CPU time of the page's main thread so far, in seconds, read by the bench
// through the DevTools protocol (index.mjs exposes it), or null without it.
const mainThreadSeconds = async () => (typeof globalThis.e2eMainThreadSeconds === 'function' ? globalThis.e2eMainThreadSeconds() : null);

// One run: wall time and main-thread CPU time, both in ms. Throws what the
// contestant threw, or a timeout (the stream is then left to run: the
// contestant is broken and not run again).
async function runOnce(contestant, url, sink, timeoutMs) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no end of stream after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    gc();
    const cpu0 = await mainThreadSeconds();
    const t0 = performance.now();
    await Promise.race([contestant.run(url, sink), timeout]);
    const ms = performance.now() - t0;
    const cpu1 = await mainThreadSeconds();
    return { ms, cpuMs: cpu0 === null ? null : (cpu1 - cpu0) * 1000 };
  } finally {
    clearTimeout(timer);
  }
}

async function throughputRun(contestant, url) {
  let events = 0;
  let dataLength = 0;
  let last = null;
  const sink = (data) => {
    events++;
    dataLength += data.length;
    last = data;
  };
  const { ms, cpuMs } = await runOnce(contestant, url, sink, 120_000);
  return { ms, cpuMs, tally: { events, dataLength, last } };
}

async function measureThroughput(live, url, runs, warmup) {
  const rows = live.map((c) => ({ name: c.name, times: [], cpu: [], tally: null }));
  const keep = (row, tally) => {
    if (row.tally && JSON.stringify(row.tally) !== JSON.stringify(tally)) {
      row.unstable ??= `tally changed between runs: ${JSON.stringify(row.tally)} then ${JSON.stringify(tally)}`;
    }
    row.tally = tally;
  };
  for (const [k, c] of live.entries()) {
    try {
      for (let i = 0; i < warmup; i++) keep(rows[k], (await throughputRun(c, url)).tally);
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
        const { ms, cpuMs, tally } = await throughputRun(c, url);
        row.times.push(ms);
        if (cpuMs !== null) row.cpu.push(cpuMs);
        keep(row, tally);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
    }
    console.log(`throughput round ${r + 1}: ${ready.map(([c, row]) => `${c.name} ${row.times.at(-1)?.toFixed(1)} ms`).join(', ')}`);
  }
  return rows;
}

/** Server clock minus page clock, from the fastest of `probes` round trips. */
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

async function latencyRun(contestant, server, { n, ms, skip }) {
  const arrivals = [];
  const datas = [];
  const sink = (data) => {
    arrivals.push(performance.now());
    datas.push(data);
  };
  const clock = await clockOffset(server);
  await runOnce(contestant, `${server}/paced?n=${n}&ms=${ms}`, sink, n * ms + 30_000);
  // Checked after the stream: nothing but a timestamp in the callback.
  const latencies = [];
  let problem = null;
  if (datas.length !== n + 1 || datas[n] !== '[DONE]') problem = `got ${datas.length} events (expected ${n + 1}, the last [DONE])`;
  for (let k = 0; k < Math.min(n, datas.length) && !problem; k++) {
    let event;
    try {
      event = JSON.parse(datas[k]);
    } catch (err) {
      problem = `event ${k}: ${err}`;
      break;
    }
    if (event.i !== k) problem = `event ${k} carries index ${event.i}`;
    else if (k >= skip) latencies.push(performance.timeOrigin + arrivals[k] - (event.t - clock.offset));
  }
  return { latencies, clock, problem };
}

async function measureLatency(live, server, paced) {
  const rows = live.map((c) => ({ name: c.name, latencies: [], clocks: [] }));
  const order = live.map((c, k) => k);
  for (let r = 0; r < paced.rounds; r++) {
    for (const k of r % 2 ? [...order].reverse() : order) {
      const row = rows[k];
      if (row.failed) continue;
      try {
        const { latencies, clock, problem } = await latencyRun(live[k], server, paced);
        if (problem) row.failed = problem;
        row.latencies.push(...latencies);
        row.clocks.push(clock);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
      await pause(50);
    }
    console.log(`latency round ${r + 1} done`);
  }
  return rows;
}
