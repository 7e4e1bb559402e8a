#!/usr/bin/env node
// A local Server-Sent Events server for the browser and Node tests of wasm-sse.
// Node >= 20, `node:` built-ins only.
//
//   node tests/server/sse-server.mjs [port]      (or PORT=...; default 0 = random)
//
// It listens on 127.0.0.1 and prints exactly one line, `READY <port>`, on stdout
// once it accepts connections. It exits on SIGTERM, SIGINT, and when its stdin is
// a pipe that closes (so a test harness that dies does not leave it running; a
// terminal or /dev/null as stdin is not watched). SSE_SERVER_LOG=1 logs each
// request to stderr.
//
// The plumbing (CORS on every response and the preflight, writing with
// backpressure, the drop, the READY line and the lifecycle) is the server kit's,
// examples/server/kit.mjs. Streams are `text/event-stream; charset=utf-8`,
// `Cache-Control: no-store`, with headers flushed before the first event.
//
// `key` (attempt counters) and `stream` (resume state) keep parallel tests apart:
// give each test its own. Counters are per scenario and key, and every response
// of a counting scenario has `X-Attempt: <n>` (1 for the first request).
// Numeric event IDs resume: a request with `Last-Event-ID: 7` continues at 8.
//
// | path            | query (defaults)                                   | behaviour
// |-----------------|----------------------------------------------------|-----------------------------------------------
// | /dribble        | n=5 interval=50                                    | events `id: i` / `data: i`, i = 1..n, `interval` ms apart, then a clean end. Resumes after Last-Event-ID.
// | /drop           | total=1000 every=50 stream= interval=0 partial=0   | events `id: i` / `data: i`, i = 1..total; after every `every` events of one connection the connection is closed without the final chunk (the client's body read fails). A reconnect resumes after Last-Event-ID. partial=1 also writes half an event (`id: x` + `data: partial`, no blank line) before dropping. Clean end after `total`. State per `stream`: see /stats.
// | /status         | code=200 type= body= location=                     | that status. 200 (no type given): one event `data: ok` then end. 204: empty. Otherwise a text/plain body (`body`, default `status <code>`), `Location` if given, `type` overrides the Content-Type.
// | /redirect       | code=302 to=/dribble?n=2&interval=0                | a redirect with `Location: to` (301, 302, 303, 307, 308).
// | /fail           | code=503 k=2 key= retry_after= format=seconds      | the first k attempts answer `code` (429, 500, 503, anything), with `Retry-After` if retry_after (seconds) is set: format=seconds, date (IMF-fixdate), rfc850 or asctime. Then a stream: `id: 1` / `data: ok after <n> attempts`, clean end.
// | /content-type   | type= (absent: no Content-Type)                    | status 200, the given Content-Type (or none), and a valid SSE body `data: not an event stream` that must not be delivered.
// | /retry          | ms=500 attempts=2 key=                             | `retry: ms`, then one event `id: <n>` / `data: {"attempt":n,"t":<server ms>}`; then attempts 1..attempts-1 drop the connection, attempt `attempts` (and later) ends cleanly.
// | /echo           | key= drops=0                                       | reads the whole request body, then one `event: echo` whose data is JSON {attempt, method, url, headers, rawHeaders, lastEventId (the header's bytes read as UTF-8), body, bodyBase64, bodyLength}. Attempts <= drops end with a dropped socket, later ones cleanly. Any method.
// | /stall          | events=0 heartbeat=0 headers=1                     | headers, `events` events, then nothing, forever (or a `:` comment every heartbeat ms), until the client goes. headers=0: not even the headers (a server that accepted the request and hangs).
// | /giant          | size=1048576                                       | one event whose data is `size` bytes of `x` (one line), then `data: after`, then end. Honours backpressure.
// | /lines          | eol=lf|cr|crlf bom=0 split=0 delay=2               | a fixed script with multi-byte text (below) and the chosen line end, after a BOM if bom=1. split=N writes N bytes per `res.write` with `delay` ms between (split=1: every byte alone, so chunks split inside UTF-8 sequences and between CR and LF); split=0 writes it at once.
// | /openai         | n=12 interval=20                                   | OpenAI-style chat.completion.chunk events (`data: {json}`, no event name or id), role first, content deltas with multi-byte text, a finish_reason chunk, then `data: [DONE]`. Header `X-Expected-Text`: the joined content, percent-encoded.
// | /timed          | n=10 interval=10                                   | events `id: i` / `data: {"i":i,"t":<performance.timeOrigin + performance.now()>}` for latency benchmarks.
// | /llm            | wire= ids=0 drop_after=0 replay=none key=          | the LLM stream of tests/wire/<wire>.sse (what a provider sends), one event per write. ids=1 adds `id: <n>` (1-based) to each event. drop_after=K: the first attempt of `key` drops after K events. A request with Last-Event-ID (ids=1) resumes after it; replay=all starts from event 1 anyway, replay=last from the Last-Event-ID event itself (servers that replay). Any method; the request body is read and ignored.
// | /stats          | key= stream=                                       | JSON {attempts: {scenario: n} for `key`, stream: {connections, lastEventIds, sent} for `stream`}.
// | /reset          |                                                    | forgets all counters and streams; 204.
//
// The /lines script (shown with LF):
//
//   :comment            → ignored
//   id: 1               ┐
//   data: héllo         │
//   (blank)             ┘ → message "héllo", id "1"
//   event: multi        ┐
//   data: a             │
//   data: ✓ 😀          │
//   (blank)             ┘ → "multi" event "a\n✓ 😀", id "1"
//   data: €uro          ┐
//   (blank)             ┘ → message "€uro", id "1"
//
// which `LINES_EVENTS` in ./fixtures.mjs lists for tests.

