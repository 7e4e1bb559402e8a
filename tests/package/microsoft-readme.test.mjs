// "Code written for @microsoft/fetch-event-source 2.0.1 runs unchanged": the
// usage examples of that package's own README, read from the installed
// package (tests/package/microsoft-readme/, installed here only for this),
// run against wasm-sse with only the import changed.
//
// The examples fetch '/api/sse', a path relative to a page. They run in Node
// as modules whose global fetch resolves relative URLs against a small server
// of this test's own (127.0.0.1, a port the OS picks), as a page on that
// origin would. The examples leave some promises unawaited, as the README
// does: what they settle to is read from the server, and, for the one that
// rejects, from the unhandled rejection of a Node process of its own.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const here = join(root, 'tests', 'package', 'microsoft-readme');
const readme = join(here, 'node_modules', '@microsoft', 'fetch-event-source', 'README.md');
// Under target/, where `wasm-sse` resolves to the built package (pkg/).
const work = join(root, 'target', 'microsoft-readme');

/** The README's usage examples: the ```ts blocks between "# Usage" and the next heading. */
function usageExamples() {
  const text = readFileSync(readme, 'utf8');
  const usage = text.slice(text.indexOf('# Usage'), text.indexOf('# Compatibility'));
  return [...usage.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * An example as a module of wasm-sse: its import of @microsoft/fetch-event-source
 * becomes one of wasm-sse (added when the example has none), and
 * `EventStreamContentType`, which that package exports and the README uses
 * without importing, is defined as it is there. `console.log` goes to the test.
 */
function asModule(example) {
  const ours = "import { fetchEventSource } from 'wasm-sse';";
  const theirs = "import { fetchEventSource } from '@microsoft/fetch-event-source';";
  const body = example.includes(theirs) ? example.replace(theirs, ours) : `${ours}\n${example}`;
  return `const EventStreamContentType = 'text/event-stream';\nconst console = { log: (...args) => globalThis.__readmeLog.push(args.join(' ')) };\n${body}`;
}

// ---- the server the examples talk to: what each answers is set per test.
let respond = () => {};
const requests = [];
let server;
let base;
const realFetch = globalThis.fetch;

before(async () => {
  if (!existsSync(readme)) execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here });
  assert.ok(existsSync(join(root, 'pkg', 'node.js')), 'pkg/ is missing: run `make build` first');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  symlinkSync(join(root, 'pkg'), join(work, 'node_modules', 'wasm-sse'), 'dir');
  server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      respond(request, res, requests.length);
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  globalThis.fetch = (input, init) => realFetch(typeof input === 'string' ? new URL(input, base) : input, init);
});

after(() => {
  globalThis.fetch = realFetch;
  server?.closeAllConnections();
  server?.close();
});

const stream = (res, body) => {
  // Exactly `text/event-stream`: the third example compares the header with it.
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(body);
};

let count = 0;
function write(example) {
  const file = join(work, `example-${++count}.mjs`);
  writeFileSync(file, asModule(example));
  return file;
}

/** Imports an example as a module; resolves when its top level has run. */
async function run(example) {
  globalThis.__readmeLog = [];
  await import(pathToFileURL(write(example)).href);
  return globalThis.__readmeLog;
}

/**
 * Runs an example in a Node process of its own (the same relative fetch) and
 * resolves with the first promise it left to reject: { name, message }.
 */
async function firstUnhandledRejection(example) {
  const file = write(example);
  const runner = join(work, `runner-${count}.mjs`);
  writeFileSync(
    runner,
    `process.on('unhandledRejection', (e) => { console.log(JSON.stringify({ name: e?.constructor?.name, message: e?.message })); process.exit(0); });
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => realFetch(typeof input === 'string' ? new URL(input, ${JSON.stringify(base)}) : input, init);
globalThis.__readmeLog = [];
await import(${JSON.stringify(pathToFileURL(file).href)});
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [runner], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout);
}

test('the README of @microsoft/fetch-event-source 2.0.1 has the three usage examples this test runs', () => {
  const version = JSON.parse(readFileSync(join(here, 'node_modules', '@microsoft', 'fetch-event-source', 'package.json'), 'utf8')).version;
  assert.equal(version, '2.0.1');
  assert.equal(usageExamples().length, 3);
});

test('example 1 (EventSource replaced): every message is logged, and the awaited call resolves at the end', async () => {
  // The example shows the EventSource code it replaces first; that part is not its code.
  const [first] = usageExamples();
  const after = first.slice(first.indexOf('// AFTER:'));
  requests.length = 0;
  respond = (req, res) => stream(res, 'data: hello\n\nid: 2\ndata: wörld\n\n');
  const logged = await run(after);
  assert.deepEqual(logged, ['hello', 'wörld']);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].method, 'GET');
  assert.equal(requests[0].url, '/api/sse');
});

test('example 2 (fetch parameters): the POST, its JSON body and its headers reach the server', async () => {
  const [, second] = usageExamples();
  requests.length = 0;
  const answered = new Promise((ok) => {
    respond = (req, res) => {
      stream(res, 'data: ok\n\n');
      ok();
    };
  });
  await run(second);
  await answered;
  assert.equal(requests[0].method, 'POST');
  assert.equal(requests[0].url, '/api/sse');
  assert.equal(requests[0].headers['content-type'], 'application/json');
  assert.equal(requests[0].headers.accept, 'text/event-stream');
  assert.deepEqual(JSON.parse(requests[0].body), { foo: 'bar' });
});

test('example 3 (error handling): onclose throwing a RetriableError retries; a FatalError from onmessage is rethrown by onerror and rejects', async () => {
  const [, , third] = usageExamples();
  requests.length = 0;
  // The first connection ends (onclose throws RetriableError: retry); the
  // second sends the event that onmessage turns into a FatalError.
  respond = (req, res, n) => stream(res, n === 1 ? 'data: first\n\n' : 'event: FatalError\ndata: boom\n\n');
  const error = await firstUnhandledRejection(third);
  assert.equal(error.name, 'FatalError');
  assert.equal(error.message, 'boom');
  assert.equal(requests.length, 2);
});
