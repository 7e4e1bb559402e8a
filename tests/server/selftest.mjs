// Checks every scenario of sse-server.mjs with Node's fetch. Run: node --test tests/server/
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnUntilReady } from '../../examples/server/kit.mjs';
import { SSE_SERVER, startSseServer } from '../support/sse-server.mjs';
import { LINES_SCRIPT, openaiText } from './fixtures.mjs';

// node:test has no default timeout: a response that never comes would hang CI.
const TIMEOUT_MS = 30_000;
const test = (name, fn) => nodeTest(name, { timeout: TIMEOUT_MS }, fn);

// Every server this file starts, killed at the end: one left running (a test
// that timed out while waiting for it to exit) would keep this process alive.
const started = new Set();
const track = (server) => (started.add(server.child), server);
after(() => started.forEach((child) => child.kill('SIGKILL')));
const startServer = () => startSseServer().then(track);

let server;
before(async () => {
  server = await startServer();
}, { timeout: TIMEOUT_MS });
after(() => server?.stop(), { timeout: TIMEOUT_MS });

let keys = 0;
const uniqueKey = (name) => `${name}-${process.pid}-${++keys}`;
const url = (path) => `${server.origin}${path}`;

/** Reads a body to its end or its failure, keeping every chunk. */
async function readAll(res) {
  const chunks = [];
  let error = null;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch (e) {
    error = e;
  }
  const bytes = Buffer.concat(chunks);
  return { chunks, bytes, text: bytes.toString('utf8'), error };
}

/** The `data` of each event in a simple LF-only stream. */
function dataOf(text) {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n'),
    );
}

function idsOf(text) {
  return [...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
}

/**
 * What the server's wall clock (performance.timeOrigin + performance.now(),
 * another process) may differ from Date.now() here: rounding, and the time
 * origin each process took at its start. A bracket of events, not a duration.
 */
const CLOCK_SLACK_MS = 50;

function assertEventStream(res) {
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
}

test('the server prints one READY line with the port it listens on', () => {
  assert.match(server.stdout(), /^READY \d+\n$/);
  assert.ok(server.port > 0);
});

test('every response carries CORS headers that expose Retry-After and X-Attempt', async () => {
  for (const path of ['/status?code=404', '/status?code=200', '/nope', `/fail?code=429&k=1&retry_after=1&key=${uniqueKey('cors')}`]) {
    const res = await fetch(url(path));
    await res.arrayBuffer();
    assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
    const exposed = res.headers.get('access-control-expose-headers');
    for (const name of ['*', 'Retry-After', 'Content-Type', 'X-Attempt', 'Last-Event-ID']) {
      assert.ok(exposed.split(', ').includes(name), `${path} exposes ${name}: ${exposed}`);
    }
  }
  const res = await fetch(url('/status?code=200'), { headers: { Origin: 'http://example.test' } });
  await res.arrayBuffer();
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://example.test');
});

test('an unknown path is a 404 that points at the scenario table', async () => {
  const res = await fetch(url('/nope'));
  assert.equal(res.status, 404);
  assert.match(await res.text(), /unknown scenario \/nope/);
});

test('dribble sends n identified events spaced by the interval and resumes after Last-Event-ID', async () => {
  const started = performance.now();
  const res = await fetch(url('/dribble?n=3&interval=40'));
  assertEventStream(res);
  const { text, chunks, error } = await readAll(res);
  assert.equal(error, null);
  assert.equal(text, 'id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n');
  assert.ok(chunks.length >= 2, 'events arrive in separate chunks');
  assert.ok(performance.now() - started >= 75, 'the events were spaced');
  const resumed = await fetch(url('/dribble?n=3&interval=0'), { headers: { 'Last-Event-ID': '1' } });
  assert.deepEqual(idsOf((await readAll(resumed)).text), ['2', '3']);
});

test('drop closes the connection abruptly every few events and resumes after Last-Event-ID', async () => {
  const stream = uniqueKey('drop');
  const path = `/drop?total=10&every=4&stream=${stream}`;
  const first = await readAll(await fetch(url(path)));
  assert.ok(first.error, 'the first read fails');
  assert.deepEqual(idsOf(first.text), ['1', '2', '3', '4']);
  const second = await fetch(url(path), { headers: { 'Last-Event-ID': '4' } });
  assert.equal(second.headers.get('x-attempt'), '2');
  const secondBody = await readAll(second);
  assert.ok(secondBody.error);
  assert.deepEqual(idsOf(secondBody.text), ['5', '6', '7', '8']);
  const third = await readAll(await fetch(url(path), { headers: { 'Last-Event-ID': '8' } }));
  assert.equal(third.error, null, 'the last connection ends cleanly');
  assert.deepEqual(idsOf(third.text), ['9', '10']);
  const stats = await (await fetch(url(`/stats?stream=${stream}`))).json();
  assert.deepEqual(stats.stream, { connections: 3, lastEventIds: [null, '4', '8'], sent: 10 });
});

test('drop with partial=1 leaves half an event before the connection goes', async () => {
  const { text, error } = await readAll(await fetch(url(`/drop?total=5&every=2&partial=1&stream=${uniqueKey('partial')}`)));
  assert.ok(error);
  assert.equal(text, 'id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: x2\ndata: partial');
});

test('status answers 200 with a stream, 204 empty, and errors with a text body', async () => {
  const ok = await fetch(url('/status?code=200'));
  assertEventStream(ok);
  assert.equal(await ok.text(), 'data: ok\n\n');
  const empty = await fetch(url('/status?code=204'));
  assert.equal(empty.status, 204);
  assert.equal(await empty.text(), '');
  for (const code of [400, 401, 404, 500]) {
    const res = await fetch(url(`/status?code=${code}`));
    assert.equal(res.status, code);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), `status ${code}`);
  }
  const custom = await fetch(url('/status?code=404&type=application/json&body={"error":"gone"}'));
  assert.equal(custom.headers.get('content-type'), 'application/json');
  assert.deepEqual(await custom.json(), { error: 'gone' });
});

