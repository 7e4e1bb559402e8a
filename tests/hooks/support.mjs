// What the hook suites share: the built package put where each version set's
// framework resolves from it, a fetch that records (and can hold) attempts,
// and a log of values that a test can wait on.
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** The version sets, each a folder here with its own package.json and node_modules. */
export const VERSION_SETS = {
  react: ['react-18', 'react-latest'],
  vue: ['vue-3.3', 'vue-latest'],
};

/**
 * Copies the built package (pkg/, `make build`) into `<set>/node_modules/wasm-sse`,
 * so that its `import 'react'` (or 'vue') resolves to that set's version, as in
 * an app that has both installed. Returns the set's folder.
 */
export function installPackage(set) {
  const dir = join(root, 'tests', 'hooks', set);
  assert.ok(existsSync(join(root, 'pkg', 'react.js')), 'pkg/ is missing: run `make build` first');
  assert.ok(existsSync(join(dir, 'node_modules')), `${set}: run \`npm ci --prefix tests/hooks/${set}\` (make test-hooks does)`);
  const target = join(dir, 'node_modules', 'wasm-sse');
  rmSync(target, { recursive: true, force: true });
  cpSync(join(root, 'pkg'), target, { recursive: true });
  return dir;
}

/** A promise and the function that resolves it. */
export function signalled() {
  let resolve;
  const promise = new Promise((ok) => (resolve = ok));
  return { promise, resolve };
}

/**
 * A fetch for the `fetch` option that records each attempt ({ url, signal })
 * and, for the attempt numbers given to `hold`, waits for `release(n)` before
 * sending it: a test can look at a state that would otherwise pass too fast.
 */
export function recordingFetch() {
  const calls = [];
  const gates = new Map();
  const sent = [];
  const record = {
    calls,
    /** Attempt `n` (1-based) waits until `release(n)`. */
    hold(n) {
      gates.set(n, signalled());
    },
    release(n) {
      gates.get(n).resolve();
    },
    /** Resolves once attempt `n` was asked for (held or not). */
    asked(n) {
      sent[n] ??= signalled();
      if (calls.length >= n) sent[n].resolve();
      return sent[n].promise;
    },
    /** The attempts whose signal is not aborted: the streams still live. */
    live: () => calls.filter((c) => !c.signal?.aborted).length,
    async fetch(input, init) {
      const n = calls.push({ url: String(input), signal: init?.signal }) ;
      sent[n]?.resolve();
      await gates.get(n)?.promise;
      return globalThis.fetch(input, init);
    },
  };
  record.fetch = record.fetch.bind(record);
  return record;
}

/**
 * Values in the order they came (renders, or a ref's changes), and waits on
 * them: `until(predicate, what)` resolves with the first value, past or
 * future, that satisfies it. A wait that never ends fails the test by its
 * timeout, with `what` in the message of `pending()`.
 */
export function valueLog() {
  const values = [];
  const waiters = [];
  return {
    values,
    push(value) {
      values.push(value);
      for (const w of [...waiters]) {
        if (w.predicate(value)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(value);
        }
      }
    },
    until(predicate, what) {
      const found = values.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve, what }));
    },
    get last() {
      return values.at(-1);
    },
    pending: () => waiters.map((w) => w.what),
  };
}

/** The value's consecutive duplicates removed: a status log's transitions. */
export const transitions = (list) => list.filter((v, i) => i === 0 || v !== list[i - 1]);

/** `a` is `b` with some items left out, in the same order. */
export function isSubsequence(a, b) {
  let i = 0;
  for (const item of b) if (item === a[i]) i++;
  return i === a.length;
}

/** The joined text of the server's /openai?n=..., from its X-Expected-Text header. */
export async function expectedText(url) {
  const response = await fetch(url);
  await response.body?.cancel();
  return decodeURIComponent(response.headers.get('x-expected-text'));
}

/**
 * Resolves once `signal` is aborted. The client aborts the request's own
 * signal from the caller's abort event, a microtask or so later. The streams
 * the tests abort last longer than a test's timeout, so an abort that never
 * comes fails the test rather than waiting for the end of the stream.
 */
export const whenAborted = (signal) => new Promise((ok) => (signal.aborted ? ok() : signal.addEventListener('abort', ok, { once: true })));

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
export const unique = () => Math.random().toString(36).slice(2);
