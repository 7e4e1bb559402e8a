// Tests of the server kit (kit.mjs) on its own: `node --test examples/server/`.
// The servers built on it are tested in server.test.mjs (the mock LLM server)
// and tests/server/selftest.mjs (the test server).

import { test as nodeTest, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowCrossOrigin, drop, listen, openEventStream, spawnUntilReady, write } from './kit.mjs';

// node:test has no default timeout: a write that never settles would hang CI.
const test = (name, fn) => nodeTest(name, { timeout: 30_000 }, fn);

/** A server on 127.0.0.1 whose every request goes to `handler`, closed when the file ends. */
async function serve(handler) {
  const listening = await listen(handler);
  after(() => listening.close());
  return listening;
}

test('allowCrossOrigin answers a preflight itself: the origin with credentials, the method, the requested headers', async () => {
  let reached = 0;
  const { origin } = await serve((req, res) => {
    if (allowCrossOrigin(req, res, { expose: ['X-Attempt'] })) return;
    reached++;
    res.end('ok');
  });
  const preflight = await fetch(`${origin}/any`, {
    method: 'OPTIONS',
    headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type, last-event-id, x-custom' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(reached, 0, 'the handler does not see a preflight');
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
  assert.match(preflight.headers.get('vary'), /Origin/);
  assert.match(preflight.headers.get('access-control-allow-methods'), /\bPUT\b/);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type, last-event-id, x-custom');

  const simple = await fetch(`${origin}/any`);
  assert.equal(await simple.text(), 'ok');
  assert.equal(reached, 1);
  assert.equal(simple.headers.get('access-control-allow-origin'), '*', 'no Origin: any');
  assert.equal(simple.headers.get('access-control-allow-credentials'), null);
  // `*` does not count for credentialed requests: the names are listed too.
  assert.deepEqual(simple.headers.get('access-control-expose-headers').split(', '), ['*', 'X-Attempt']);
  assert.equal(simple.headers.get('cross-origin-resource-policy'), 'cross-origin');
});

test('openEventStream sends the event-stream headers before the first event', async () => {
  let release;
  const released = new Promise((ok) => (release = ok));
  const { origin } = await serve(async (req, res) => {
    openEventStream(res, { 'X-Attempt': '1' });
    await released;
    res.end('data: x\n\n');
  });
  // The headers arrive while the server still holds the body back.
  const res = await fetch(origin);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-attempt'), '1');
  release();
  assert.equal(await res.text(), 'data: x\n\n');
});

test('write waits for the socket to drain, and resolves false once the client has gone', async () => {
  const big = Buffer.alloc(16 << 20, 'x');
  const results = [];
  let written;
  const { port } = await serve((req, res) => {
    res.writeHead(200);
    written = (async () => {
      // The first write fills every buffer on the way: it waits for the reader.
      results.push(await write(res, big));
      results.push(await write(res, 'after'));
      res.end();
    })();
  });
  // A client that reads everything: both writes succeed, all bytes arrive.
  const body = await new Promise((ok, fail) => {
    http.get({ host: '127.0.0.1', port, path: '/read' }, (res) => {
      let length = 0;
      res.on('data', (chunk) => (length += chunk.length));
      res.on('end', () => ok(length));
    }).on('error', fail);
  });
  await written;
  assert.equal(body, big.length + 'after'.length);
  assert.deepEqual(results, [true, true]);

  // A client that reads nothing, then goes: the waiting write resolves false.
  results.length = 0;
  await new Promise((ok, fail) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/leave' }, (res) => {
      res.pause();
      req.destroy();
      ok();
    });
    req.on('error', (e) => (e.code === 'ECONNRESET' ? ok() : fail(e)));
  });
  await written;
  assert.equal(results[0], false, 'the client left while the write waited');
});

test('drop: the client gets the bytes written before it, then its read fails', async () => {
  const { origin } = await serve(async (req, res) => {
    openEventStream(res);
    await write(res, 'id: 1\ndata: 1\n\n');
    drop(res);
  });
  const reader = (await fetch(origin)).body.getReader();
  let text = '';
  const decoder = new TextDecoder();
  const failure = await (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return null;
        text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      return error;
    }
  })();
  assert.equal(text, 'id: 1\ndata: 1\n\n');
  assert.ok(failure, 'the body read fails: no clean end');
});

test('spawnUntilReady takes the port from the READY line of its child, and rejects when the child exits first', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ready = join(dir, 'ready.mjs');
  // Noise first, the READY line split inside its port, then it waits for stdin to close.
  await writeFile(
    ready,
    "process.stdout.write('starting\\nREADY 43'); setTimeout(() => process.stdout.write('21\\n'), 10); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));",
  );
  const started = await spawnUntilReady(ready);
  assert.equal(started.port, 4321);
  assert.equal(started.origin, 'http://127.0.0.1:4321');
  started.child.stdin.end();
  assert.deepEqual(await started.exited, { code: 0, signal: null }, 'stdin closing ends it');

  const failing = join(dir, 'failing.mjs');
  await writeFile(failing, "process.stderr.write('cannot listen'); process.exit(3);");
  await assert.rejects(spawnUntilReady(failing, [], { stderr: 'pipe' }), /exited \(3\) before READY.*cannot listen/);
});
