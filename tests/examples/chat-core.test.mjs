// The chat core of wasm-sse/react and wasm-sse/vue (pkg/chat-core.js), in Node,
// against the mock LLM server on its four wire formats: the default request
// body of each format is one that API takes, the answer's text, reasoning, tool
// calls, finish reason and usage end as the server's /mock/expect says, headers
// are asked for before every attempt, and a stream without event IDs that
// drops is never glued to a second answer.
//
//   node --test tests/examples/          (after make build)
//
// Skips, saying why, when pkg/ is missing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../examples/server/server.mjs';
import { ANSWERS } from '../../examples/server/answers.mjs';
import { attemptsFor, expectFor } from './truth.mjs';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const skip = existsSync(`${PKG}chat-core.js`) ? false : 'pkg/ is not built (make build)';

let server;
let createChat;
before(async () => {
  if (skip) return;
  // The package's own file: its `import 'wasm-sse'` resolves to pkg/ itself.
  ({ createChat } = await import(`${PKG}chat-core.js`));
  server = await startServer({ port: 0, tps: 0 });
});
after(() => server?.close());

const newKey = () => `core-${Math.random().toString(36).slice(2)}`;

/**
 * One turn of `createChat` with `options`, to its end. Resolves with every
 * status and answer set, the last error and messages, and the requests sent
 * (`{ url, body, headers }`, through a recording `fetch`).
 */
function turn(options, prompt, initialMessages) {
  const requests = [];
  const record = async (input, init) => {
    requests.push({ url: String(input), body: init.body, headers: Object.fromEntries(new Headers(init.headers)) });
    return fetch(input, init);
  };
  const o = { ...options, fetchOptions: { ...options.fetchOptions, fetch: record } };
  return new Promise((resolve) => {
    const seen = { statuses: [], answers: [], messages: null, error: null, requests };
    const chat = createChat(
      () => o,
      {
        messages: (m) => (seen.messages = m),
        answer: (a) => seen.answers.push(a),
        status(s) {
          seen.statuses.push(s);
          if (['done', 'stopped', 'error'].includes(s)) resolve(seen);
        },
        error: (e) => (seen.error = e),
        metrics() {},
        ttft() {},
        reconnects() {},
      },
      initialMessages,
    );
    chat.attach();
    chat.send(prompt);
  });
}

// get_weather as each API's clients declare it.
const PARAMETERS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const FORMATS = [
  {
    format: 'openai',
    path: '/v1/chat/completions',
    extra: { reasoning_effort: 'low', stream_options: { include_usage: true }, tools: [{ type: 'function', function: { name: 'get_weather', parameters: PARAMETERS } }] },
    shape: (body) => assert.deepEqual(Object.keys(body).slice(0, 3), ['model', 'messages', 'stream']),
  },
  {
    format: 'anthropic',
    path: '/v1/messages',
    extra: { thinking: { type: 'enabled', budget_tokens: 1024 }, tools: [{ name: 'get_weather', input_schema: PARAMETERS }] },
    shape(body) {
      assert.equal(body.max_tokens, 4096);
      assert.equal(body.system, 'Be brief.', 'the system prompt is a top-level field');
      assert.ok(body.messages.every((m) => m.role !== 'system'));
      assert.equal(body.stream, true);
    },
  },
  {
    format: 'openai-responses',
    path: '/v1/responses',
    extra: { reasoning: { effort: 'low', summary: 'auto' }, tools: [{ type: 'function', name: 'get_weather', parameters: PARAMETERS }] },
    shape(body) {
      assert.ok(Array.isArray(body.input) && body.input.at(-1).role === 'user');
      assert.equal(body.messages, undefined);
      assert.equal(body.stream, true);
    },
  },
  {
    format: 'ai-sdk',
    // The AI SDK's client sends no tools and no reasoning switch: asked for in the query.
    path: '/api/chat',
    query: 'reasoning=1&tools=1',
    extra: {},
    shape(body) {
      assert.deepEqual(Object.keys(body), ['messages']);
      for (const [i, m] of body.messages.entries()) {
        assert.deepEqual(Object.keys(m), ['id', 'role', 'parts']);
        assert.equal(m.id, `m${i}`);
        assert.equal(m.parts[0].type, 'text');
      }
    },
  },
];

