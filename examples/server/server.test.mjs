// Tests of the mock LLM server: `node --test examples/server/`.
// The server runs as a child process (as `make demo` and the browser tests run
// it), on a port the OS picks, announced by its `READY <port>` line.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWERS, ANSWER_NAMES, pickAnswer, tokenize } from './answers.mjs';
import { startServer } from './server.mjs';

const MAIN = fileURLToPath(new URL('./main.mjs', import.meta.url));

/** Starts main.mjs; resolves with { child, port, origin, exited } once it printed READY. */
function spawnServer(args = []) {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`no READY line in 10 s; stderr: ${err}`)), 10_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, port: Number(m[1]), origin: `http://127.0.0.1:${m[1]}`, exited, stdout: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited (${code}) before READY; stderr: ${err}`));
    });
  });
}

/** `promise`'s value, or 'timeout' after `ms` (the timer does not keep the process alive). */
function within(promise, ms) {
  let timer;
  const timeout = new Promise((ok) => (timer = setTimeout(() => ok('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let srv;
before(async () => {
  srv = await spawnServer(['--tps', '50']);
});
after(() => srv?.child.kill('SIGTERM'));

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

/** Reads until `until(text)` is true; then keeps reading for `quietMs` and returns what came in that time. */
async function readUntil(response, until, quietMs) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) return { text, ended: true, later: '' };
    text += decoder.decode(value, { stream: true });
  }
  let later = '';
  let ended = false;
  const deadline = Date.now() + quietMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const result = await within(reader.read(), left);
    if (result === 'timeout') break;
    if (result.done) {
      ended = true;
      break;
    }
    later += decoder.decode(result.value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return { text, ended, later };
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
  const key = uniqueKey('stall');
  const headers = { 'X-Mock-Scenario': 'stall; after=5', 'X-Mock-Key': key };
  const stalled = await readUntil(await chat('/v1/chat/completions?tps=0', { headers }), (t) => tokenEvents(parseStream(t).events).length >= 5, 700);
  assert.equal(tokenEvents(parseStream(stalled.text).events).length, 5);
  assert.equal(stalled.ended, false, 'the connection stays open');
  assert.equal(stalled.later, '', 'nothing at all after the stall');
  const next = parseStream((await readAll(await chat('/v1/chat/completions?tps=0', { headers }))).text).events;
  assert.equal(content(next), ANSWERS.table.text);

  const beat = await readUntil(
    await chat(`/v1/chat/completions?tps=0&scenario=stall&after=3&heartbeat=1&heartbeat_ms=100&key=${uniqueKey('stallhb')}`),
    (t) => tokenEvents(parseStream(t).events).length >= 3,
    700,
  );
  assert.equal(beat.ended, false);
  const later = parseStream(beat.later);
  assert.ok(later.comments.length >= 2, `heartbeat comments arrive (${later.comments.length})`);
  assert.equal(later.events.length, 0, 'no events after the stall');
});

// ---------------------------------------------------------------- CORS, pace

test('CORS preflight allows the headers a browser client sends', async () => {
  const r = await fetch(`${srv.origin}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://localhost:5173',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,authorization,last-event-id,x-mock-scenario,x-mock-key',
    },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.match(r.headers.get('access-control-allow-methods'), /POST/);
  const allowed = r.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
  for (const h of ['content-type', 'authorization', 'last-event-id', 'x-mock-scenario', 'x-mock-key']) assert.ok(allowed.includes(h), h);
  const expose = r.headers.get('access-control-expose-headers').toLowerCase();
  for (const h of ['retry-after', 'x-attempt', 'x-mock-answer']) assert.ok(expose.includes(h), h);
});

test('pace: tps=50 streams 50 tokens in about a second (loose bound), tps=0 fast', async () => {
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
  // 50 gaps of 20 ms on average: nominal 1000 ms. Only a loose lower bound.
  assert.ok(elapsed >= 500, `took ${elapsed.toFixed(0)} ms, expected about 1000`);
  assert.ok(elapsed < 20_000, `took ${elapsed.toFixed(0)} ms`);
  assert.ok(gaps.length >= 10, `tokens arrive spread out, not in one burst (${gaps.length} reads)`);

  const fastStart = performance.now();
  await readAll(await chat('/v1/chat/completions?tps=0'));
  const fast = performance.now() - fastStart;
  assert.ok(fast < elapsed * 5, `tps=0 is fast (${fast.toFixed(0)} ms for the whole answer)`);
});

// ---------------------------------------------------------------- process, static

test('the process: exactly one READY line; exits when stdin closes and on SIGTERM', async () => {
  const a = await spawnServer();
  await new Promise((ok) => setTimeout(ok, 100));
  assert.equal(a.stdout(), `READY ${a.port}\n`);
  // A stalled stream open must not keep it alive.
  const stalled = await fetch(`${a.origin}/v1/chat/completions?tps=0&scenario=stall&after=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(stalled.status, 200);
  a.child.stdin.end();
  const exitA = await within(a.exited, 5000);
  assert.notEqual(exitA, 'timeout', 'exits within 5 s of stdin closing');
  assert.equal(exitA.code, 0);
  await stalled.body.cancel().catch(() => {});

  const b = await spawnServer();
  const held = await fetch(`${b.origin}/v1/chat/completions?tps=0&scenario=stall&after=2`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(held.status, 200);
  b.child.kill('SIGTERM');
  const exitB = await within(b.exited, 5000);
  assert.notEqual(exitB, 'timeout', 'exits within 5 s of SIGTERM, with a stalled stream open');
  assert.equal(exitB.code, 0);
  await held.body.cancel().catch(() => {});
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