import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { allowCrossOrigin, drop, listen, openEventStream, readBody, serveAsCommand, write } from '../../examples/server/kit.mjs';
import { LINES_SCRIPT, OPENAI_TOKENS } from './fixtures.mjs';

const EXPOSED = ['Retry-After', 'Content-Type', 'Content-Length', 'X-Attempt', 'X-Expected-Text', 'Location', 'Date', 'Last-Event-ID', 'Cache-Control'];

const attempts = new Map(); // `${scenario}\0${key}` -> count
const streams = new Map(); // stream -> { connections, lastEventIds, sent }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

function int(params, name, fallback) {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : fallback;
}

/** The events of tests/wire/<name>.sse, each a block ending in a blank line (comments dropped). */
const wireCache = new Map();
function wireEvents(name) {
  if (!/^[a-z0-9-]+$/.test(name)) return null;
  if (!wireCache.has(name)) {
    let text;
    try {
      text = readFileSync(new URL(`../wire/${name}.sse`, import.meta.url), 'utf8');
    } catch {
      return null;
    }
    const blocks = text.split('\n\n').map((b) => b.split('\n').filter((l) => l && !l.startsWith(':')).join('\n'));
    wireCache.set(name, blocks.filter(Boolean).map((b) => `${b}\n\n`));
  }
  return wireCache.get(name);
}

function bump(scenario, key) {
  const id = `${scenario}\0${key}`;
  const n = (attempts.get(id) ?? 0) + 1;
  attempts.set(id, n);
  return n;
}