test('every redirect status points at another scenario and fetch follows it', async () => {
  for (const code of [301, 302, 303, 307, 308]) {
    const manual = await fetch(url(`/redirect?code=${code}`), { redirect: 'manual' });
    assert.equal(manual.status, code);
    assert.equal(manual.headers.get('location'), '/dribble?n=2&interval=0');
    await manual.arrayBuffer();
    const followed = await fetch(url(`/redirect?code=${code}`));
    assert.ok(followed.redirected);
    assertEventStream(followed);
    assert.deepEqual(idsOf(await followed.text()), ['1', '2']);
  }
});

test('a 303 turns a POST into a GET, a 307 keeps the method and the body', async () => {
  const to = (key) => encodeURIComponent(`/echo?key=${key}`);
  const see = await fetch(url(`/redirect?code=303&to=${to(uniqueKey('303'))}`), { method: 'POST', body: 'payload' });
  const seen = JSON.parse(dataOf(await see.text())[0]);
  assert.deepEqual([seen.method, seen.body], ['GET', '']);
  const keep = await fetch(url(`/redirect?code=307&to=${to(uniqueKey('307'))}`), { method: 'POST', body: 'payload' });
  const kept = JSON.parse(dataOf(await keep.text())[0]);
  assert.deepEqual([kept.method, kept.body], ['POST', 'payload']);
});

test('fail answers 429 with Retry-After in seconds k times, then streams', async () => {
  const path = `/fail?code=429&k=2&retry_after=3&key=${uniqueKey('429')}`;
  for (const attempt of [1, 2]) {
    const res = await fetch(url(path));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal(res.headers.get('x-attempt'), String(attempt));
    assert.equal(await res.text(), `failing attempt ${attempt} of 2 with 429`);
  }
  const res = await fetch(url(path));
  assertEventStream(res);
  assert.equal(res.headers.get('x-attempt'), '3');
  assert.equal(await res.text(), 'id: 1\ndata: ok after 3 attempts\n\n');
});

