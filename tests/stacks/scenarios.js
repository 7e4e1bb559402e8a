// What the client does against each real server stack, the same code in Node and
// in a page in Chromium (so: no Node APIs). Each scenario drives the built
// package's fetchEventSource against one stack and returns plain observations
// (JSON-safe); stacks.test.mjs asserts on them, so both environments are held to
// the same expectations. The stack-test contract the servers follow is described
// at the top of stacks.test.mjs.

export const TOKEN = 'Bearer stack-test-token';
// The retry delay the scenarios ask for: short, so the suite stays quick.
const RETRY_DELAY_MS = 50;

/**
 * @param {{ base: string, query: string, headers: Record<string, string> }} stack
 *   base: the server's URL; query: parameters every stream request carries
 *   (Express: the encoding); headers: sent with every stream request.
 */
function target(stack, path, params) {
  const url = new URL(path, stack.base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  for (const [name, value] of new URLSearchParams(stack.query)) url.searchParams.set(name, value);
  return url.href;
}

const serverReport = async (stack, run, suffix = '') => (await fetch(new URL(`/runs/${run}${suffix}`, stack.base))).json();

/** What a rejection carried, as plain data. */
const describeError = (error) =>
  error == null
    ? null
    : {
        name: error.name,
        type: error.type,
        status: error.status,
        body: error.body,
        retryAfterMs: error.retryAfterMs,
        message: error.message,
      };

async function settle(promise) {
  try {
    await promise;
    return { resolved: true, rejection: null };
  } catch (error) {
    return { resolved: false, rejection: describeError(error) };
  }
}

export const scenarios = {
  /** POST with a bearer token and a JSON body; the OpenAI stream read through `delta: { format: 'openai' }`. */
  async chat({ fetchEventSource }, stack, run, { prompt }) {
    const flushes = [];
    let contentEncoding;
    const outcome = await settle(
      fetchEventSource(target(stack, '/v1/chat/completions', { run }), {
        method: 'POST',
        headers: { ...stack.headers, authorization: TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stack-test-model', stream: true, messages: [{ role: 'user', content: prompt }] }),
        onstream: (response) => (contentEncoding = response.headers.get('content-encoding')),
        delta: {
          format: 'openai',
          markdown: 'hold',
          onDelta: (flush) =>
            flushes.push({ delta: flush.delta, text: flush.text, display: flush.display, done: flush.done, finishReason: flush.finishReason, usage: flush.usage }),
        },
      }),
    );
    return { ...outcome, flushes, contentEncoding, server: await serverReport(stack, run) };
  },

  /** The same POST without the token: a typed 401, not retried. */
  async unauthorized({ fetchEventSource }, stack, run) {
    const errors = [];
    const outcome = await settle(
      fetchEventSource(target(stack, '/v1/chat/completions', { run }), {
        method: 'POST',
        headers: { ...stack.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
        retryDelayMs: RETRY_DELAY_MS,
        onerror: (error) => void errors.push(describeError(error)),
        delta: { format: 'openai' },
      }),
    );
    return { ...outcome, errors, server: await serverReport(stack, run) };
  },

  /** The server drops the connection after `dropAfter` events; the client resumes with Last-Event-ID. */
  async resume({ fetchEventSource }, stack, run, { count, dropAfter }) {
    const events = [];
    const errors = [];
    const outcome = await settle(
      fetchEventSource(target(stack, '/numbered', { run, count, dropAfter }), {
        headers: stack.headers,
        retryDelayMs: RETRY_DELAY_MS,
        jitter: 0,
        onmessage: ({ id, data }) => events.push({ id, data }),
        onerror: (error) => void errors.push(describeError(error)),
      }),
    );
    return { ...outcome, events, errors, server: await serverReport(stack, run) };
  },

  /**
   * One event, a silence longer than `idleTimeoutMs` in which only the stack's
   * keep-alive comments flow (every `pingMs`; 0: none), then a second event.
   * The first idle timeout stops the call (onerror throws), so that the
   * control case without pings ends there.
   */
  async keepalive({ fetchEventSource }, stack, run, { silenceMs, pingMs, idleTimeoutMs }) {
    const events = [];
    const errors = [];
    let bytes = 0;
    const outcome = await settle(
      fetchEventSource(target(stack, '/quiet', { run, silenceMs, pingMs }), {
        headers: stack.headers,
        idleTimeoutMs,
        onmessage: ({ event }) => events.push(event),
        onmetrics: (metrics) => (bytes = metrics.bytes),
        onerror: (error) => {
          errors.push(describeError(error));
          throw error;
        },
      }),
    );
    return { ...outcome, events, errors, bytes, server: await serverReport(stack, run) };
  },

  /** The client aborts after `abortAfter` events of an endless stream; the server must notice. */
  async abort({ fetchEventSource }, stack, run, { abortAfter }) {
    const controller = new AbortController();
    let received = 0;
    let callbacksAfterAbort = 0;
    const outcome = await settle(
      fetchEventSource(target(stack, '/endless', { run }), {
        headers: stack.headers,
        signal: controller.signal,
        onmessage: () => {
          if (controller.signal.aborted) callbacksAfterAbort++;
          else if (++received === abortAfter) controller.abort();
        },
        onerror: () => void callbacksAfterAbort++,
        onclose: () => void callbacksAfterAbort++,
      }),
    );
    // Answers once the server has seen the connection close (a long poll).
    const server = await serverReport(stack, run, '/closed');
    return { ...outcome, received, callbacksAfterAbort, server };
  },

  /**
   * The first request fails (on /fail: with `status`, and `Retry-After:
   * retryAfter` seconds for 429; on /crash: the handler throws); the retry gets the stream.
   */
  async failThenRecover({ fetchEventSource }, stack, run, { route = '/fail', ...params }) {
    const events = [];
    const errors = [];
    const outcome = await settle(
      fetchEventSource(target(stack, route, { run, ...params }), {
        headers: stack.headers,
        retryDelayMs: RETRY_DELAY_MS,
        jitter: 0,
        onmessage: ({ data }) => events.push(data),
        onerror: (error) => void errors.push(describeError(error)),
      }),
    );
    return { ...outcome, events, errors, server: await serverReport(stack, run) };
  },

  /**
   * The server writes event n + 1 only after the client acknowledged event n
   * (POST /runs/:run/ack from onmessage): a frame held back in a compression
   * buffer would never reach the client, and the stream would never end.
   */
  async acked({ fetchEventSource }, stack, run, { count }) {
    const ids = [];
    let contentEncoding;
    const acks = [];
    const outcome = await settle(
      fetchEventSource(target(stack, '/acked', { run, count }), {
        headers: stack.headers,
        onstream: (response) => (contentEncoding = response.headers.get('content-encoding')),
        onmessage: ({ id }) => {
          ids.push(id);
          acks.push(fetch(new URL(`/runs/${run}/ack`, stack.base), { method: 'POST' }).then((r) => r.status));
        },
      }),
    );
    return { ...outcome, ids, contentEncoding, ackStatuses: await Promise.all(acks), server: await serverReport(stack, run) };
  },
};

/** Runs the scenario `name` (the page calls this through playwright; Node calls it directly). */
export function runScenario(lib, name, stack, run, params = {}) {
  return scenarios[name](lib, stack, run, params);
}
