// What a Node stack's server saw of each test run (named by the `run` query
// parameter), shared by hono.mjs and express.mjs; fastapi_app.py keeps the same
// record. The tests read it through GET /runs/:run and /runs/:run/closed.
import { readFileSync } from 'node:fs';

export const CHAT = JSON.parse(readFileSync(new URL('./chat.json', import.meta.url), 'utf8'));
export const TOKEN = 'Bearer stack-test-token';
// A pause before a deliberate drop, so that the bytes already written reach the
// client before the connection goes (Chromium may discard bytes that arrive in
// the same tick as the reset).
export const PAUSE_BEFORE_DROP_MS = 150;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const runs = new Map();

export function runOf(name) {
  let run = runs.get(name);
  if (!run) {
    let markClosed;
    const whenClosed = new Promise((resolve) => (markClosed = resolve));
    const acks = [];
    const ackWaiters = [];
    run = {
      requests: [],
      sent: 0,
      closed: false,
      whenClosed,
      markClosed() {
        run.closed = true;
        markClosed();
      },
      /** Called with the request's headers (a `get(name)` function). */
      record(header) {
        run.requests.push({
          lastEventId: header('last-event-id') ?? null,
          authorization: header('authorization') ?? null,
          acceptEncoding: header('accept-encoding') ?? null,
          atMs: performance.now(),
        });
      },
      ack() {
        const waiter = ackWaiters.shift();
        if (waiter) waiter();
        else acks.push(true);
      },
      /** Resolves on the next acknowledgement the client posts (or one already posted). */
      nextAck() {
        if (acks.length) return Promise.resolve(acks.shift());
        return new Promise((resolve) => ackWaiters.push(resolve));
      },
      report: () => ({ requests: run.requests, sent: run.sent, closed: run.closed }),
    };
    runs.set(name, run);
  }
  return run;
}

/** The OpenAI chat-completion chunks of the answer to `prompt`, as JSON texts, then `[DONE]`. */
export function chatChunks(prompt) {
  const chunk = (delta, finishReason = null, usage) =>
    JSON.stringify({
      id: 'chatcmpl-stack',
      object: 'chat.completion.chunk',
      created: 0,
      model: CHAT.model,
      choices: delta === null ? [] : [{ index: 0, delta, finish_reason: finishReason }],
      ...(usage ? { usage } : {}),
    });
  return [
    chunk({ role: 'assistant', content: '' }),
    ...[`You asked: ${prompt}\n\n`, ...CHAT.pieces].map((content) => chunk({ content })),
    chunk({}, 'stop'),
    chunk(null, null, { prompt_tokens: 3, completion_tokens: CHAT.pieces.length + 1 }),
    '[DONE]',
  ];
}
