// Tests of the mock LLM server: `node --test examples/server/`.
// The first part runs the server as a child process (as `make demo` and the
// browser tests run it), on a port the OS picks, announced by its `READY <port>`
// line; the wire-format part at the end runs one in-process (port 0, tps 0).

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWERS, ANSWER_NAMES, pickAnswer, tokenize } from './answers.mjs';
import { spawnUntilReady } from './kit.mjs';
import { startServer } from './server.mjs';

const MAIN = fileURLToPath(new URL('./main.mjs', import.meta.url));

// node:test has no default timeout: a stream that never ends would hang CI.
const TIMEOUT_MS = 30_000;
const test = (name, fn) => nodeTest(name, { timeout: TIMEOUT_MS }, fn);

// Every server process this file starts, killed at the end: one left running (a
// test that timed out while waiting for it to exit) would keep this process alive.
const children = new Set();
after(() => children.forEach((child) => child.kill('SIGKILL')));

/** Starts main.mjs on a port the OS picks; resolves once it printed READY (see kit.mjs). */
async function spawnServer(args = []) {
  const server = await spawnUntilReady(MAIN, ['--port', '0', ...args], { stderr: 'pipe' });
  children.add(server.child);
  return server;
}

let srv;
before(async () => {
  srv = await spawnServer(['--tps', '50']);
}, { timeout: TIMEOUT_MS });
after(() => srv?.stop(), { timeout: TIMEOUT_MS });

let keys = 0;
const uniqueKey = (name) => `${name}-${process.pid}-${++keys}`;