test('Retry-After can be an HTTP date in all three formats', async () => {
  const imf = await fetch(url(`/fail?code=503&k=1&retry_after=60&format=date&key=${uniqueKey('date')}`));
  const value = imf.headers.get('retry-after');
  assert.match(value, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  // 60 s after the response's own Date (both whole seconds, taken a moment
  // apart), not after the clock here: how long the test took does not matter.
  const delay = Date.parse(value) - Date.parse(imf.headers.get('date'));
  assert.ok(delay >= 59_000 && delay <= 61_000, `Retry-After is ${delay} ms after Date`);
  const rfc850 = await fetch(url(`/fail?code=503&k=1&retry_after=1&format=rfc850&key=${uniqueKey('850')}`));
  assert.match(rfc850.headers.get('retry-after'), /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/);
  const asctime = await fetch(url(`/fail?code=429&k=1&retry_after=1&format=asctime&key=${uniqueKey('asc')}`));
  assert.match(asctime.headers.get('retry-after'), /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/);
  await Promise.all([imf, rfc850, asctime].map((res) => res.arrayBuffer()));
});

test('fail answers 500 and 503 k times without Retry-After unless asked, then streams', async () => {
  for (const code of [500, 503]) {
    const path = `/fail?code=${code}&k=1&key=${uniqueKey(`fail${code}`)}`;
    const failed = await fetch(url(path));
    assert.equal(failed.status, code);
    assert.equal(failed.headers.get('retry-after'), null);
    await failed.arrayBuffer();
    const ok = await fetch(url(path));
    assertEventStream(ok);
    assert.equal(await ok.text(), 'id: 1\ndata: ok after 2 attempts\n\n');
  }
});

test('content-type serves a valid event stream body under a wrong or missing type', async () => {
  const html = await fetch(url('/content-type?type=text/html'));
  assert.equal(html.status, 200);
  assert.equal(html.headers.get('content-type'), 'text/html');
  assert.equal(await html.text(), 'data: not an event stream\n\n');
  const none = await fetch(url('/content-type'));
  assert.equal(none.status, 200);
  assert.equal(none.headers.get('content-type'), null);
  assert.equal(await none.text(), 'data: not an event stream\n\n');
});

test('retry sends the retry field, then drops until the last attempt', async () => {
  const path = `/retry?ms=300&attempts=2&key=${uniqueKey('retry')}`;
  const before = Date.now();
  const first = await readAll(await fetch(url(path)));
  assert.ok(first.error);
  assert.ok(first.text.startsWith('retry: 300\n\nid: 1\n'), first.text);
  assert.equal(JSON.parse(dataOf(first.text)[0]).attempt, 1);
  const second = await readAll(await fetch(url(path)));
  assert.equal(second.error, null);
  const after = Date.now();
  const data = JSON.parse(dataOf(second.text)[0]);
  assert.equal(data.attempt, 2);
  // The server's wall clock at the write, between the request and the end of the read.
  assert.ok(data.t >= before - CLOCK_SLACK_MS && data.t <= after + CLOCK_SLACK_MS, `t ${data.t} in [${before}, ${after}]`);
});

test('echo returns the method, headers and body intact on every attempt', async () => {
  const key = uniqueKey('echo');
  const body = JSON.stringify({ prompt: 'héllo ✓ 😀', n: 1 });
  const init = {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Bearer t0ken',
      'X-Custom': 'a, b',
      // A UTF-8 event ID travels as a byte string, one character per byte.
      'Last-Event-ID': Buffer.from('é7', 'utf8').toString('latin1'),
    },
  };
  const seen = [];
  for (const attempt of [1, 2]) {
    const res = await fetch(url(`/echo?key=${key}&drops=1`), init);
    assertEventStream(res);
    assert.equal(res.headers.get('x-attempt'), String(attempt));
    const { text, error } = await readAll(res);
    assert.equal(Boolean(error), attempt === 1, 'the first attempt drops, the second ends');
    assert.ok(text.startsWith('event: echo\nid: '), text);
    seen.push(JSON.parse(dataOf(text)[0]));
  }
  for (const [i, echo] of seen.entries()) {
    assert.equal(echo.attempt, i + 1);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.url, `/echo?key=${key}&drops=1`);
    assert.equal(echo.body, body);
    assert.equal(echo.bodyLength, Buffer.byteLength(body));
    assert.equal(echo.headers['content-type'], 'application/json');
    assert.equal(echo.headers.authorization, 'Bearer t0ken');
    assert.equal(echo.headers['x-custom'], 'a, b');
    assert.equal(echo.lastEventId, 'é7');
    assert.ok(echo.rawHeaders.includes('Bearer t0ken'));
  }
});