describe('chat core', { skip }, () => {
  for (const { format, path, query, extra, shape } of FORMATS) {
    test(`format ${format}: the default body fits ${path}, and text, reasoning, tool call, finish reason and usage end as the source`, async () => {
      const key = newKey();
      const seen = await turn(
        {
          url: `${server.origin}${path}${query ? `?${query}` : ''}`,
          model: 'mock-model',
          format,
          headers: { 'X-Mock-Key': key },
          body: (messages, body) => ({ ...body, ...extra }),
        },
        "What's the weather in Paris?",
        [{ role: 'system', content: 'Be brief.' }],
      );
      assert.equal(seen.statuses.at(-1), 'done', String(seen.error));
      assert.equal(seen.requests.length, 1);
      const sent = JSON.parse(seen.requests[0].body);
      shape(sent);
      assert.equal(seen.requests[0].headers['content-type'], 'application/json', 'JSON, unless the headers say otherwise');

      const expected = await expectFor(server.origin, seen.requests[0]);
      assert.equal(expected.answer, 'weather');
      const answer = seen.answers.at(-1);
      assert.equal(answer.done, true);
      assert.equal(answer.text, expected.text);
      assert.equal(answer.reasoning?.text, expected.reasoning);
      assert.equal(answer.toolCalls.length, expected.toolCalls.length);
      for (const [i, call] of expected.toolCalls.entries()) {
        assert.equal(answer.toolCalls[i].id, call.id);
        assert.equal(answer.toolCalls[i].name, call.name);
        assert.equal(answer.toolCalls[i].arguments, call.arguments);
        assert.deepEqual(answer.toolCalls[i].input, call.input);
        assert.equal(answer.toolCalls[i].done, true);
      }
      assert.equal(answer.finishReason, expected.finishReason);
      // Every usage field the source names, as it says (a stream may carry more:
      // Anthropic's message_start also has the cache counts, all 0 here).
      if (expected.usage === null) assert.equal(answer.usage, null);
      else for (const [field, value] of Object.entries(expected.usage)) assert.deepEqual(answer.usage?.[field], value, `usage.${field}`);
      assert.equal(answer.restarts, 0);

      const message = seen.messages.at(-1);
      assert.equal(message.role, 'assistant');
      assert.equal(message.content, expected.text);
      assert.equal(message.reasoning, expected.reasoning, 'the stored answer keeps its reasoning');
      assert.deepEqual(message.toolCalls, answer.toolCalls, 'and its tool calls');
    });
  }

  test('the next turn sends the answers back as text only (no reasoning, no tool calls)', async () => {
    const key = newKey();
    const base = { url: `${server.origin}/v1/chat/completions?tools=1&reasoning=1`, model: 'm', headers: { 'X-Mock-Key': key } };
    const first = await turn(base, 'weather?');
    assert.ok(first.messages.at(-1).toolCalls?.length, 'the first answer made a tool call');
    const second = await turn(base, 'thanks', first.messages);
    assert.deepEqual(JSON.parse(second.requests[0].body).messages, [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: first.messages.at(-1).content },
      { role: 'user', content: 'thanks' },
    ]);
  });

  test('headers as a function are asked for before every attempt, a retry included', async () => {
    const key = newKey();
    let calls = 0;
    const seen = await turn(
      {
        url: `${server.origin}/v1/chat/completions?scenario=500`,
        fetchOptions: { retryDelayMs: 10, jitter: 0 },
        async headers() {
          calls++;
          return { 'X-Mock-Key': key, Authorization: `Bearer token-${calls}` };
        },
      },
      'Tell me the history of SSE',
    );
    assert.equal(seen.statuses.at(-1), 'done', String(seen.error));
    assert.equal(calls, 2, 'once per attempt');
    assert.deepEqual(
      seen.requests.map((r) => r.headers.authorization),
      ['Bearer token-1', 'Bearer token-2'],
      'each attempt has the headers of its own call',
    );
    assert.equal(seen.answers.at(-1).text, ANSWERS.history.text);
  });

  const dropped = (extra) => ({
    url: `${server.origin}/v1/chat/completions?ids=0&scenario=drop&after=${ANSWERS.table.tokens.length >> 1}`,
    headers: { 'X-Mock-Key': newKey() },
    fetchOptions: { retryDelayMs: 10, jitter: 0 },
    ...extra,
  });

  test('a drop without event IDs ends the turn in error (resumable: false) without sending it again; the partial answer is the source start', async () => {
    const seen = await turn(dropped({}), 'Compare streaming transports in a table');
    assert.equal(seen.statuses.at(-1), 'error');
    assert.equal(seen.error?.name, 'FetchEventSourceError');
    assert.equal(seen.error.type, 'network');
    assert.equal(seen.error.resumable, false);
    assert.equal(seen.requests.length, 1, 'not sent again');
    assert.deepEqual(await attemptsFor(server.origin, seen.requests[0]), { drop: 1 });
    const expected = await expectFor(server.origin, seen.requests[0]);
    const text = seen.answers.at(-1).text;
    assert.ok(text.length > 0 && expected.text.startsWith(text), 'a prefix of the source, nothing glued');
    assert.deepEqual(seen.messages.map((m) => m.role), ['user'], 'a failed answer is not appended');
  });

  test('restartWithoutId: the request is sent again and the answer starts over (restarts 1), never glued to the first attempt', async () => {
    const seen = await turn(dropped({ restartWithoutId: true }), 'Compare streaming transports in a table');
    assert.equal(seen.statuses.at(-1), 'done', String(seen.error));
    assert.equal(seen.requests.length, 2);
    const expected = await expectFor(server.origin, seen.requests[0]);
    for (const answer of seen.answers) {
      assert.ok(expected.text.startsWith(answer.text), `every answer shown is a prefix of the source (restarts ${answer.restarts})`);
    }
    const last = seen.answers.at(-1);
    assert.equal(last.restarts, 1);
    assert.equal(last.text, expected.text);
    assert.ok(seen.answers.some((a) => a.restarts === 0 && a.text.length > 0), 'the first attempt had shown text');
    assert.equal(seen.messages.at(-1).content, expected.text);
  });
});