function chat(path, { messages = [{ role: 'user', content: 'Show me a table' }], stream = true, headers = {}, body = {}, signal } = {}) {
  return fetch(`${srv.origin}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'mock-gpt', stream, messages, ...body }),
    signal,
  });
}

/** A spec-following event-stream parser for the tests: events { id, data, event } and comments. */
function parseStream(text) {
  const events = [];
  const comments = [];
  let data = null;
  let id;
  let type;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data !== null) events.push({ id, event: type ?? 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data });
      data = null;
      type = undefined;
      continue;
    }
    if (line.startsWith(':')) {
      comments.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = (data ?? '') + value + '\n';
    else if (field === 'id') id = value;
    else if (field === 'event') type = value;
  }
  return { events, comments };
}

/** Reads a whole body as text; a body that fails mid-way (a dropped connection) gives what came. */
async function readAll(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let failed = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    failed = error;
  }
  return { text: text + decoder.decode(), failed };
}

/**
 * Reads until `until(text)` is true and returns the text so far, the reader
 * (to read on, then cancel) and whether the body ended first.
 */
async function readUntil(response, until) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) return { text, ended: true, reader };
    text += decoder.decode(value, { stream: true });
  }
  return { text, ended: false, reader };
}

const content = (events) =>
  events
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data).choices[0]?.delta?.content ?? '')
    .join('');

const tokenEvents = (events) => events.filter((e) => e.data !== '[DONE]' && JSON.parse(e.data).choices[0]?.delta?.content);

// ---------------------------------------------------------------- answers

test('answers: 150-400 words each, markdown-rich as a set, tokens exact and 1-6 code points', () => {
  assert.deepEqual(Object.keys(ANSWERS), ANSWER_NAMES);
  assert.ok(ANSWER_NAMES.length >= 5);
  for (const { name, text, tokens } of Object.values(ANSWERS)) {
    const words = text.split(/\s+/).filter(Boolean).length;
    assert.ok(words >= 150 && words <= 400, `${name}: ${words} words`);
    assert.equal(tokens.join(''), text, `${name}: tokens concatenate to the text`);
    for (const t of tokens) {
      const n = [...t].length;
      assert.ok(n >= 1 && n <= 6, `${name}: token ${JSON.stringify(t)} has ${n} code points`);
    }
  }
  const all = Object.values(ANSWERS).map((a) => a.text).join('\n');
  const features = {
    'fenced code with a language': /^```[a-z]+$/m,
    'tilde fence': /^~~~[a-z]+$/m,
    'GFM table delimiter row': /^\|[ :-]*-{3}[ :-]*\|/m,
    'aligned table column': /:-+:|-+:\|/,
    'bullet list': /^\s*[-*] /m,
    'ordered list': /^\s*\d+\. /m,
    'task list': /^\s*- \[[ x]\] /m,
    link: /\[[^\]]+\]\(https?:\/\/[^)]+\)/,
    autolink: /<https?:\/\/[^>]+>/,
    bold: /\*\*[^*\n]+\*\*/,
    italic: /(^|[^*])\*[^*\s][^*\n]*\*/,
    'bold italic': /\*\*\*[^*]+\*\*\*/,
    strikethrough: /~~[^~\n]+~~/,
    'inline code': /`[^`\n]+`/,
    blockquote: /^> /m,
    'nested blockquote': /^> > /m,
    'inline math': /\$[^$\n]+\$/,
    'display math': /\$\$/,
    heading: /^#{1,3} /m,
    'thematic break': /^---$/m,
    'ZWJ sequence': /\p{Extended_Pictographic}\u200d\p{Extended_Pictographic}/u,
    'flag': /\p{Regional_Indicator}{2}/u,
    'skin tone': /[\u{1F3FB}-\u{1F3FF}]/u,
    'combining mark': /\p{M}/u,
    CJK: /[\u4e00-\u9fff]/,
    kana: /[\u3040-\u30ff]/,
    hangul: /[\uac00-\ud7af]/,
  };
  for (const [what, pattern] of Object.entries(features)) assert.match(all, pattern, `some answer has ${what}`);
});

test('tokens split like an LLM: mid-syntax and inside emoji sequences, deterministically', () => {
  const pairs = Object.values(ANSWERS).flatMap(({ tokens }) => tokens.slice(1).map((t, i) => [tokens[i], t]));
  const splitAt = (left, right) => pairs.some(([a, b]) => a.endsWith(left) && b.startsWith(right));
  assert.ok(splitAt('`', '`'), 'a code fence or inline code split across tokens');
  assert.ok(splitAt('*', '*'), '** split across tokens');
  assert.ok(pairs.some(([a, b]) => /\u200d$/u.test(a) || /^\u200d/u.test(b)), 'a ZWJ sequence split across tokens');
  assert.ok(pairs.some(([a, b]) => /\p{Regional_Indicator}$/u.test(a) && /^\p{Regional_Indicator}/u.test(b)), 'a flag split between its two letters');
  assert.ok(pairs.some(([a, b]) => /[\u4e00-\u9fff\u3040-\u30ff]$/.test(a) && /^[\u4e00-\u9fff\u3040-\u30ff]/.test(b)), 'CJK text split across tokens');
  const words = Object.values(ANSWERS).flatMap((a) => a.tokens).filter((t) => /^ [a-z]+$/i.test(t)).length;
  assert.ok(words > 300, `mostly words with their leading space (${words})`);
  assert.deepEqual(tokenize('Hello **world**, ok'), tokenize('Hello **world**, ok'));
});

test('the answer is chosen by keyword, else by a hash of the last user message', () => {
  const ask = (content) => pickAnswer([{ role: 'user', content }]).name;
  assert.equal(ask('Can you show me a table?'), 'table');
  assert.equal(ask('write some code'), 'code');
  assert.equal(ask('explain the math'), 'math');
  assert.equal(ask('emoji please'), 'emoji');
  assert.equal(ask('make a plan'), 'list');
  assert.equal(ask('the history of SSE'), 'history');
  assert.equal(ask('xyzzy 1'), ask('xyzzy 1'));
  const spread = new Set(Array.from({ length: 40 }, (_, i) => ask(`question number ${i}`)));
  assert.ok(spread.size >= 3, `hash spreads prompts over answers (${[...spread]})`);
  // The last user message counts, not earlier turns; content parts are read too.
  const turns = [{ role: 'user', content: 'table' }, { role: 'assistant', content: '...' }, { role: 'user', content: [{ type: 'text', text: 'now some code' }] }];
  assert.equal(pickAnswer(turns).name, 'code');
});

// ---------------------------------------------------------------- wire format

test('healthz', async () => {
  const r = await fetch(`${srv.origin}/healthz`);
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.ok, true);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
});

test('stream format: chat.completion.chunk events with ids, role first, stop, [DONE]; content is the answer', async () => {
  const r = await chat('/v1/chat/completions?tps=0', { messages: [{ role: 'user', content: 'Show me a table' }] });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('x-mock-answer'), 'table');
  const { text, failed } = await readAll(r);
  assert.equal(failed, null);
  assert.ok(text.endsWith('data: [DONE]\n\n'), 'ends with [DONE]');
  const { events } = parseStream(text);
  const answer = ANSWERS.table;
  assert.equal(events.length, answer.tokens.length + 3);
  events.forEach((e, i) => assert.equal(e.id, String(i), 'every event has its index as id'));
  assert.equal(events.at(-1).data, '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(typeof c.id, 'string');
    assert.equal(typeof c.created, 'number');
    assert.equal(c.model, 'mock-gpt');
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0].index, 0);
  }
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one completion id');
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks.at(-1).choices[0].delta, {});
  assert.deepEqual(tokenEvents(events).map((e) => JSON.parse(e.data).choices[0].delta.content), answer.tokens);
  assert.equal(content(events), answer.text);
});

test('stream_options.include_usage adds a usage chunk; max_tokens cuts with finish_reason length', async () => {
  const r = await chat('/v1/chat/completions?tps=0', { body: { stream_options: { include_usage: true }, max_tokens: 7 } });
  const { events } = parseStream((await readAll(r)).text);
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-1).usage.completion_tokens, 7);
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'length');
  assert.equal(content(events), ANSWERS.table.tokens.slice(0, 7).join(''));
});

test('stream: false answers one chat.completion JSON', async () => {
  const r = await chat('/v1/chat/completions', { stream: false, messages: [{ role: 'user', content: 'math' }] });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const body = await r.json();
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.choices[0].message.role, 'assistant');
  assert.equal(body.choices[0].message.content, ANSWERS.math.text);
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.equal(body.usage.completion_tokens, ANSWERS.math.tokens.length);
});

test('bad requests: invalid JSON, no messages, GET, unknown path, unknown scenario', async () => {
  const bad = await fetch(`${srv.origin}/v1/chat/completions`, { method: 'POST', body: '{nope', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.type, 'invalid_request_error');
  assert.equal((await chat('/v1/chat/completions', { messages: [] })).status, 400);
  assert.equal((await fetch(`${srv.origin}/v1/chat/completions`)).status, 405);
  assert.equal((await fetch(`${srv.origin}/nope`)).status, 404);
  assert.equal((await chat('/v1/chat/completions?scenario=explode')).status, 400);
});

// ---------------------------------------------------------------- resume

test('resume: Last-Event-ID N continues after token N, no text missing or repeated', async () => {
  const messages = [{ role: 'user', content: 'write some code' }];
  const full = parseStream((await readAll(await chat('/v1/chat/completions?tps=0', { messages }))).text).events;
  const expected = ANSWERS.code.text;
  assert.equal(content(full), expected);
  for (const n of [0, 1, 17, 200, ANSWERS.code.tokens.length - 1, ANSWERS.code.tokens.length]) {
    const r = await chat('/v1/chat/completions?tps=0', { messages, headers: { 'Last-Event-ID': String(n) } });
    assert.equal(r.status, 200);
    const rest = parseStream((await readAll(r)).text).events;
    assert.equal(rest[0].id, String(n + 1), `resumes at ${n + 1}`);
    assert.equal(rest.at(-1).data, '[DONE]');
    assert.equal(content(full.slice(0, n + 1)) + content(rest), expected, `after ${n}`);
  }
  // Everything sent already: 204, so a client stops.
  const last = full.at(-1).id;
  assert.equal((await chat('/v1/chat/completions?tps=0', { messages, headers: { 'Last-Event-ID': last } })).status, 204);
});

// ---------------------------------------------------------------- scenarios

test('drop (header): the connection breaks after K tokens once per key; Last-Event-ID resumes exactly', async () => {
  const key = uniqueKey('drop');
  const messages = [{ role: 'user', content: 'explain the math' }];
  const headers = { 'X-Mock-Scenario': 'drop; after=12', 'X-Mock-Key': key };
  const first = await chat('/v1/chat/completions?tps=0', { messages, headers });
  assert.equal(first.status, 200);
  const broken = await readAll(first);
  assert.ok(broken.failed, 'the body read fails (no clean end)');
  const got = parseStream(broken.text).events;
  assert.equal(tokenEvents(got).length, 12);
  assert.ok(!broken.text.includes('[DONE]'));
  const lastId = got.at(-1).id;
  assert.equal(lastId, '12');
  const second = await chat('/v1/chat/completions?tps=0', { messages, headers: { ...headers, 'Last-Event-ID': lastId } });
  assert.equal(second.headers.get('x-attempt'), '2');
  const rest = await readAll(second);
  assert.equal(rest.failed, null);
  const restEvents = parseStream(rest.text).events;
  assert.equal(restEvents[0].id, '13');
  assert.equal(content(got) + content(restEvents), ANSWERS.math.text);
  // Once per key: a third request streams it all; another key drops again.
  const third = parseStream((await readAll(await chat('/v1/chat/completions?tps=0', { messages, headers }))).text).events;
  assert.equal(content(third), ANSWERS.math.text);
  const other = await readAll(await chat('/v1/chat/completions?tps=0', { messages, headers: { ...headers, 'X-Mock-Key': uniqueKey('drop') } }));
  assert.ok(other.failed);
});

test('drop (query), drops=3: three breaks, each resumed, the whole answer once', async () => {
  const key = uniqueKey('drop3');
  const path = `/v1/chat/completions?tps=0&scenario=drop&after=40&drops=3&key=${key}`;
  const messages = [{ role: 'user', content: 'a plan please' }];
  let text = '';
  let lastId;
  let breaks = 0;
  for (let i = 0; i < 10; i++) {
    const r = await chat(path, { messages, headers: lastId === undefined ? {} : { 'Last-Event-ID': lastId } });
    const { text: body, failed } = await readAll(r);
    const events = parseStream(body).events;
    text += content(events);
    lastId = events.at(-1)?.id ?? lastId;
    if (!failed) break;
    breaks++;
  }
  assert.equal(breaks, 3);
  assert.equal(text, ANSWERS.list.text);
});

test('429: the first attempt gets 429 with Retry-After: 1 and an OpenAI error, the next streams', async () => {
  const key = uniqueKey('429');
  const headers = { 'X-Mock-Scenario': '429', 'X-Mock-Key': key };
  const first = await chat('/v1/chat/completions?tps=0', { headers });
  assert.equal(first.status, 429);
  assert.equal(first.headers.get('retry-after'), '1');
  assert.equal(first.headers.get('access-control-allow-origin'), '*');
  assert.match(first.headers.get('access-control-expose-headers'), /Retry-After/);
  assert.equal((await first.json()).error.code, 'rate_limit_exceeded');
  const second = await chat('/v1/chat/completions?tps=0', { headers });
  assert.equal(second.status, 200);
  assert.equal(content(parseStream((await readAll(second)).text).events), ANSWERS.table.text);
  // By query too.
  assert.equal((await chat(`/v1/chat/completions?tps=0&scenario=429&key=${uniqueKey('429q')}`)).status, 429);
});

test('500: first attempt 500 then OK; always=1 keeps failing', async () => {
  const key = uniqueKey('500');
  const headers = { 'X-Mock-Scenario': '500', 'X-Mock-Key': key };
  const first = await chat('/v1/chat/completions?tps=0', { headers });
  assert.equal(first.status, 500);
  assert.equal((await first.json()).error.type, 'server_error');
  const second = await chat('/v1/chat/completions?tps=0', { headers });
  assert.equal(second.status, 200);
  await readAll(second);
  const always = `/v1/chat/completions?tps=0&scenario=500&always=1&key=${uniqueKey('500a')}`;
  for (let i = 0; i < 3; i++) {
    const r = await chat(always);
    assert.equal(r.status, 500);
    await r.arrayBuffer();
  }
  const stats = await (await fetch(`${srv.origin}/mock/stats?key=${encodeURIComponent(key)}`)).json();
  assert.equal(stats.attempts['500'], 2);
});

test('stall: some tokens, then nothing and no end; heartbeat=1 sends comments only; the next attempt streams', async () => {
  const tokensIn = (text) => tokenEvents(parseStream(text).events).length;
  const key = uniqueKey('stall');
  const headers = { 'X-Mock-Scenario': 'stall; after=5', 'X-Mock-Key': key };
  const stalled = await readUntil(await chat('/v1/chat/completions?tps=0', { headers }), (t) => tokensIn(t) >= 5);
  assert.equal(tokensIn(stalled.text), 5);
  assert.equal(stalled.ended, false, 'the connection stays open');
  // Whatever the stalled connection sends next is read, but must not come: the
  // heartbeat stream below, started after the stall, has to get there first.
  let afterStall = '';
  const decoder = new TextDecoder();
  const nextRead = stalled.reader.read().then(
    ({ done, value }) => (afterStall = done ? '(end)' : decoder.decode(value)),
    () => {},
  );

  const beat = await readUntil(
    await chat(`/v1/chat/completions?tps=0&scenario=stall&after=3&heartbeat=1&heartbeat_ms=50&key=${uniqueKey('stallhb')}`),
    (t) => tokensIn(t) >= 3 && parseStream(t).comments.length >= 2,
  );
  assert.equal(beat.ended, false, 'a stall with a heartbeat stays open too');
  const parsed = parseStream(beat.text);
  assert.equal(tokensIn(beat.text), 3, 'no token after the stall, only comments');
  assert.ok(parsed.comments.every((c) => c.startsWith(': keep-alive ')), parsed.comments.join('\n'));
  await beat.reader.cancel();

  assert.equal(afterStall, '', 'nothing at all on the stalled connection after its 5 tokens');
  await stalled.reader.cancel();
  await nextRead;
  const next = parseStream((await readAll(await chat('/v1/chat/completions?tps=0', { headers }))).text).events;
  assert.equal(content(next), ANSWERS.table.text);
});

test('/mock/stats counts the streams of a key still connected: 1 while one stalls, 0 once the client aborts', async () => {
  const key = uniqueKey('open');
  const openOf = async () => (await (await fetch(`${srv.origin}/mock/stats?key=${key}`)).json()).open;
  assert.equal(await openOf(), 0);
  const controller = new AbortController();
  const stalled = await chat('/v1/chat/completions?tps=0&scenario=stall&after=1', { headers: { 'X-Mock-Key': key }, signal: controller.signal });
  assert.equal(stalled.status, 200);
  assert.equal(await openOf(), 1);
  controller.abort();
  // The server sees the close a moment later: wait for it (the test's timeout bounds the wait).
  while ((await openOf()) !== 0) await new Promise((ok) => setTimeout(ok, 20));
  const done = await readAll(await chat('/v1/chat/completions?tps=0', { headers: { 'X-Mock-Key': key } }));
  assert.equal(content(parseStream(done.text).events), ANSWERS.table.text);
  assert.equal(await openOf(), 0, 'a stream that ended is not counted');
});

// ---------------------------------------------------------------- pace (CORS: at the end, and kit.test.mjs)

test('pace: tps=50 streams 50 tokens in about a second (a lower bound only); tps=0 streams it all', async () => {
  const started = performance.now();
  const r = await chat('/v1/chat/completions?tps=50&ttft=0', { body: { max_tokens: 51 } });
  const gaps = [];
  let lastAt;
  const reader = r.body.getReader();
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
    const now = performance.now();
    if (lastAt !== undefined) gaps.push(now - lastAt);
    lastAt = now;
  }
  const elapsed = performance.now() - started;
  // 50 gaps of 20 ms on average: nominal 1000 ms. Only a loose lower bound: an
  // upper bound on elapsed time fails on a loaded machine and proves nothing.
  assert.ok(elapsed >= 500, `took ${elapsed.toFixed(0)} ms, expected about 1000`);
  assert.ok(gaps.length >= 10, `tokens arrive spread out, not in one burst (${gaps.length} reads)`);

  const fast = await readAll(await chat('/v1/chat/completions?tps=0'));
  assert.equal(content(parseStream(fast.text).events), ANSWERS.table.text, 'tps=0 streams the whole answer');
});

// ---------------------------------------------------------------- process, static

test('the process: exactly one READY line; exits when stdin closes and on SIGTERM, with a stalled stream open', async () => {
  const stall = (origin, after) =>
    fetch(`${origin}/v1/chat/completions?tps=0&scenario=stall&after=${after}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
  for (const stop of ['stdin', 'SIGTERM']) {
    const server = await spawnServer();
    // A stalled stream open must not keep it alive.
    const stalled = await stall(server.origin, stop === 'stdin' ? 1 : 2);
    assert.equal(stalled.status, 200);
    if (stop === 'stdin') server.child.stdin.end();
    else server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null }, stop);
    // All it ever printed on stdout, now that it is gone: the one line.
    assert.equal(server.stdout(), `READY ${server.port}\n`, stop);
    await stalled.body.cancel().catch(() => {});
  }
});

