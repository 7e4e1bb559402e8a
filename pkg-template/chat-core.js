// The framework-neutral core of wasm-sse/react and wasm-sse/vue: one chat
// turn at a time over fetchEventSource with the delta option, and a single
// event stream, reporting state through callbacks the bindings turn into
// React state or Vue refs. Not an entry of its own. 'wasm-sse' is the package
// itself, so Node (SSR, tests) gets the node entry and browsers and bundlers the
// browser one.
import { fetchEventSource } from 'wasm-sse';

export const EMPTY_ANSWER = Object.freeze({
  text: '',
  display: '',
  stableLength: 0,
  displayTail: '',
  done: false,
  reasoning: null,
  toolCalls: Object.freeze([]),
  usage: null,
  finishReason: null,
  codeFence: null,
  restarts: 0,
});
const DEFAULT_MAX_RETRIES = 5;
// The Messages API requires `max_tokens`; a `body` function can set another.
const ANTHROPIC_MAX_TOKENS = 4096;

const now = () => (globalThis.performance ?? Date).now();

/** What was thrown, as an Error (a non-Error becomes its `cause`). */
function asError(value) {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}

/** The answer handed to the UI: a flush's fields, `display` built on first read. */
function answerOf(flush, restarts) {
  const { text, stableLength, displayTail, done, reasoning, toolCalls, usage, finishReason, codeFence } = flush;
  return Object.freeze({
    text,
    stableLength,
    displayTail,
    done,
    reasoning,
    toolCalls,
    usage,
    finishReason,
    codeFence,
    restarts,
    get display() {
      return flush.display;
    },
  });
}

/**
 * The default request body of a chat turn, in the shape `format`'s API takes.
 * Messages go as text only: an answer's reasoning stays in the UI, and its tool
 * calls could be sent back only with their results, which only the app has.
 * Formats that are not presets (a pointer, a function, `'text'`) get the
 * Chat Completions body.
 */
export function requestBody(format, model, history) {
  const plain = history.map(({ role, content }) => ({ role, content }));
  switch (format) {
    case 'anthropic': {
      // The system prompt is a top-level field there, and an empty text block is rejected.
      const isSystem = (m) => m.role === 'system' || m.role === 'developer';
      const system = plain.filter(isSystem).map((m) => m.content).join('\n\n');
      const messages = plain.filter((m) => !isSystem(m) && m.content !== '');
      return { model, max_tokens: ANTHROPIC_MAX_TOKENS, ...(system ? { system } : {}), messages, stream: true };
    }
    case 'openai-responses':
      return { model, input: plain, stream: true };
    case 'ai-sdk':
      // UI messages, as the AI SDK's useChat posts them (the server streams always).
      return { messages: plain.map(({ role, content }, i) => ({ id: `m${i}`, role, parts: [{ type: 'text', text: content }] })) };
    default:
      return { model, messages: plain, stream: true };
  }
}

/** The headers of one attempt: `source` (or what it returns), plus a JSON Content-Type unless set. */
async function requestHeaders(source) {
  const headers = new Headers(typeof source === 'function' ? await source() : source);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return headers;
}

/** The message stored for a finished turn: its text, and its reasoning and tool calls when it had some. */
function assistantMessage(t) {
  const message = { role: 'assistant', content: t.text };
  if (t.reasoning) message.reasoning = t.reasoning;
  if (t.toolCalls.length > 0) message.toolCalls = t.toolCalls;
  return message;
}

/**
 * Runs one event stream, reporting through `on` (status, message, error,
 * metrics). Nothing is reported after `close()` or after it settled.
 * Returns `close(status?)`: aborts, and reports `status` unless it is undefined.
 */
export function runEventSource(url, init, on) {
  const { signal: _signal, delta: _delta, ...rest } = init;
  const controller = new AbortController();
  let active = true;
  on.status('connecting');
  // The status follows what the client loop (src/wasm/client/) decided: it
  // tells when a response opened the stream and when it will retry.
  fetchEventSource(url, {
    ...rest,
    signal: controller.signal,
    onstream(response) {
      if (active) on.status('open');
      rest.onstream?.(response);
    },
    onretry(retry) {
      if (active) on.status('retrying');
      rest.onretry?.(retry);
    },
    onmessage(message) {
      if (!active) return;
      on.message(message);
      rest.onmessage?.(message);
    },
    onerror(error) {
      if (!active) return undefined;
      return rest.onerror?.(error);
    },
    onclose() {
      if (!active) return;
      rest.onclose?.();
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
 * `send`, and for `headers` before each attempt); `set` receives every state
 * change. Nothing is set while detached (before `attach`, after `detach`), nor
 * for a turn that was stopped or replaced.
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
      setMessages([...messages, assistantMessage(t)]);
    }
    if (error !== undefined) set.error(asError(error));
    set.status(status);
  }

  function send(prompt) {
    if (!live) return;
    if (turn) end(turn, 'stopped');
    const o = options();
    const { signal: _signal, delta: _delta, body: _body, headers: _headers, ...rest } = o.fetchOptions ?? {};
    const history = [...messages, { role: 'user', content: String(prompt) }];
    const format = o.format ?? 'openai';
    const defaults = requestBody(format, o.model, history);
    const body = JSON.stringify(o.body ? o.body(history, defaults) : defaults);
    const t = { active: true, ended: false, controller: new AbortController(), text: '', reasoning: '', toolCalls: [], restarts: 0 };
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
    fetchEventSource(o.url, {
      maxRetries: DEFAULT_MAX_RETRIES,
      ...rest,
      ...(o.restartWithoutId === undefined ? {} : { restartWithoutId: o.restartWithoutId }),
      method: rest.method ?? 'POST',
      // Called before every attempt, with the latest options: a token refreshed
      // between attempts is the one sent.
      headers: () => requestHeaders(options().headers),
      body,
      signal: t.controller.signal,
      // The events' text, parsed and extracted in wasm, coalesced and markdown-safe.
      delta: {
        format,
        markdown: o.markdown ?? 'hold',
        math: o.math ?? 'off',
        flush: o.flush ?? 'frame',
        onDelta(flush) {
          if (!t.active) return;
          // The request was sent again with no way to resume it: the answer
          // starts over, and this flush holds none of the text before.
          if (flush.restarted) t.restarts++;
          t.text = flush.text;
          t.reasoning = flush.reasoning?.text ?? '';
          t.toolCalls = flush.toolCalls;
          if (!sawText && flush.text) {
            sawText = true;
            set.ttft(Math.round(now() - started));
          }
          set.answer(answerOf(flush, t.restarts));
        },
        onDone() {
          if (t.active) end(t, 'done');
        },
        // An error event in the stream: the call then rejects with it (below).
      },
      // The status follows what the client loop decided (src/wasm/client/).
      onstream(response) {
        if (t.active) set.status('streaming');
        rest.onstream?.(response);
      },
      onretry(retry) {
        if (t.active) set.status('retrying');
        rest.onretry?.(retry);
      },
      // Only when asked for: without it, no JS object is made per event.
      onmessage: rest.onmessage
        ? (message) => {
            if (t.active) rest.onmessage(message);
          }
        : undefined,
      onerror(error) {
        if (!t.active) return undefined;
        return rest.onerror?.(error);
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