test('echo keeps a binary body byte for byte', async () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const res = await fetch(url(`/echo?key=${uniqueKey('bin')}`), { method: 'PUT', body: bytes });
  const echo = JSON.parse(dataOf(await res.text())[0]);
  assert.equal(echo.method, 'PUT');
  assert.deepEqual(Buffer.from(echo.bodyBase64, 'base64'), Buffer.from(bytes));
});

test('stall sends headers and the first events, then nothing until the client aborts', async () => {
  const controller = new AbortController();
  const res = await fetch(url('/stall?events=1'), { signal: controller.signal });
  assertEventStream(res);
  const reader = res.body.getReader();
  const first = await reader.read();
  assert.equal(Buffer.from(first.value).toString(), 'id: 1\ndata: 1\n\n');
  const next = reader.read();
  const timeout = new Promise((resolve) => setTimeout(() => resolve('stalled'), 300));
  assert.equal(await Promise.race([next, timeout]), 'stalled');
  controller.abort();
  await assert.rejects(next);
});

test('stall with a heartbeat sends only comments', async () => {
  const controller = new AbortController();
  const res = await fetch(url('/stall?heartbeat=30'), { signal: controller.signal });
  const reader = res.body.getReader();
  const { value } = await reader.read();
  assert.equal(Buffer.from(value).toString(), ':\n');
  controller.abort();
});

test('stall with headers=0 does not even answer', async () => {
  const controller = new AbortController();
  const answer = fetch(url('/stall?headers=0'), { signal: controller.signal });
  const timeout = new Promise((resolve) => setTimeout(() => resolve('no answer'), 300));
  assert.equal(await Promise.race([answer, timeout]), 'no answer');
  controller.abort();
  await assert.rejects(answer);
});

test('giant sends one event of the requested size, then a small one', async () => {
  const size = 300_000;
  const { bytes, error } = await readAll(await fetch(url(`/giant?size=${size}`)));
  assert.equal(error, null);
  assert.equal(bytes.length, 'data: '.length + size + '\n\ndata: after\n\n'.length);
  assert.equal(bytes.subarray(0, 8).toString(), 'data: xx');
  assert.equal(bytes.subarray(bytes.length - 16).toString(), 'x\n\ndata: after\n\n');
});

const EOLS = { lf: '\n', cr: '\r', crlf: '\r\n' };
const linesBytes = (eol, bom) =>
  Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(LINES_SCRIPT.map((l) => l + EOLS[eol]).join(''))]);

test('lines sends the script with LF, CR or CRLF line ends and an optional BOM', async () => {
  for (const eol of Object.keys(EOLS)) {
    for (const bom of [false, true]) {
      const res = await fetch(url(`/lines?eol=${eol}&bom=${bom ? 1 : 0}`));
      assertEventStream(res);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), linesBytes(eol, bom), `${eol} bom=${bom}`);
    }
  }
});