test('startServer in-process serves static mounts (no path traversal) beside the API', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mock-llm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'site'));
  await mkdir(join(dir, 'pkg'));
  await writeFile(join(dir, 'site', 'index.html'), '<h1>hi</h1>');
  await writeFile(join(dir, 'pkg', 'm.wasm'), Buffer.from([0, 97, 115, 109]));
  await writeFile(join(dir, 'secret.txt'), 'no');
  const server = await startServer({ port: 0, tps: 0, static: { '/': join(dir, 'site'), '/pkg': join(dir, 'pkg') } });
  t.after(() => server.close());
  const index = await fetch(`${server.origin}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  assert.equal(await index.text(), '<h1>hi</h1>');
  const wasm = await fetch(`${server.origin}/pkg/m.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal((await wasm.arrayBuffer()).byteLength, 4);
  assert.equal((await fetch(`${server.origin}/pkg`, { redirect: 'manual' })).status, 301);
  assert.notEqual((await fetch(`${server.origin}/%2e%2e/secret.txt`)).status, 200);
  assert.notEqual((await fetch(`${server.origin}/pkg/..%2f..%2fsecret.txt`)).status, 200);
  assert.equal((await fetch(`${server.origin}/missing.js`)).status, 404);
  // The API still wins over the "/" mount.
  assert.equal((await fetch(`${server.origin}/healthz`)).status, 200);
  const r = await fetch(`${server.origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'emoji' }] }),
  });
  assert.equal(content(parseStream((await readAll(r)).text).events), ANSWERS.emoji.text);
});

// ================================================================ wire formats
// Against a server started in-process (port 0, tps 0). Each format's stream is
// read with the tiny parser above, checked against the facts of
// /work/shared/WIRE-NOTES.md, and reduced by a small reference client below;
// what that client ends with must equal /mock/expect, the server's own truth.

let api;
before(async () => {
  api = await startServer({ port: 0, tps: 0 });
});
after(() => api?.close());

const PATH = { chat: '/v1/chat/completions', anthropic: '/v1/messages', responses: '/v1/responses', 'ai-sdk': '/api/chat' };
const FORMAT_NAMES = Object.keys(PATH);

/** The request body each format's clients send for one user prompt. */
function bodyFor(format, prompt, extra = {}) {
  if (format === 'responses') return { model: 'mock-gpt', stream: true, input: prompt, ...extra };
  if (format === 'ai-sdk') return { id: 'chat-1', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: prompt }] }], trigger: 'submit-message', ...extra };
  if (format === 'anthropic') return { model: 'mock-gpt', stream: true, max_tokens: 4096, messages: [{ role: 'user', content: prompt }], ...extra };
  return { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: prompt }], ...extra };
}

const post = (path, body, headers = {}) =>
  fetch(`${api.origin}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Streams one request: { response, text, failed, events }. */
async function streamOf(path, body, headers) {
  const response = await post(path, body, headers);
  const { text, failed } = await readAll(response);
  return { response, text, failed, events: parseStream(text).events };
}

/** /mock/expect for the same query and body. */
async function expectOf(format, query, body, headers = {}) {
  const r = await post(`/mock/expect?format=${format}${query ? `&${query}` : ''}`, body, headers);
  assert.equal(r.status, 200);
  return r.json();
}

const withQuery = (format, query) => `${PATH[format]}${query ? `?${query}` : ''}`;
const TRUTH = ['text', 'reasoning', 'toolCalls', 'finishReason', 'usage'];
const pick = (value, keys = TRUTH) => Object.fromEntries(keys.map((k) => [k, value[k]]));

// ---------------------------------------------------------------- reference clients
// Each returns { text, reasoning, toolCalls: [{ id, name, arguments, input, pieces }],
// finishReason, usage, error, tokens (deltas that carried model output), ended }.

function reduceChat(events, { think = false } = {}) {
  let text = '';
  let reasoning = '';
  let finishReason = null;
  let usage = null;
  let error = null;
  let ended = false;
  let tokens = 0;
  const calls = [];
  for (const e of events) {
    if (e.data === '[DONE]') {
      ended = true;
      continue;
    }
    const chunk = JSON.parse(e.data);
    if (chunk.error) {
      error = chunk.error;
      continue;
    }
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const d = choice.delta;
      // `"content": null` is "no text here", never the text "null".
      if (typeof d.content === 'string' && d.content) (text += d.content), tokens++;
      for (const field of ['reasoning_content', 'reasoning']) if (typeof d[field] === 'string' && d[field]) (reasoning += d[field]), tokens++;
      for (const tc of d.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { id: null, name: '', arguments: '', pieces: [] });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name = tc.function.name;
        if (tc.function?.arguments) (call.arguments += tc.function.arguments), call.pieces.push(tc.function.arguments), tokens++;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  if (think) {
    const m = /^<think>\n([\s\S]*?)\n<\/think>\n\n/.exec(text);
    assert.ok(m, 'a <think> block opens the content');
    reasoning = m[1];
    text = text.slice(m[0].length);
  }
  return { text, reasoning, toolCalls: calls.map(withInput), finishReason, usage, error, tokens, ended };
}

function withInput(call) {
  let input = null;
  try {
    input = JSON.parse(call.arguments);
  } catch {}
  return { id: call.id, name: call.name, arguments: call.arguments, input, pieces: call.pieces };
}

function reduceAnthropic(events) {
  const blocks = [];
  let finishReason = null;
  let error = null;
  let ended = false;
  let tokens = 0;
  const usage = {};
  for (const e of events) {
    const d = JSON.parse(e.data);
    assert.equal(e.event, d.type, 'the event name is the data type');
    // A client merges message_start's usage with message_delta's.
    if (d.type === 'message_start') Object.assign(usage, d.message.usage);
    else if (d.type === 'content_block_start') blocks[d.index] = { ...d.content_block, text: d.content_block.text ?? '', thinking: d.content_block.thinking ?? '', json: '', pieces: [] };
    else if (d.type === 'content_block_delta') {
      const b = blocks[d.index];
      const x = d.delta;
      if (x.type === 'text_delta') (b.text += x.text), tokens++;
      else if (x.type === 'thinking_delta') (b.thinking += x.thinking), tokens++;
      else if (x.type === 'signature_delta') b.signature = x.signature;
      else if (x.type === 'input_json_delta' && x.partial_json) (b.json += x.partial_json), b.pieces.push(x.partial_json), tokens++;
    } else if (d.type === 'message_delta') {
      finishReason = d.delta.stop_reason;
      Object.assign(usage, d.usage);
    } else if (d.type === 'message_stop') ended = true;
    else if (d.type === 'error') error = d.error;
  }
  const of = (type) => blocks.filter((b) => b?.type === type);
  return {
    text: of('text').map((b) => b.text).join(''),
    reasoning: of('thinking').map((b) => b.thinking).join(''),
    toolCalls: of('tool_use').map((b) => withInput({ id: b.id, name: b.name, arguments: b.json, pieces: b.pieces })),
    finishReason,
    usage,
    error,
    tokens,
    ended,
    blocks,
  };
}

function reduceResponses(events) {
  let text = '';
  let reasoning = '';
  let finishReason = null;
  let usage = null;
  let error = null;
  let tokens = 0;
  const calls = new Map(); // item id -> call
  for (const e of events) {
    const d = JSON.parse(e.data);
    assert.equal(e.event, d.type, 'the event name is the data type');
    if (d.type === 'response.output_item.added' && d.item.type === 'function_call') calls.set(d.item.id, { id: d.item.call_id, name: d.item.name, arguments: '', pieces: [], at: d.output_index });
    else if (d.type === 'response.output_text.delta') (text += d.delta), tokens++;
    else if (d.type === 'response.reasoning_summary_text.delta') (reasoning += d.delta), tokens++;
    else if (d.type === 'response.function_call_arguments.delta') {
      const call = calls.get(d.item_id);
      call.arguments += d.delta;
      call.pieces.push(d.delta);
      tokens++;
    } else if (['response.completed', 'response.incomplete', 'response.failed'].includes(d.type)) {
      finishReason = d.response.status;
      usage = d.response.usage;
      if (d.response.error) error = d.response.error;
    } else if (d.type === 'error') error = { code: d.code, message: d.message };
  }
  const toolCalls = [...calls.values()].sort((a, b) => a.at - b.at).map(withInput);
  return { text, reasoning, toolCalls, finishReason, usage, error, tokens, ended: finishReason !== null };
}

function reduceAiSdk(events) {
  let text = '';
  let reasoning = '';
  let finishReason = null;
  let error = null;
  let ended = false;
  let tokens = 0;
  const calls = new Map();
  for (const e of events) {
    if (e.data === '[DONE]') {
      ended = true;
      continue;
    }
    const d = JSON.parse(e.data);
    if (d.type === 'text-delta') (text += d.delta), tokens++;
    else if (d.type === 'reasoning-delta') (reasoning += d.delta), tokens++;
    else if (d.type === 'tool-input-start') calls.set(d.toolCallId, { id: d.toolCallId, name: d.toolName, arguments: '', pieces: [] });
    else if (d.type === 'tool-input-delta') {
      const call = calls.get(d.toolCallId);
      call.arguments += d.inputTextDelta;
      call.pieces.push(d.inputTextDelta);
      tokens++;
    } else if (d.type === 'tool-input-available') calls.get(d.toolCallId).available = d.input;
    else if (d.type === 'finish') finishReason = d.finishReason;
    else if (d.type === 'error') error = { errorText: d.errorText };
  }
  const toolCalls = [...calls.values()].map((c) => {
    const call = withInput(c);
    if ('available' in c || ended) assert.deepEqual(c.available, call.input, 'tool-input-available carries the parsed arguments');
    return call;
  });
  return { text, reasoning, toolCalls, finishReason, usage: null, error, tokens, ended };
}

const REDUCE = { chat: reduceChat, anthropic: reduceAnthropic, responses: reduceResponses, 'ai-sdk': reduceAiSdk };

/** The reduced result without the test-only fields, to compare with /mock/expect. */
const truth = (got) => ({ ...pick(got), toolCalls: got.toolCalls.map(({ id, name, arguments: args, input }) => ({ id, name, arguments: args, input })) });

/** Argument pieces: many, 1-12 code points, one cut inside an escape, valid JSON only once complete. */
function assertArgumentPieces(call) {
  assert.ok(call.pieces.length >= 20, `arguments in many pieces (${call.pieces.length})`);
  for (const p of call.pieces) assert.ok([...p].length >= 1 && [...p].length <= 12, `piece ${JSON.stringify(p)} has 1-12 code points`);
  assert.ok(call.pieces.some((p) => p.endsWith('\\')), 'a piece ends inside an escape');
  let sofar = '';
  call.pieces.forEach((p, i) => {
    sofar += p;
    let valid = true;
    try {
      JSON.parse(sofar);
    } catch {
      valid = false;
    }
    assert.equal(valid, i === call.pieces.length - 1, `valid JSON only at the end (piece ${i})`);
  });
  const bytes = Buffer.byteLength(call.arguments);
  assert.ok(bytes >= 300 && bytes <= 600, `arguments are ${bytes} bytes`);
}

// ---------------------------------------------------------------- answers, requests

test('the tool-call turn: a short text, then get_weather with ~400 bytes of tricky JSON', () => {
  const turn = pickAnswer([{ role: 'user', content: 'What is the weather like?' }], undefined, { tools: true });
  assert.equal(turn.name, 'weather');
  assert.equal(turn.text, 'Let me check the weather in Paris.');
  assert.equal(turn.calls.length, 1);
  const args = JSON.parse(turn.calls[0].arguments);
  assert.equal(args.city, 'Paris');
  assert.match(turn.calls[0].arguments, /\\"/, 'an escaped quote');
  assert.match(args.note, /é/);
  assert.match(args.note, /👍/);
  assert.equal(pickAnswer([{ role: 'user', content: 'What is the weather like?' }]).name === 'weather', false, 'no tools offered: an ordinary answer');
  assert.equal(pickAnswer([{ role: 'user', content: 'hi' }], 'weather').name, 'weather');
  assert.equal(pickAnswer([{ role: 'user', content: 'hi' }], undefined, { calls: 2 }).calls.length, 2);
  for (const a of Object.values(ANSWERS)) assert.equal(a.reasoning.tokens.join(''), a.reasoning.text);
});

test('lastUserText reads AI SDK parts as well as content strings and content parts', () => {
  const ask = (messages) => pickAnswer(messages).name;
  assert.equal(ask([{ id: 'a', role: 'user', parts: [{ type: 'text', text: 'show me a ' }, { type: 'file', url: 'x' }, { type: 'text', text: 'table' }] }]), 'table');
  assert.equal(ask([{ role: 'user', content: [{ type: 'input_text', text: 'write code' }] }]), 'code');
  assert.equal(ask([{ role: 'user', content: 'explain the math' }]), 'math');
});

test('/mock/expect: the plain answer on the chat path by default; usage only where the stream has it; errors', async () => {
  const body = bodyFor('chat', 'Show me a table');
  const e = await expectOf('chat', '', body);
  assert.deepEqual(pick(e), { text: ANSWERS.table.text, reasoning: '', toolCalls: [], finishReason: 'stop', usage: null });
  const withUsage = await expectOf('chat', '', { ...body, stream_options: { include_usage: true } });
  assert.equal(withUsage.usage.completion_tokens, ANSWERS.table.tokens.length);
  assert.equal((await expectOf('anthropic', '', bodyFor('anthropic', 'Show me a table'))).finishReason, 'end_turn');
  assert.equal((await expectOf('responses', '', bodyFor('responses', 'Show me a table'))).finishReason, 'completed');
  assert.equal((await expectOf('ai-sdk', '', bodyFor('ai-sdk', 'Show me a table'))).usage, null);
  // The path works as the format too.
  assert.equal((await post('/mock/expect?format=/v1/messages', body)).status, 200);
  assert.equal((await post('/mock/expect?format=nope', body)).status, 400);
  assert.equal((await post('/mock/expect', { messages: [] })).status, 400);
});

// ---------------------------------------------------------------- OpenAI chat completions

test('chat: reasoning_content chunks with "content": null, then text, then tool_calls fragments, finish tool_calls, usage last', async () => {
  const body = bodyFor('chat', 'What is the weather in Paris?', { reasoning_effort: 'low', tools: [{ type: 'function', function: { name: 'get_weather' } }], stream_options: { include_usage: true } });
  const { response, text, failed, events } = await streamOf(PATH.chat, body);
  assert.equal(failed, null);
  assert.equal(response.headers.get('x-mock-answer'), 'weather');
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
  // "usage": null on every chunk but the last, which has "choices": [] and the usage.
  for (const c of chunks.slice(0, -1)) assert.ok('usage' in c && c.usage === null, 'usage: null');
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  const deltas = chunks.slice(0, -1).map((c) => c.choices[0].delta);
  const reasoningDeltas = deltas.filter((d) => typeof d.reasoning_content === 'string');
  assert.ok(reasoningDeltas.length > 10);
  for (const d of reasoningDeltas) {
    assert.ok('content' in d && d.content === null, 'reasoning chunks carry "content": null');
    assert.ok('tool_calls' in d && d.tool_calls === null, 'and "tool_calls": null');
  }
  const textDeltas = deltas.filter((d) => typeof d.content === 'string' && d.content);
  for (const d of textDeltas) assert.ok(d.reasoning_content === null && d.tool_calls === null, 'text chunks carry the other fields as null');
  const toolDeltas = deltas.filter((d) => Array.isArray(d.tool_calls));
  const [first, ...rest] = toolDeltas;
  assert.deepEqual(Object.keys(first.tool_calls[0]).sort(), ['function', 'id', 'index', 'type']);
  assert.equal(first.tool_calls[0].type, 'function');
  assert.equal(first.tool_calls[0].function.arguments, '');
  assert.match(first.tool_calls[0].id, /^call_/);
  for (const d of toolDeltas) assert.ok('content' in d && d.content === null, 'tool-call chunks carry "content": null');
  for (const d of rest) {
    assert.deepEqual(Object.keys(d.tool_calls[0]).sort(), ['function', 'index'], 'a continuation has index and function.arguments only');
    assert.deepEqual(Object.keys(d.tool_calls[0].function), ['arguments']);
  }
  // Order: reasoning, then text, then the call.
  const firstText = deltas.findIndex((d) => typeof d.content === 'string' && d.content);
  assert.ok(deltas.findLastIndex((d) => typeof d.reasoning_content === 'string') < firstText);
  assert.ok(firstText < deltas.findIndex((d) => Array.isArray(d.tool_calls)));
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'tool_calls');

  const got = reduceChat(events);
  const expected = await expectOf('chat', '', body);
  assert.deepEqual(truth(got), pick(expected));
  assert.equal(got.toolCalls.length, 1);
  assertArgumentPieces(got.toolCalls[0]);
  assert.ok(last.usage.completion_tokens_details.reasoning_tokens > 0, 'usage counts the reasoning tokens');
  assert.equal(last.usage.prompt_tokens_details, null);
});

test('chat: reasoning_as=reasoning sends delta.reasoning (Ollama, OpenRouter)', async () => {
  const body = bodyFor('chat', 'explain the math');
  const { events } = await streamOf(`${PATH.chat}?reasoning=1&reasoning_as=reasoning`, body);
  const deltas = events.slice(0, -1).map((e) => JSON.parse(e.data).choices[0].delta);
  assert.ok(deltas.some((d) => typeof d.reasoning === 'string' && d.content === null));
  assert.ok(deltas.every((d) => !('reasoning_content' in d)));
  const got = reduceChat(events);
  assert.equal(got.reasoning, ANSWERS.math.reasoning.text);
  assert.deepEqual(truth(got), pick(await expectOf('chat', 'reasoning=1&reasoning_as=reasoning', body)));
});

test('chat: reasoning_as=think puts a <think> block in content, tags split across tokens, Go-escaped like Ollama', async () => {
  const body = bodyFor('chat', 'explain the math');
  const { text, events } = await streamOf(`${PATH.chat}?reasoning_as=think`, body);
  assert.ok(text.includes('\\u003cth'), 'the raw data has <, > escaped as Go writes them');
  const contents = events.slice(0, -1).map((e) => JSON.parse(e.data).choices[0].delta.content ?? '');
  assert.ok(!contents.includes('<think>') && !contents.some((c) => c.includes('</think>')), 'no token holds a whole tag');
  assert.ok(contents.join('').startsWith('<think>\n'));
  const got = reduceChat(events, { think: true });
  assert.deepEqual(truth(got), pick(await expectOf('chat', 'reasoning_as=think', body)));
  assert.equal(got.text, ANSWERS.math.text);
  assert.equal(got.reasoning, ANSWERS.math.reasoning.text);
});

test('chat: tools=2 streams two calls whose fragments interleave by index', async () => {
  const body = bodyFor('chat', 'hi');
  const { events } = await streamOf(`${PATH.chat}?tools=2&ids=0`, body);
  const indices = events
    .slice(0, -1)
    .flatMap((e) => JSON.parse(e.data).choices[0]?.delta?.tool_calls ?? [])
    .map((t) => t.index);
  const switches = indices.slice(1).filter((j, i) => j !== indices[i]).length;
  assert.ok(switches > 10, `indices 0 and 1 interleave (${switches} switches)`);
  const got = reduceChat(events);
  assert.deepEqual(got.toolCalls.map((c) => c.input.city), ['Paris', 'Tokyo']);
  got.toolCalls.forEach(assertArgumentPieces);
  assert.deepEqual(truth(got), pick(await expectOf('chat', 'tools=2&ids=0', body)));
});

test('chat: ids=0 and X-Mock-Ids: 0 send no id: fields; the default keeps them', async () => {
  const body = bodyFor('chat', 'Show me a table');
  for (const [query, headers] of [['ids=0', {}], ['', { 'X-Mock-Ids': '0' }]]) {
    const { text, events } = await streamOf(withQuery('chat', query), body, headers);
    assert.ok(!/^id:/m.test(text), `no id: lines (${query || 'header'})`);
    assert.equal(reduceChat(events).text, ANSWERS.table.text);
  }
  assert.match((await streamOf(PATH.chat, body)).text, /^id: 0$/m);
});

// ---------------------------------------------------------------- Anthropic Messages

test('anthropic: named events with their type in data, one ping, thinking + signature, text, tool_use with input_json_delta', async () => {
  const body = bodyFor('anthropic', 'Will it rain? Check the weather forecast.', { thinking: { type: 'enabled', budget_tokens: 2048 }, tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
  const { response, text, failed, events } = await streamOf(PATH.anthropic, body);
  assert.equal(failed, null);
  assert.match(response.headers.get('content-type'), /^text\/event-stream/);
  assert.ok(!/^id:/m.test(text), 'no id: fields');
  assert.ok(!text.includes('[DONE]'));
  const types = events.map((e) => e.event);
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  assert.equal(types.at(-2), 'message_delta');
  assert.equal(types.filter((t) => t === 'ping').length, 1);
  assert.ok(types.indexOf('ping') <= 3, 'the ping comes near the start');
  const start = JSON.parse(events[0].data).message;
  assert.equal(typeof start.usage.input_tokens, 'number');
  const got = reduceAnthropic(events);
  assert.deepEqual(got.blocks.map((b) => b.type), ['thinking', 'text', 'tool_use']);
  assert.ok(got.blocks[0].signature, 'a signature_delta closes the thinking block');
  const datas = events.map((e) => JSON.parse(e.data));
  const toolStart = datas.find((d) => d.type === 'content_block_start' && d.content_block.type === 'tool_use');
  assert.deepEqual(Object.keys(toolStart.content_block), ['type', 'id', 'name', 'input']);
  assert.deepEqual(toolStart.content_block.input, {});
  assert.match(toolStart.content_block.id, /^toolu_/);
  for (const d of datas.filter((d) => d.type.startsWith('content_block'))) assert.equal(typeof d.index, 'number');
  const sigAt = datas.findIndex((d) => d.delta?.type === 'signature_delta');
  assert.equal(datas[sigAt + 1].type, 'content_block_stop');
  assert.equal(datas.at(-2).delta.stop_reason, 'tool_use');
  assert.deepEqual(truth(got), pick(await expectOf('anthropic', '', body)));
  assertArgumentPieces(got.toolCalls[0]);
});

test('anthropic: a plain answer ends with end_turn; max_tokens cuts with max_tokens; stream: false gives one message', async () => {
  const body = bodyFor('anthropic', 'write some code');
  const got = reduceAnthropic((await streamOf(PATH.anthropic, body)).events);
  assert.equal(got.text, ANSWERS.code.text);
  assert.equal(got.reasoning, '');
  assert.deepEqual(truth(got), pick(await expectOf('anthropic', '', body)));
  const short = { ...body, max_tokens: 9 };
  const cut = reduceAnthropic((await streamOf(PATH.anthropic, short)).events);
  assert.equal(cut.finishReason, 'max_tokens');
  assert.equal(cut.text, ANSWERS.code.tokens.slice(0, 9).join(''));
  assert.deepEqual(truth(cut), pick(await expectOf('anthropic', '', short)));
  const whole = await (await post(PATH.anthropic, { ...body, stream: false })).json();
  assert.equal(whole.type, 'message');
  assert.equal(whole.content[0].text, ANSWERS.code.text);
  assert.equal(whole.stop_reason, 'end_turn');
});

// ---------------------------------------------------------------- OpenAI Responses

test('responses: event + type + sequence_number, reasoning summary, message text, function_call arguments, completed with usage', async () => {
  const body = bodyFor('responses', 'forecast for Paris please', { reasoning: { effort: 'low', summary: 'auto' }, tools: [{ type: 'function', name: 'get_weather' }] });
  const { text, failed, events } = await streamOf(PATH.responses, body);
  assert.equal(failed, null);
  assert.ok(!/^id:/m.test(text), 'no id: fields');
  assert.ok(!text.includes('[DONE]'));
  const datas = events.map((e) => JSON.parse(e.data));
  datas.forEach((d, i) => assert.equal(d.sequence_number, i, 'sequence numbers count up from 0'));
  assert.equal(datas[0].type, 'response.created');
  assert.equal(datas.at(-1).type, 'response.completed');
  const added = datas.filter((d) => d.type === 'response.output_item.added').map((d) => d.item);
  assert.deepEqual(added.map((i) => i.type), ['reasoning', 'message', 'function_call']);
  assert.match(added[2].call_id, /^call_/);
  assert.equal(added[2].name, 'get_weather');
  for (const d of datas.filter((d) => d.type === 'response.output_text.delta')) assert.ok('item_id' in d && 'output_index' in d && 'content_index' in d && typeof d.delta === 'string');
  for (const d of datas.filter((d) => d.type === 'response.reasoning_summary_text.delta')) assert.ok('item_id' in d && 'output_index' in d && 'summary_index' in d);
  for (const d of datas.filter((d) => d.type.startsWith('response.function_call_arguments'))) assert.ok('item_id' in d && 'output_index' in d);
  assert.equal(datas.filter((d) => d.type === 'response.function_call_arguments.done').length, 1);
  const done = datas.at(-1).response;
  assert.equal(done.status, 'completed');
  assert.deepEqual(Object.keys(done.usage).sort(), ['input_tokens', 'input_tokens_details', 'output_tokens', 'output_tokens_details', 'total_tokens']);
  assert.ok(done.usage.output_tokens_details.reasoning_tokens > 0);
  const got = reduceResponses(events);
  assert.deepEqual(truth(got), pick(await expectOf('responses', '', body)));
  assertArgumentPieces(got.toolCalls[0]);
});

test('responses: tools=2 gives two function_call items in turn; a plain answer needs no reasoning', async () => {
  const body = bodyFor('responses', 'hello in many languages');
  const plain = reduceResponses((await streamOf(PATH.responses, body)).events);
  assert.equal(plain.text, ANSWERS.emoji.text);
  assert.equal(plain.reasoning, '');
  const two = reduceResponses((await streamOf(`${PATH.responses}?tools=2`, body)).events);
  assert.equal(two.toolCalls.length, 2);
  assert.deepEqual(truth(two), pick(await expectOf('responses', 'tools=2', body)));
});

// ---------------------------------------------------------------- Vercel AI SDK UI message stream

test('ai-sdk: the UI message stream headers, data-only JSON lines, parts in order, tool input, finish tool-calls, [DONE]', async () => {
  const body = bodyFor('ai-sdk', "What's the weather forecast?", { tools: [{ name: 'get_weather' }] });
  const { response, text, failed, events } = await streamOf(`${PATH['ai-sdk']}?reasoning=1`, body);
  assert.equal(failed, null);
  assert.equal(response.headers.get('x-vercel-ai-ui-message-stream'), 'v1');
  assert.equal(response.headers.get('x-accel-buffering'), 'no');
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  for (const line of text.split('\n').filter(Boolean)) assert.ok(line.startsWith('data: '), `only data: lines (${line.slice(0, 30)})`);
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const types = events.slice(0, -1).map((e) => JSON.parse(e.data).type);
  const once = [...new Set(types)];
  assert.deepEqual(once, ['start', 'start-step', 'reasoning-start', 'reasoning-delta', 'reasoning-end', 'text-start', 'text-delta', 'tool-input-start', 'tool-input-delta', 'tool-input-available', 'text-end', 'finish-step', 'finish']);
  const datas = events.slice(0, -1).map((e) => JSON.parse(e.data));
  for (const d of datas.filter((d) => d.type.startsWith('text-'))) assert.equal(typeof d.id, 'string');
  const startTool = datas.find((d) => d.type === 'tool-input-start');
  assert.ok(startTool.toolCallId && startTool.toolName === 'get_weather');
  assert.equal(datas.at(-1).finishReason, 'tool-calls');
  const got = reduceAiSdk(events);
  assert.deepEqual(truth(got), pick(await expectOf('ai-sdk', 'reasoning=1', body)));
  assertArgumentPieces(got.toolCalls[0]);
});

test('ai-sdk: {messages: [{role, content}]} works too; a plain answer finishes with stop', async () => {
  const body = { messages: [{ role: 'user', content: 'make a plan' }] };
  const got = reduceAiSdk((await streamOf(PATH['ai-sdk'], body)).events);
  assert.equal(got.text, ANSWERS.list.text);
  assert.equal(got.finishReason, 'stop');
  assert.deepEqual(truth(got), pick(await expectOf('ai-sdk', '', body)));
});

// ---------------------------------------------------------------- faults on every path

for (const format of FORMAT_NAMES) {
  test(`${format}: drop after K tokens (reasoning, text and tool pieces together); attempt 2 without Last-Event-ID restarts from the start`, async () => {
    const key = uniqueKey(`nodrop-${format}`);
    const query = `scenario=drop&after=70&key=${key}&reasoning=1&tools=1${format === 'chat' ? '&ids=0' : ''}`;
    const body = bodyFor(format, 'anything');
    const expected = await expectOf(format, query, body);
    const first = await streamOf(withQuery(format, query), body);
    assert.equal(first.response.headers.get('x-attempt'), '1');
    assert.ok(first.failed, 'the connection breaks');
    assert.ok(!/^id:/m.test(first.text), 'no id: fields');
    const partial = REDUCE[format](first.events);
    assert.equal(partial.tokens, 70, 'exactly K tokens arrived');
    assert.equal(partial.ended, false);
    assert.deepEqual(
      { text: partial.text, reasoning: partial.reasoning, args: partial.toolCalls.map((c) => c.arguments) },
      { text: expected.fault.text, reasoning: expected.fault.reasoning, args: expected.fault.toolCalls.map((c) => c.arguments) },
      'the broken attempt carried what /mock/expect says',
    );
    const second = await streamOf(withQuery(format, query), body);
    assert.equal(second.response.headers.get('x-attempt'), '2');
    assert.equal(second.failed, null);
    const firstEvent = { chat: (d) => JSON.parse(d).choices[0].delta.role === 'assistant', anthropic: (d) => JSON.parse(d).type === 'message_start', responses: (d) => JSON.parse(d).type === 'response.created', 'ai-sdk': (d) => JSON.parse(d).type === 'start' };
    assert.ok(firstEvent[format](second.events[0].data), 'attempt 2 starts from the start');
    const whole = REDUCE[format](second.events);
    assert.deepEqual(truth(whole), pick(expected), 'attempt 2 alone is the whole answer');
    assert.ok(whole.text.startsWith(partial.text) && whole.reasoning.startsWith(partial.reasoning), 'attempt 1 was a prefix of it');
  });
}

test('stream-error, chat: LiteLLM style {"error": {…, "code": "500"}} then [DONE] and a clean end; the next attempt streams it all', async () => {
  const key = uniqueKey('serr-chat');
  const query = `scenario=stream-error&after=15&key=${key}&ids=0`;
  const body = bodyFor('chat', 'Show me a table');
  const expected = await expectOf('chat', query, body);
  const { failed, text, events } = await streamOf(withQuery('chat', query), body);
  assert.equal(failed, null, 'a clean end, not a drop');
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const error = JSON.parse(events.at(-2).data);
  assert.deepEqual(Object.keys(error), ['error']);
  assert.equal(error.error.type, 'internal_server_error');
  assert.equal(error.error.code, '500', 'code is a string');
  const got = reduceChat(events);
  assert.equal(got.tokens, 15);
  assert.equal(got.finishReason, null, 'no finish_reason reaches the client');
  assert.equal(got.text, expected.fault.text);
  assert.deepEqual(got.error, expected.fault.error);
  const next = await streamOf(withQuery('chat', query), body);
  assert.equal(next.response.headers.get('x-attempt'), '2');
  assert.deepEqual(truth(reduceChat(next.events)), pick(expected));
});

test('stream-error, anthropic: event: error with overloaded_error, no message_stop', async () => {
  const query = `scenario=stream-error&after=12&key=${uniqueKey('serr-anthropic')}`;
  const body = bodyFor('anthropic', 'Show me a table');
  const expected = await expectOf('anthropic', query, body);
  const { failed, events } = await streamOf(withQuery('anthropic', query), body);
  assert.equal(failed, null);
  assert.equal(events.at(-1).event, 'error');
  assert.deepEqual(JSON.parse(events.at(-1).data), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  const got = reduceAnthropic(events);
  assert.equal(got.ended, false);
  assert.equal(got.tokens, 12);
  assert.equal(got.text, expected.fault.text);
  assert.deepEqual(got.error, expected.fault.error);
});

test('stream-error, responses: event: error (server_error) then response.failed, sequence numbers going on', async () => {
  const query = `scenario=stream-error&after=12&key=${uniqueKey('serr-responses')}`;
  const body = bodyFor('responses', 'Show me a table');
  const expected = await expectOf('responses', query, body);
  const { failed, events } = await streamOf(withQuery('responses', query), body);
  assert.equal(failed, null);
  const datas = events.map((e) => JSON.parse(e.data));
  datas.forEach((d, i) => assert.equal(d.sequence_number, i));
  assert.deepEqual(events.slice(-2).map((e) => e.event), ['error', 'response.failed']);
  assert.equal(datas.at(-2).code, 'server_error');
  assert.equal(datas.at(-1).response.status, 'failed');
  const got = reduceResponses(events);
  assert.equal(got.finishReason, 'failed');
  assert.equal(got.tokens, 12);
  assert.equal(got.text, expected.fault.text);
  assert.equal(expected.fault.finishReason, 'failed');
});

test('stream-error, ai-sdk: the masked error part, then finish-step, finish with finishReason error, [DONE]', async () => {
  const query = `scenario=stream-error&after=12&key=${uniqueKey('serr-ai')}`;
  const body = bodyFor('ai-sdk', 'Show me a table');
  const expected = await expectOf('ai-sdk', query, body);
  const { failed, events } = await streamOf(withQuery('ai-sdk', query), body);
  assert.equal(failed, null);
  assert.deepEqual(
    events.slice(-4).map((e) => e.data),
    ['{"type":"error","errorText":"An error occurred."}', '{"type":"finish-step"}', '{"type":"finish","finishReason":"error"}', '[DONE]'],
  );
  const got = reduceAiSdk(events);
  assert.equal(got.tokens, 12);
  assert.equal(got.text, expected.fault.text);
  assert.equal(got.finishReason, expected.fault.finishReason);
});

test('429 and 500 on the other paths answer in the provider shape; the next attempt streams', async () => {
  const key = uniqueKey('429-anthropic');
  const r = await post(`${PATH.anthropic}?scenario=429&key=${key}`, bodyFor('anthropic', 'hi'));
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '1');
  const err = await r.json();
  assert.equal(err.type, 'error');
  assert.equal(err.error.type, 'rate_limit_error');
  const next = await streamOf(`${PATH.anthropic}?scenario=429&key=${key}`, bodyFor('anthropic', 'hi'));
  assert.equal(next.response.status, 200);
  for (const format of ['responses', 'ai-sdk']) {
    const r5 = await post(`${PATH[format]}?scenario=500&key=${uniqueKey(`500-${format}`)}`, bodyFor(format, 'hi'));
    assert.equal(r5.status, 500);
    assert.equal((await r5.json()).error.type, 'server_error');
  }
});

test('CORS: the preflight allows Last-Event-ID and X-Mock-Ids on every path; X-Attempt stays exposed', async () => {
  for (const path of Object.values(PATH)) {
    const requested = 'content-type, last-event-id, x-mock-ids, x-mock-key, x-mock-scenario';
    const r = await fetch(`${api.origin}${path}`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': requested } });
    assert.equal(r.status, 204);
    const allowed = r.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
    for (const h of ['last-event-id', 'x-mock-ids', 'x-mock-key', 'x-mock-scenario']) assert.ok(allowed.includes(h), `${path}: ${h}`);
    assert.match(r.headers.get('access-control-expose-headers'), /X-Attempt/);
  }
});