/** The numeric Last-Event-ID of the request, or 0. Node reads header bytes as latin1. */
function resumeAfter(req) {
  const id = Number(req.headers['last-event-id']);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

function event({ id, event: type, data }) {
  let text = '';
  if (type !== undefined) text += `event: ${type}\n`;
  if (id !== undefined) text += `id: ${id}\n`;
  for (const line of String(data).split('\n')) text += `data: ${line}\n`;
  return text + '\n';
}

function plain(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

const WEEKDAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** An HTTP-date in one of the three RFC 9110 formats. */
function httpDate(date, format) {
  const imf = date.toUTCString(); // "Sun, 06 Nov 1994 08:49:37 GMT"
  const [, day, month, year, time] = imf.split(' ');
  if (format === 'rfc850') return `${WEEKDAYS_LONG[date.getUTCDay()]}, ${day}-${month}-${year.slice(2)} ${time} GMT`;
  if (format === 'asctime') return `${imf.slice(0, 3)} ${month} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} ${year}`;
  return imf;
}

const scenarios = {
  async dribble(req, res, q) {
    const n = int(q, 'n', 5);
    const interval = int(q, 'interval', 50);
    openEventStream(res);
    for (let i = resumeAfter(req) + 1; i <= n; i++) {
      if (!(await write(res, event({ id: i, data: i })))) return;
      if (i < n) await sleep(interval);
    }
    res.end();
  },

  async drop(req, res, q) {
    const total = int(q, 'total', 1000);
    const every = Math.max(1, int(q, 'every', 50));
    const interval = int(q, 'interval', 0);
    const name = q.get('stream') ?? '';
    const state = streams.get(name) ?? { connections: 0, lastEventIds: [], sent: 0 };
    streams.set(name, state);
    state.connections++;
    state.lastEventIds.push(req.headers['last-event-id'] ?? null);
    openEventStream(res, { 'X-Attempt': String(state.connections) });
    let sentHere = 0;
    for (let i = resumeAfter(req) + 1; i <= total; i++) {
      if (!(await write(res, event({ id: i, data: i })))) return;
      state.sent++;
      sentHere++;
      if (sentHere === every && i < total) {
        if (q.get('partial') === '1') await write(res, `id: x${i}\ndata: partial`);
        drop(res);
        return;
      }
      if (interval) await sleep(interval);
    }
    res.end();
  },

  async llm(req, res, q) {
    await readBody(req);
    const events = wireEvents(q.get('wire') ?? '');
    if (!events) {
      plain(res, 404, `no tests/wire/${q.get('wire')}.sse`);
      return;
    }
    const n = bump('llm', q.get('key') ?? '');
    const ids = q.get('ids') === '1';
    const dropAfter = n === 1 ? int(q, 'drop_after', 0) : 0;
    const after = ids ? resumeAfter(req) : 0;
    const replay = q.get('replay') ?? 'none';
    const from = after === 0 || replay === 'all' ? 1 : replay === 'last' ? after : after + 1;
    openEventStream(res, { 'X-Attempt': String(n) });
    let sent = 0;
    for (let i = from; i <= events.length; i++) {
      const text = (ids ? `id: ${i}\n` : '') + events[i - 1];
      if (!(await write(res, text))) return;
      if (dropAfter && ++sent === dropAfter) {
        drop(res);
        return;
      }
    }
    res.end();
  },

  async status(req, res, q) {
    const code = int(q, 'code', 200);
    const headers = {};
    if (q.has('location')) headers.Location = q.get('location');
    if (q.has('type')) headers['Content-Type'] = q.get('type');
    if (code === 200 && !q.has('type')) {
      openEventStream(res);
      res.end(event({ data: 'ok' }));
    } else if (code === 204 || code === 304) {
      res.writeHead(code, headers).end();
    } else {
      plain(res, code, q.get('body') ?? `status ${code}`, headers);
    }
  },

  async redirect(req, res, q) {
    const code = int(q, 'code', 302);
    plain(res, code, `redirect to ${q.get('to') ?? ''}`, { Location: q.get('to') ?? '/dribble?n=2&interval=0' });
  },

  async fail(req, res, q) {
    const code = int(q, 'code', 503);
    const k = int(q, 'k', 2);
    const n = bump('fail', q.get('key') ?? '');
    const headers = { 'X-Attempt': String(n) };
    if (n <= k) {
      if (q.has('retry_after')) {
        const seconds = int(q, 'retry_after', 0);
        const format = q.get('format') ?? 'seconds';
        headers['Retry-After'] =
          format === 'seconds' ? String(seconds) : httpDate(new Date(Date.now() + seconds * 1000), format);
      }
      plain(res, code, `failing attempt ${n} of ${k} with ${code}`, headers);
      return;
    }
    openEventStream(res, headers);
    res.end(event({ id: 1, data: `ok after ${n} attempts` }));
  },

  async 'content-type'(req, res, q) {
    const type = q.get('type');
    res.writeHead(200, type ? { 'Content-Type': type } : {});
    res.end(event({ data: 'not an event stream' }));
  },

  async retry(req, res, q) {
    const ms = int(q, 'ms', 500);
    const total = Math.max(1, int(q, 'attempts', 2));
    const n = bump('retry', q.get('key') ?? '');
    openEventStream(res, { 'X-Attempt': String(n) });
    await write(res, `retry: ${ms}\n\n`);
    await write(res, event({ id: n, data: JSON.stringify({ attempt: n, t: now() }) }));
    if (n < total) drop(res);
    else res.end();
  },

  async echo(req, res, q) {
    const body = await readBody(req);
    const n = bump('echo', q.get('key') ?? '');
    openEventStream(res, { 'X-Attempt': String(n) });
    const data = JSON.stringify({
      attempt: n,
      method: req.method,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      // Header bytes arrive as latin1; the spec sends the ID as UTF-8.
      lastEventId: req.headers['last-event-id'] === undefined ? null : Buffer.from(req.headers['last-event-id'], 'latin1').toString('utf8'),
      body: body.toString('utf8'),
      bodyBase64: body.toString('base64'),
      bodyLength: body.length,
    });
    await write(res, event({ event: 'echo', id: n, data }));
    if (n <= int(q, 'drops', 0)) drop(res);
    else res.end();
  },

  async stall(req, res, q) {
    const events = int(q, 'events', 0);
    const heartbeat = int(q, 'heartbeat', 0);
    if (int(q, 'headers', 1) === 0) return;
    openEventStream(res);
    for (let i = 1; i <= events; i++) await write(res, event({ id: i, data: i }));
    if (heartbeat) {
      const timer = setInterval(() => write(res, ':\n'), heartbeat);
      res.on('close', () => clearInterval(timer));
    }
    // Then nothing: the response stays open until the client goes.
  },

  async giant(req, res, q) {
    const size = int(q, 'size', 1 << 20);
    openEventStream(res);
    const block = Buffer.alloc(64 * 1024, 'x');
    if (!(await write(res, 'data: '))) return;
    for (let left = size; left > 0; left -= block.length) {
      if (!(await write(res, left >= block.length ? block : block.subarray(0, left)))) return;
    }
    await write(res, '\n\n');
    res.end(event({ data: 'after' }));
  },

  async lines(req, res, q) {
    const eol = { lf: '\n', cr: '\r', crlf: '\r\n' }[q.get('eol') ?? 'lf'] ?? '\n';
    const split = int(q, 'split', 0);
    const delay = int(q, 'delay', 2);
    const text = LINES_SCRIPT.map((line) => line + eol).join('');
    const bytes = Buffer.concat([q.get('bom') === '1' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text)]);
    openEventStream(res);
    if (!split) {
      res.end(bytes);
      return;
    }
    for (let at = 0; at < bytes.length; at += split) {
      if (!(await write(res, bytes.subarray(at, at + split)))) return;
      await sleep(delay);
    }
    res.end();
  },

  async openai(req, res, q) {
    const n = Math.max(1, int(q, 'n', 12));
    const interval = int(q, 'interval', 20);
    const tokens = Array.from({ length: n }, (_, i) => OPENAI_TOKENS[i % OPENAI_TOKENS.length]);
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion.chunk',
        created,
        model: 'gpt-test',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      })}\n\n`;
    openEventStream(res, { 'X-Expected-Text': encodeURIComponent(tokens.join('')) });
    if (!(await write(res, chunk({ role: 'assistant', content: '' })))) return;
    for (const content of tokens) {
      await sleep(interval);
      if (!(await write(res, chunk({ content })))) return;
    }
    await write(res, chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  },

  async timed(req, res, q) {
    const n = int(q, 'n', 10);
    const interval = int(q, 'interval', 10);
    openEventStream(res);
    for (let i = resumeAfter(req) + 1; i <= n; i++) {
      if (!(await write(res, event({ id: i, data: JSON.stringify({ i, t: now() }) })))) return;
      if (i < n) await sleep(interval);
    }
    res.end();
  },

  async stats(req, res, q) {
    const key = q.get('key') ?? '';
    const counts = {};
    for (const [id, n] of attempts) {
      const [scenario, k] = id.split('\0');
      if (k === key) counts[scenario] = n;
    }
    const body = JSON.stringify({ attempts: counts, stream: streams.get(q.get('stream') ?? '') ?? null });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  },

  async reset(req, res) {
    attempts.clear();
    streams.clear();
    res.writeHead(204).end();
  },
};

Object.assign(scenarios, (await import('./chaos.mjs')).scenarios); // /chaos, /hostile: see chaos.mjs

async function handle(req, res) {
  if (process.env.SSE_SERVER_LOG === '1') {
    process.stderr.write(`${req.method} ${req.url} last-event-id=${req.headers['last-event-id'] ?? '-'}\n`);
  }
  if (allowCrossOrigin(req, res, { expose: EXPOSED })) return;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const name = url.pathname.replace(/^\/+|\/+$/g, '');
  const handler = Object.hasOwn(scenarios, name) ? scenarios[name] : null;
  if (!handler) {
    plain(res, 404, `unknown scenario ${url.pathname}; see the top of tests/server/sse-server.mjs\n`);
    return;
  }
  try {
    await handler(req, res, url.searchParams);
  } catch (error) {
    process.stderr.write(`${req.method} ${req.url}: ${error?.stack ?? error}\n`);
    if (!res.headersSent) plain(res, 500, 'server error');
    else res.destroy();
  }
}

const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const port = Number(arg ?? process.env.PORT ?? 0);
try {
  serveAsCommand(await listen(handle, { port }));
} catch (error) {
  process.stderr.write(`sse-server: cannot listen on 127.0.0.1:${port}: ${error.message}\n`);
  process.exit(1);
}