/**
 * The statuses one turn goes through when every attempt is answered by
 * `respond()` (a custom fetch, no server): the status comes from what the
 * client loop in Rust decided, never from a JS copy of its rules.
 */
function statusesWith(respond, fetchOptions = {}) {
  return new Promise((resolve) => {
    const statuses = [];
    const chat = createChat(
      () => ({ url: 'http://127.0.0.1:9/unused', fetchOptions: { retryDelayMs: 1, ...fetchOptions, fetch: async () => respond() } }),
      {
        messages() {},
        answer() {},
        status(s) {
          statuses.push(s);
          if (['done', 'stopped', 'error'].includes(s)) resolve(statuses);
        },
        error() {},
        metrics() {},
        ttft() {},
        reconnects() {},
      },
    );
    chat.attach();
    chat.send('hi');
  });
}

describe('the status follows the decisions of the Rust client loop', { skip }, () => {
  test('a content type that names several media types, the last text/event-stream, opens the stream', async () => {
    // Rust reads it as fetch's "extract a MIME type" does; a regex on the start would not.
    const body = 'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n';
    const statuses = await statusesWith(() => new Response(body, { headers: { 'content-type': 'text/html, text/event-stream' } }));
    assert.deepEqual(statuses, ['connecting', 'streaming', 'done']);
  });

  test('maxRetries: the last failure is not announced as a retry', async () => {
    const statuses = await statusesWith(() => new Response('busy', { status: 503 }), { maxRetries: 2 });
    assert.deepEqual(statuses, ['connecting', 'retrying', 'retrying', 'error']);
  });

  test('a 404 is never retried, and a 429 is', async () => {
    assert.deepEqual(await statusesWith(() => new Response('no', { status: 404 })), ['connecting', 'error']);
    let n = 0;
    const statuses = await statusesWith(() =>
      ++n === 1
        ? new Response('slow down', { status: 429, headers: { 'retry-after': '0' } })
        : new Response('data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } }),
    );
    assert.deepEqual(statuses, ['connecting', 'retrying', 'streaming', 'done']);
  });
});
