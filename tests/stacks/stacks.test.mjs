// The built package (pkg/) against real SSE server stacks installed from the
// registries, in Node and in a page in headless Chromium (on another origin
// than the servers, so every request is a CORS one):
//   - FastAPI + sse-starlette under uvicorn (a venv from requirements.txt),
//   - Hono's streamSSE on @hono/node-server,
//   - Express behind the compression middleware, once gzip and once brotli.
//
// The stack-test contract, which every server in servers/ follows in its own
// framework's idiom (`run` names one test's record on the server):
//   POST /v1/chat/completions?run=  OpenAI chat-completion chunks echoing the
//                                   prompt, then servers/chat.json's pieces,
//                                   `[DONE]`; 401 without `Authorization: Bearer stack-test-token`
//   GET  /numbered?run=&count=&dropAfter=  events with ids 1..count from
//                                   Last-Event-ID + 1; a request without it is
//                                   cut (no end of the body) after `dropAfter`
//   GET  /quiet?run=&silenceMs=&pingMs=  event `first`, a silence with the
//                                   stack's keep-alive comment every pingMs (0: none), event `second`
//   GET  /endless?run=              an event every 50 ms until the client goes
//   GET  /fail?run=&status=&retryAfter=  the run's first request fails with
//                                   `status` (Retry-After for 429); later ones stream `recovered`
//   GET  /acked?run=&count=         event n + 1 only after POST /runs/:run/ack
//   GET  /runs/:run                 what the server saw: requests (Last-Event-ID,
//                                   Authorization, Accept-Encoding, time), events sent, closed
//   GET  /runs/:run/closed          the same, once the server saw the client go
//   GET  /health                    { stack, pid, versions }
// All answer CORS (preflight too) for any origin, allow Authorization,
// Content-Type and Last-Event-ID, and expose Retry-After and Content-Encoding.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium } from '../support/browser.mjs';
import { serveStatic } from '../support/static-server.mjs';
import { launch } from './launch.mjs';
import { TOKEN, runScenario } from './scenarios.js';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..');
const pkg = join(root, 'pkg');
const CHAT = JSON.parse(readFileSync(join(here, 'servers', 'chat.json'), 'utf8'));
// Per test: only a hang (a frame stuck in a compression buffer, say) gets near it.
const TEST_TIMEOUT_MS = 60_000;

const SERVERS = {
  fastapi: { command: join(here, '.venv', 'bin', 'python'), args: [join(here, 'servers', 'fastapi_app.py')] },
  hono: { command: process.execPath, args: [join(here, 'servers', 'hono.mjs')] },
  express: { command: process.execPath, args: [join(here, 'servers', 'express.mjs')] },
};

// The stacks the scenarios run against. `encoding` is the Content-Encoding the
// stream must arrive with. Node's fetch offers only gzip and deflate over
// plain http, so it is told to offer br as well, as a browser does (a browser
// ignores the header: Accept-Encoding is its own to set).
const OFFER_BROTLI = { 'accept-encoding': 'gzip, deflate, br' };
const STACKS = [
  { label: 'FastAPI + sse-starlette', server: 'fastapi', query: '', headers: {}, encoding: null },
  { label: 'Hono streamSSE', server: 'hono', query: '', headers: {}, encoding: null },
  { label: 'Express + compression (gzip)', server: 'express', query: 'encoding=gzip', headers: OFFER_BROTLI, encoding: 'gzip' },
  { label: 'Express + compression (brotli)', server: 'express', query: 'encoding=br', headers: OFFER_BROTLI, encoding: 'br' },
];

const servers = {};
let staticServer;
let browser;
let page;

