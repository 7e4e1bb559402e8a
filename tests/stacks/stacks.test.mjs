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
import { request } from 'node:http';
import { join } from 'node:path';
import { constants as zlibConstants, createBrotliDecompress, createGunzip } from 'node:zlib';
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
// ignores the header: Accept-Encoding is its own to set). `crash` is what the
// framework answers when a handler throws: its body, and whether that answer
// carries the CORS headers (Starlette's 500 comes from ServerErrorMiddleware,
// outside CORSMiddleware, so a browser sees no response at all).
const OFFER_BROTLI = { 'accept-encoding': 'gzip, deflate, br' };
const PLAIN_500 = { body: /^Internal Server Error$/, cors: true };
const STACKS = [
  { label: 'FastAPI + sse-starlette', server: 'fastapi', query: '', headers: {}, encoding: null, crash: { ...PLAIN_500, cors: false } },
  { label: 'Hono streamSSE', server: 'hono', query: '', headers: {}, encoding: null, crash: PLAIN_500 },
  {
    label: 'Express + compression (gzip)',
    server: 'express',
    query: 'encoding=gzip',
    headers: OFFER_BROTLI,
    encoding: 'gzip',
    crash: { body: /<pre>Error: the handler crashed/, cors: true },
  },
  {
    label: 'Express + compression (brotli)',
    server: 'express',
    query: 'encoding=br',
    headers: OFFER_BROTLI,
    encoding: 'br',
    crash: { body: /<pre>Error: the handler crashed/, cors: true },
  },
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
  for (const { name, versions } of Object.values(servers)) console.log(`${name}: ${JSON.stringify(versions)}`);

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

      const crashSeenAs = stack.crash.cors || env === 'Node' ? 'a typed http-status 500 with the body' : 'a network error (no CORS headers on it)';
      test(`a handler that throws is ${crashSeenAs}, and the retry gets the stream`, () =>
        scenario('failThenRecover', { route: '/crash' }, ({ resolved, rejection, events, errors, server }) => {
          assert.equal(rejection, null);
          assert.ok(resolved);
          // uvicorn closes the connection after a crash even though Starlette
          // answered: a retry sent on that pooled socket before its close is
          // seen fails as a network error, and is retried again.
          assert.ok(errors.length >= 1, 'onerror heard of the crash');
          assert.deepEqual(errors.slice(1).map((e) => e.type), Array(errors.length - 1).fill('network'));
          if (stack.crash.cors || env === 'Node') {
            assert.deepEqual([errors[0].type, errors[0].status], ['http-status', 500]);
            assert.match(errors[0].body, stack.crash.body);
          } else {
            assert.equal(errors[0].type, 'network');
          }
          assert.deepEqual(events, ['recovered']);
          assert.equal(server.requests.length, 2);
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

/** A GET with node:http, which decodes nothing: the bytes as the stack sent them, chunk by chunk. */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    request(url, { headers }, resolve).on('error', reject).end();
  });
}

async function rawText(url, headers) {
  const response = await rawGet(url, headers);
  const chunks = [];
  for await (const chunk of response) chunks.push(chunk);
  return { headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
}

// What differs between the stacks on the wire, read raw in Node. These pin the
// facts the client must cope with, so that an upgrade that changes them shows.
describe('what each stack sends on the wire', { timeout: TEST_TIMEOUT_MS }, () => {
  const quiet = (server, run) => new URL(`/quiet?run=${run}&silenceMs=400&pingMs=150`, servers[server].url).href;

  test('sse-starlette ends lines with CRLF, pings with a ": ping - <UTC time>" comment and sends a charset', async () => {
    const { headers, body } = await rawText(quiet('fastapi', 'wire-fastapi'));
    assert.equal(headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(headers['x-accel-buffering'], 'no');
    const ping = String.raw`: ping - \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00\r\n\r\n`;
    assert.match(body, new RegExp(`^event: first\r\ndata: before the silence\r\n\r\n(${ping})+event: second\r\ndata: after the silence\r\n\r\n$`));
  });

  test('Hono ends lines with LF, writes data before id, and has no keep-alive of its own (the app writes one)', async () => {
    const { headers, body } = await rawText(quiet('hono', 'wire-hono'));
    assert.equal(headers['content-type'], 'text/event-stream');
    assert.match(body, /^event: first\ndata: before the silence\n\n(: heartbeat\n\n)+event: second\ndata: after the silence\n\n$/);
    const resumed = await rawText(new URL('/numbered?run=wire-hono-ids&count=2&dropAfter=0', servers.hono.url).href, { 'last-event-id': '0' });
    assert.equal(resumed.body, 'data: event 1\nid: 1\n\ndata: event 2\nid: 2\n\n');
  });

  for (const [encoding, decompress] of [
    ['gzip', () => createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH })],
    ['br', () => createBrotliDecompress({ finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH })],
  ]) {
    test(`Express + compression (${encoding}): every flushed frame decodes on its own before the next is written`, async () => {
      const run = `wire-express-${encoding}`;
      const count = 4;
      const url = new URL(`/acked?run=${run}&count=${count}&encoding=${encoding}`, servers.express.url).href;
      const response = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(response.headers['content-encoding'], encoding);
      // The raw bytes go through a decoder; each decoded frame is acknowledged,
      // which lets the server write the next: no frame may wait in a buffer.
      const decoder = decompress();
      response.pipe(decoder);
      let text = '';
      const frames = [];
      for await (const decoded of decoder) {
        text += decoded.toString('utf8');
        let end;
        while ((end = text.indexOf('\n\n')) !== -1) {
          frames.push(text.slice(0, end + 2));
          text = text.slice(end + 2);
          await fetch(new URL(`/runs/${run}/ack`, servers.express.url), { method: 'POST' });
        }
      }
      assert.equal(text, '');
      assert.deepEqual(frames, Array.from({ length: count }, (_, i) => `id: ${i + 1}\ndata: event ${i + 1}\n\n`));
    });
  }
});
