#!/usr/bin/env node
// Runs the benchmarks. Benchmarks measure speed and size; they are not tests
// and assert nothing about time. The exit status is 1 only when a bench could
// not measure what it should (pkg/ missing, a contestant threw) or when a
// contestant delivered other events than the stream holds.
//
//   node benches/run.mjs [--only parser,size] [--env node|chromium|all] [--runs N] [--warmup N]
//
// Installs nothing: run `npm ci --prefix benches` first (the Makefile does).
// Each bench is a sibling folder with an index.mjs exporting `name`,
// `summary`, `run(ctx)` returning a list of problems, and `perEnv = false`
// when it does not depend on the environment.

import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { PKG_DIR, findEntry } from './lib/pkg.mjs';

const BENCHES = {
  parser: () => import('./parser/index.mjs'),
  size: () => import('./size/index.mjs'),
  delta: () => import('./delta/index.mjs'),
  channels: () => import('./channels/index.mjs'),
  e2e: () => import('./e2e/index.mjs'),
  soak: () => import('./soak/index.mjs'),
};
const ENVS = { node: ['node'], chromium: ['chromium'], all: ['node', 'chromium'] };

const USAGE = `usage: node benches/run.mjs [--only ${Object.keys(BENCHES).join(',')}] [--env node|chromium|all] [--runs N] [--warmup N]`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      env: { type: 'string', default: 'all' },
      runs: { type: 'string', default: '11' },
      warmup: { type: 'string', default: '3' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(BENCHES);
  const unknown = only.filter((n) => !(n in BENCHES));
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  if (unknown.length || !(values.env in ENVS) || !(runs >= 1) || !(warmup >= 0)) {
    throw new Error(`${unknown.length ? `unknown bench ${unknown.join(', ')}; ` : ''}${USAGE}`);
  }
  return { only, envs: ENVS[values.env], runs: Math.floor(runs), warmup: Math.floor(warmup) };
}

async function main() {
  let opts;
  try {
    opts = options();
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  const started = performance.now();
  const print = (text) => console.log(text);
  const log = (line) => console.error(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`);

  // Other work on the machine moves the numbers: say how busy it was.
  const load = loadavg()[0].toFixed(2);
  print(`wasm-sse benches: ${opts.only.join(', ')} · env ${opts.envs.join(', ')} · ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} · load ${load}`);
  const pkg = findEntry('browser');
  if (!pkg.ok) print(`\n!!! wasm-sse package not found in ${PKG_DIR}: ${pkg.reason}. Peers are measured without it.`);

  const problems = [];
  for (const name of opts.only) {
    const bench = await BENCHES[name]();
    log(`${name}: ${bench.summary}`);
    try {
      problems.push(...(await bench.run({ ...opts, print, log })));
    } catch (err) {
      problems.push(`${name}: crashed: ${err?.stack ?? err}`);
    }
  }

  print(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (problems.length) {
    print(`\n!!! ${problems.length} problem(s):`);
    for (const p of problems) print(`!!! ${p}`);
    process.exitCode = 1;
  }
}

await main();