test('lines with split=1 splits chunks inside UTF-8 characters and between CR and LF', async () => {
  const { bytes, chunks } = await readAll(await fetch(url('/lines?eol=crlf&bom=1&split=1&delay=5')));
  assert.deepEqual(bytes, linesBytes('crlf', true));
  const ends = chunks.map((chunk) => chunk[chunk.length - 1]);
  const starts = chunks.slice(1).map((chunk) => chunk[0]);
  const insideUtf8 = starts.some((byte) => (byte & 0xc0) === 0x80);
  const betweenCrLf = ends.some((byte, i) => byte === 0x0d && starts[i] === 0x0a);
  assert.ok(insideUtf8, `a chunk starts with a continuation byte (${chunks.length} chunks)`);
  assert.ok(betweenCrLf, `a chunk ends in CR and the next starts with LF (${chunks.length} chunks)`);
});

test('openai streams chat completion chunks that add up to the expected text, then [DONE]', async () => {
  const res = await fetch(url('/openai?n=16&interval=2'));
  assertEventStream(res);
  const expected = openaiText(16);
  assert.equal(decodeURIComponent(res.headers.get('x-expected-text')), expected);
  const data = dataOf(await res.text());
  assert.equal(data.at(-1), '[DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  assert.equal(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), expected);
  assert.ok(/[^\x00-\x7f]/.test(expected), 'the text has multi-byte characters');
});

test('timed events carry increasing server timestamps on the wall clock', async () => {
  const before = Date.now();
  const text = await (await fetch(url('/timed?n=4&interval=5'))).text();
  const after = Date.now();
  const events = dataOf(text).map((d) => JSON.parse(d));
  assert.deepEqual(events.map((e) => e.i), [1, 2, 3, 4]);
  for (const [i, e] of events.entries()) {
    assert.ok(e.t >= before - CLOCK_SLACK_MS && e.t <= after + CLOCK_SLACK_MS, `t ${e.t} in [${before}, ${after}]`);
    if (i > 0) assert.ok(e.t > events[i - 1].t);
  }
});

test('stats reports attempt counters per key and reset forgets them', async () => {
  const key = uniqueKey('stats');
  await (await fetch(url(`/fail?code=500&k=5&key=${key}`))).arrayBuffer();
  await (await fetch(url(`/echo?key=${key}`))).arrayBuffer();
  assert.deepEqual((await (await fetch(url(`/stats?key=${key}`))).json()).attempts, { fail: 1, echo: 1 });
  const other = await startServer();
  try {
    const otherUrl = (path) => `${other.origin}${path}`;
    await (await fetch(otherUrl('/fail?code=500&k=5&key=x'))).arrayBuffer();
    assert.equal((await fetch(otherUrl('/reset'))).status, 204);
    assert.deepEqual((await (await fetch(otherUrl('/stats?key=x'))).json()).attempts, {});
  } finally {
    await other.stop();
  }
});

test('the server exits cleanly on SIGTERM, on SIGINT and when its stdin closes', async () => {
  for (const stop of ['SIGTERM', 'SIGINT', 'stdin']) {
    const other = await startServer();
    // A connection in the middle of a stream must not keep it alive.
    const controller = new AbortController();
    const res = await fetch(`${other.origin}/stall`, { signal: controller.signal });
    assert.equal(res.status, 200);
    if (stop === 'stdin') other.child.stdin.end();
    else other.child.kill(stop);
    const { code, signal } = await other.exited;
    assert.deepEqual([code, signal], [0, null], stop);
    controller.abort();
  }
});

test('the port can be given as an argument, or in PORT', async () => {
  for (const how of ['argument', 'PORT']) {
    // A port that was free a moment ago: another process may take it in between,
    // and then the server exits before READY (spawnUntilReady rejects) and the
    // next free port is tried.
    for (let tries = 1; ; tries++) {
      const probe = await startServer();
      const { port } = probe;
      await probe.stop();
      const again = how === 'PORT' ? spawnUntilReady(SSE_SERVER, [], { env: { PORT: String(port) } }) : spawnUntilReady(SSE_SERVER, [String(port)]);
      const other = await again.then(track).catch((error) => {
        if (tries === 5) throw error;
        return null;
      });
      if (!other) continue;
      assert.equal(other.port, port, how);
      assert.equal(other.stdout(), `READY ${port}\n`);
      await other.stop();
      break;
    }
  }
});
