// The framework-neutral core of wasm-sse/react and wasm-sse/vue: one chat
// turn at a time over fetchEventSource with the delta option, and a single
// event stream, reporting state through callbacks the bindings turn into
// React state or Vue refs. Not an entry of its own. 'wasm-sse' is the package
// itself, so Node (SSR, tests) gets the node entry and browsers and bundlers the
// browser one.
import { fetchEventSource } from 'wasm-sse';

export const EMPTY_ANSWER = Object.freeze({ text: '', display: '', stableLength: 0, displayTail: '', done: false });
const EVENT_STREAM = /^\s*text\/event-stream\s*(;|$)/i;
const DEFAULT_MAX_RETRIES = 5;

const now = () => (globalThis.performance ?? Date).now();

/** What was thrown, as an Error (a non-Error becomes its `cause`). */
function asError(value) {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}

/** Whether a response opens the stream by the default check (status 200, text/event-stream). */
function opensStream(response) {
  return response.status === 200 && EVENT_STREAM.test(response.headers.get('content-type') ?? '');
}

/** Whether the call retries after `onerror(error)` returned `choice` (the policy of src/reconnect.rs). */
function willRetry(error, choice) {
  if (typeof choice === 'number') return true;
  if (choice !== undefined && choice !== null) return false;
  if (error === null || typeof error !== 'object' || error.name !== 'FetchEventSourceError') return false;
  if (error.type === 'network' || error.type === 'idle-timeout') return true;
  if (error.type !== 'http-status') return false;
  const status = error.status;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The answer handed to the UI: a flush's fields, `display` built on first read. */
function answerOf(flush) {
  const { text, stableLength, displayTail, done } = flush;
  return Object.freeze({
    text,
    stableLength,
    displayTail,
    done,
    get display() {
      return flush.display;
    },
  });
}

/**
 * Runs one event stream, reporting through `on` (status, message, error,
 * metrics). Nothing is reported after `close()` or after it settled.
 * Returns `close(status?)`: aborts, and reports `status` unless it is undefined.
 */
export function runEventSource(url, init, on) {
  const { signal: _signal, delta: _delta, fetch: userFetch, onopen, ...rest } = init;
  const controller = new AbortController();
  let active = true;
  const baseFetch = userFetch ?? ((input, requestInit) => globalThis.fetch(input, requestInit));
  on.status('connecting');
  fetchEventSource(url, {
    ...rest,
    signal: controller.signal,
    async fetch(input, requestInit) {
      const response = await baseFetch(input, requestInit);
      if (active && !onopen && opensStream(response)) on.status('open');
      return response;
    },
    onopen: onopen
      ? async (response) => {
          await onopen(response);
          if (active) on.status('open');
        }
      : undefined,
    onmessage(message) {
      if (!active) return;
      on.message(message);
      rest.onmessage?.(message);
    },
    onerror(error) {
      if (!active) return undefined;
      const choice = rest.onerror?.(error);
      if (willRetry(error, choice)) on.status('retrying');
      return choice;
    },
    onclose() {
      if (!active) return;
      rest.onclose?.();
      if (rest.reconnectOnEnd) on.status('retrying');
    },
    onmetrics(metrics) {
      if (!active) return;
      on.metrics(metrics);
      rest.onmetrics?.(metrics);
    },
  }).then(
    () => {
      if (!active) return;
      active = false;
      on.status('closed');
    },
    (error) => {
      if (!active) return;
      active = false;
      on.error(asError(error));
      on.status('error');
    },
  );
  return (status) => {
    if (!active) return;
    active = false;
    controller.abort();
    if (status !== undefined) on.status(status);
  };
}

/**
 * The chat state machine. `options()` returns the current options (read at each
 * `send`); `set` receives every state change. Nothing is set while detached
 * (before `attach`, after `detach`), nor for a turn that was stopped or replaced.
 */
export function createChat(options, set, initialMessages) {
  let messages = [...(initialMessages ?? [])];
  let turn = null;
  let live = false;

  function setMessages(next) {
    messages = next;
    set.messages(next);
  }

  // Ends a turn. `status` undefined: silently (unmount). Otherwise the delta
  // stream's last flush, which the abort delivers synchronously, still counts.
  function end(t, status, error) {
    if (t.ended) return;
    t.ended = true;
    if (status === undefined) t.active = false;
    t.controller.abort();
    t.active = false;
    if (turn === t) turn = null;
    if (status === undefined) return;
    if (status === 'done' || (status === 'stopped' && t.text)) {
      setMessages([...messages, { role: 'assistant', content: t.text }]);
    }
    if (error !== undefined) set.error(asError(error));
    set.status(status);
  }

  function send(prompt) {
    if (!live) return;
    if (turn) end(turn, 'stopped');
    const o = options();
    const { signal: _signal, delta: _delta, body: _body, headers: _headers, fetch: userFetch, ...rest } = o.fetchOptions ?? {};
    const history = [...messages, { role: 'user', content: String(prompt) }];
    const headers = new Headers(typeof o.headers === 'function' ? o.headers() : o.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    const body = JSON.stringify(o.body ? o.body(history) : { model: o.model, messages: history, stream: true });
    const t = { active: true, ended: false, controller: new AbortController(), text: '' };
    const started = now();
    let sawText = false;
    turn = t;
    setMessages(history);
    set.answer(EMPTY_ANSWER);
    set.error(null);
    set.metrics(null);
    set.ttft(null);
    set.reconnects(0);
    set.status('connecting');
    const baseFetch = userFetch ?? ((input, requestInit) => globalThis.fetch(input, requestInit));
    fetchEventSource(o.url, {
      maxRetries: DEFAULT_MAX_RETRIES,
      ...rest,
      method: rest.method ?? 'POST',
      headers,
      body,
      signal: t.controller.signal,
      // The events' text, parsed and extracted in wasm, coalesced and markdown-safe.
      delta: {
        format: o.format ?? 'openai',
        markdown: o.markdown ?? 'hold',
        flush: o.flush ?? 'frame',
        onDelta(flush) {
          if (!t.active) return;
          t.text = flush.text;
          if (!sawText && flush.text) {
            sawText = true;
            set.ttft(Math.round(now() - started));
          }
          set.answer(answerOf(flush));
        },
        onDone() {
          if (t.active) end(t, 'done');
        },
        // An error event in the stream: the call then rejects with it (below).
      },
      async fetch(input, requestInit) {
        const response = await baseFetch(input, requestInit);
        if (t.active && !rest.onopen && opensStream(response)) set.status('streaming');
        return response;
      },
      onopen: rest.onopen
        ? async (response) => {
            await rest.onopen(response);
            if (t.active) set.status('streaming');
          }
        : undefined,
      // Only when asked for: without it, no JS object is made per event.
      onmessage: rest.onmessage
        ? (message) => {
            if (t.active) rest.onmessage(message);
          }
        : undefined,
      onerror(error) {
        if (!t.active) return undefined;
        const choice = rest.onerror?.(error);
        if (willRetry(error, choice)) set.status('retrying');
        return choice;
      },
      onclose() {
        if (t.active) rest.onclose?.();
      },
      onmetrics(metrics) {
        if (!t.active) return;
        set.metrics(metrics);
        set.reconnects(metrics.reconnects);
        rest.onmetrics?.(metrics);
      },
    }).then(
      // The server ended the stream (the last flush came already): what came is the answer.
      () => {
        if (t.active) end(t, 'done');
      },
      (error) => {
        if (t.active) end(t, 'error', error);
      },
    );
  }

  return {
    send,
    stop() {
      if (turn) end(turn, 'stopped');
    },
    attach() {
      live = true;
    },
    detach() {
      live = false;
      if (turn) end(turn);
    },
  };
}