before(async () => {
  // A missing setup is a failure that says what to run, never a skip.
  for (const dir of [join(here, '.venv'), join(here, 'node_modules'), join(pkg, 'wasm_sse_bg.wasm')]) {
    assert.ok(existsSync(dir), `${dir} is missing: run \`make test-stacks\` (it sets up the venv, tests/stacks/node_modules and pkg/)`);
  }
  const started = await Promise.allSettled(Object.entries(SERVERS).map(([name, spec]) => launch({ name, ...spec, cwd: here })));
  for (const result of started) if (result.status === 'fulfilled') servers[result.value.name] = result.value;
  const failed = started.filter((r) => r.status === 'rejected');
  if (failed.length) throw new Error(failed.map((r) => r.reason.message).join('\n\n'));
  for (const { name, versions } of Object.values(servers)) console.log(`# ${name}: ${JSON.stringify(versions)}`);

  const scenariosJs = readFileSync(join(here, 'scenarios.js'));
  const pageHtml = `<!doctype html><meta charset="utf-8"><title>stack tests</title>
<script type="module">
  import * as lib from '/pkg/index.js';
  import { runScenario } from '/scenarios.js';
  await lib.ready;
  window.runScenario = (...args) => runScenario(lib, ...args);
</script>`;
  staticServer = await serveStatic({ mounts: { '/pkg/': pkg }, files: { '/index.html': pageHtml, '/scenarios.js': scenariosJs } });
  browser = await launchChromium();
  page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${staticServer.origin}/index.html`);
  await page.waitForFunction(() => typeof window.runScenario === 'function', null, { timeout: 30_000 }).catch((e) => {
    throw new Error(`the test page did not load: ${e.message}\n${pageErrors.join('\n')}`);
  });
});

after(async () => {
  await browser?.close();
  await staticServer?.close();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

const nodeLib = await import(join(pkg, 'node.js'));
const ENVIRONMENTS = {
  Node: (...args) => runScenario(nodeLib, ...args),
  Chromium: (...args) => page.evaluate((a) => window.runScenario(...a), args),
};

let runCounter = 0;

for (const stack of STACKS) {
  for (const [env, run] of Object.entries(ENVIRONMENTS)) {
    describe(`${stack.label} in ${env}`, { timeout: TEST_TIMEOUT_MS }, () => {
      /** Runs a scenario against this stack; a failure carries the server's recent output. */
      const scenario = async (name, params, check) => {
        const server = servers[stack.server];
        const runName = `${stack.server}-${env}-${name}-${++runCounter}`;
        const observed = await run(name, { base: server.url, query: stack.query, headers: stack.headers }, runName, params);
        try {
          check(observed);
        } catch (error) {
          error.message += `\nobserved: ${JSON.stringify(observed, null, 1).slice(0, 4000)}\n${stack.server} output:\n${server.output().slice(-3000)}`;
          throw error;
        }
      };

      test('a POST with a bearer token streams an OpenAI answer, read with delta: { format: "openai" }', () => {
        const prompt = 'Ça va? 🦀';
        const answer = `You asked: ${prompt}\n\n${CHAT.pieces.join('')}`;
        return scenario('chat', { prompt }, ({ resolved, rejection, flushes, contentEncoding, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.equal(server.requests.length, 1);
          assert.equal(server.requests[0].authorization, TOKEN);
          assert.equal(contentEncoding, stack.encoding);
          const last = flushes.at(-1);
          assert.ok(last.done, 'the last flush is done');
          assert.equal(last.text, answer);
          assert.equal(last.display, answer);
          assert.equal(flushes.map((f) => f.delta).join(''), answer, 'the deltas add up to the answer');
          assert.equal(last.finishReason, 'stop');
          assert.deepEqual(last.usage, { prompt_tokens: 3, completion_tokens: CHAT.pieces.length + 1 });
          assert.equal(flushes.filter((f) => f.done).length, 1);
        });
      });

      test('the POST without the token is a typed http-status 401 with the body, not retried', () =>
        scenario('unauthorized', {}, ({ resolved, rejection, errors, server }) => {
          assert.ok(!resolved);
          assert.equal(rejection.name, 'FetchEventSourceError');
          assert.equal(rejection.type, 'http-status');
          assert.equal(rejection.status, 401);
          assert.match(rejection.body, /invalid bearer token/);
          assert.deepEqual(errors.map((e) => [e.type, e.status]), [['http-status', 401]]);
          assert.equal(server.requests.length, 1, 'a 401 is not retried');
        }));

      test('a connection cut mid-stream resumes with Last-Event-ID: every event exactly once, in order', () => {
        const count = 12;
        const dropAfter = 5;
        return scenario('resume', { count, dropAfter }, ({ resolved, rejection, events, errors, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          const want = Array.from({ length: count }, (_, i) => ({ id: String(i + 1), data: `event ${i + 1}` }));
          assert.deepEqual(events, want);
          assert.deepEqual(errors.map((e) => e.type), ['network']);
          assert.deepEqual(server.requests.map((r) => r.lastEventId), [null, String(dropAfter)]);
        });
      });

      // The stack's keep-alive every 150 ms carries the stream through 1.2 s of
      // silence under a 600 ms idle timeout; the control below proves that
      // without it the same silence is an idle timeout.
      const QUIET = { silenceMs: 1200, idleTimeoutMs: 600 };

      test("the stack's keep-alive comments hold the stream open through a silence longer than idleTimeoutMs", () =>
        scenario('keepalive', { ...QUIET, pingMs: 150 }, ({ resolved, rejection, events, errors, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.deepEqual(events, ['first', 'second']);
          assert.deepEqual(errors, []);
          assert.equal(server.requests.length, 1);
        }));

      test('the control: the same silence without keep-alive comments is an idle-timeout', () =>
        scenario('keepalive', { ...QUIET, pingMs: 0 }, ({ resolved, rejection, events }) => {
          assert.ok(!resolved);
          assert.equal(rejection.type, 'idle-timeout');
          assert.deepEqual(events, ['first']);
        }));

      test('an abort resolves the call, no callback runs after it, and the server sees the connection close', () =>
        scenario('abort', { abortAfter: 3 }, ({ resolved, rejection, received, callbacksAfterAbort, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.equal(received, 3);
          assert.equal(callbacksAfterAbort, 0);
          assert.ok(server.closed, 'the server noticed the close');
        }));

      test('a 500 is a typed http-status error carrying the body, and the retry gets the stream', () =>
        scenario('failThenRecover', { status: 500 }, ({ resolved, rejection, events, errors, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.equal(errors.length, 1);
          assert.equal(errors[0].type, 'http-status');
          assert.equal(errors[0].status, 500);
          assert.match(errors[0].body, /failing with 500/);
          assert.deepEqual(events, ['recovered']);
          assert.equal(server.requests.length, 2);
        }));

      test('a 429 with Retry-After: 1 is a typed error with retryAfterMs, and the retry waits at least that long', () =>
        scenario('failThenRecover', { status: 429, retryAfter: 1 }, ({ resolved, rejection, events, errors, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.deepEqual(errors.map((e) => [e.type, e.status, e.retryAfterMs]), [['http-status', 429, 1000]]);
          assert.match(errors[0].body, /failing with 429/);
          assert.deepEqual(events, ['recovered']);
          assert.equal(server.requests.length, 2);
          const waitedMs = server.requests[1].atMs - server.requests[0].atMs;
          // A lower bound only; 1 ms for the two clocks' rounding.
          assert.ok(waitedMs >= 999, `the retry came ${waitedMs} ms after the 429`);
        }));

      test('each event reaches the client before the server writes the next', () => {
        const count = 6;
        return scenario('acked', { count }, ({ resolved, rejection, ids, contentEncoding, ackStatuses, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          assert.deepEqual(ids, Array.from({ length: count }, (_, i) => String(i + 1)));
          assert.deepEqual(ackStatuses, Array(count).fill(204));
          assert.equal(contentEncoding, stack.encoding);
          assert.equal(server.sent, count);
        });
      });
    });
  }
}
