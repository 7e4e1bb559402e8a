// fetchEventSource: the JS face of src/wasm/client.rs. Not in the package yet
// (see README.md here). Options follow @microsoft/fetch-event-source 2.0.1.
import { runEventSource } from './wasm_sse.js';
import { decodeBatch } from './api.js';

/** A typed failure of fetchEventSource; `type` says which (see client.d.ts). */
export class FetchEventSourceError extends Error {
  constructor(type, message, fields) {
    super(message);
    this.name = 'FetchEventSourceError';
    this.type = type;
    Object.assign(this, fields);
  }
}

// Our options beyond RequestInit and @microsoft/fetch-event-source's; they are
// read by the wasm side and not passed to fetch.
const POLICY_OPTIONS = [
  'retryDelayMs', 'backoffMultiplier', 'maxDelayMs', 'jitter', 'maxRetries', 'maxElapsedMs',
  'reconnectOnEnd', 'idleTimeoutMs', 'maxBufferSize', 'openWhenHidden',
];

export async function fetchEventSource(input, init = {}) {
  const { onopen, onmessage, onclose, onerror, onmetrics, signal, fetch: customFetch, ...rest } = init;
  if (signal?.aborted) return;
  const options = {};
  for (const name of POLICY_OPTIONS) {
    if (name in rest) {
      options[name] = rest[name];
      delete rest[name];
    }
  }
  // A ReadableStream body can be read only once; it is read into memory here so
  // that every attempt sends it again, intact.
  if (typeof ReadableStream !== 'undefined' && rest.body instanceof ReadableStream) {
    rest.body = await new Response(rest.body).arrayBuffer();
    delete rest.duplex;
  }
  const state = { lastEventId: '' };
  let retry;
  const handlers = {
    event(event, data) {
      const message = { id: state.lastEventId, event, data, retry };
      retry = undefined;
      onmessage?.(message);
    },
    retry(ms) {
      retry = ms;
    },
  };
  const hooks = {
    fetch: customFetch ?? globalThis.fetch,
    signal,
    options,
    hasOnopen: typeof onopen === 'function',
    onopen: (response) => onopen(response),
    onerror: (error) => (typeof onerror === 'function' ? onerror(error) : undefined),
    onclose: () => onclose?.(),
    onmetrics: (metrics) => onmetrics?.(metrics),
    makeError: (type, message, fields) => new FetchEventSourceError(type, message, fields),
    deliver(records, ascii, wide) {
      decodeBatch(records, ascii, wide, state, handlers, () => !signal?.aborted);
    },
  };
  await runEventSource(input, rest, hooks);
}
