// fetchEventSource: the JS face of src/wasm/client/. Options follow
// @microsoft/fetch-event-source 2.0.1; see index.d.ts for the contract.
import { runEventSource, runEventSourceWithDelta } from './wasm_sse.js';
import { decodeBatch } from './api.js';
import { decodeWide } from './records.js';
import { createDeltaStream, deltaInternals } from './delta.js';
import { whenReady } from './loader.js';

/** A typed failure of fetchEventSource; `type` says which (see index.d.ts). */
export class FetchEventSourceError extends Error {
  constructor(type, message, fields) {
    super(message);
    this.name = 'FetchEventSourceError';
    this.type = type;
    Object.assign(this, fields);
  }
}

// `fn`, except that a synchronous throw comes back as a rejected promise. The
// wasm side calls fetch and the headers function through js-sys, and
// wasm-bindgen 0.2.130 leaks a slot of its reference table whenever such a
// call throws (see `Hooks::answer` in src/wasm/client/js.rs); a rejection is
// the same error to the client (a network error, and a thrown one).
function rejectingInsteadOfThrowing(fn) {
  return function (...args) {
    try {
      return fn.apply(this, args);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

export async function fetchEventSource(input, init = {}) {
  const { onopen, onmessage, onclose, onerror, onmetrics, onstream, onretry, signal, fetch: customFetch, delta, ...rest } = init;
  if (signal?.aborted) return;
  // The wasm may still be loading: the caller waits here, where it waits for
  // the network anyway, not at import.
  await whenReady('fetchEventSource()');
  if (signal?.aborted) return;
  // `rest` is a RequestInit plus our options (retry policy, limits...), which
  // the wasm side reads and takes out before calling fetch (src/wasm/client/js.rs).
  // A ReadableStream body can be read only once; it is read into memory here so
  // that every attempt sends it again, intact.
  if (typeof ReadableStream !== 'undefined' && rest.body instanceof ReadableStream) {
    rest.body = await new Response(rest.body).arrayBuffer();
    delete rest.duplex;
  }
  if (signal?.aborted) return;
  // A headers function is called before every attempt (a refreshed token).
  if (typeof rest.headers === 'function') rest.headers = rejectingInsteadOfThrowing(rest.headers);

  // The delta option: the events' text goes into a delta stream. An error the
  // server reports inside the stream ends the call (see `settle` below).
  let deltaStream = null;
  let deltaError = null;
  if (delta) {
    deltaStream = createDeltaStream({
      ...delta,
      onError(error) {
        deltaError = error;
        delta.onError?.(error);
      },
    });
  }
  const internals = deltaStream && deltaInternals(deltaStream);
  // Abort flushes the delta stream's tail during the abort itself: nothing of
  // ours runs after the caller's abort() returns.
  const onAbort = () => deltaStream?.abort();
  signal?.addEventListener('abort', onAbort);

  const state = { lastEventId: '' };
  let records = new Uint32Array(64);
  let answer;
  // Made once, not per chunk: a batch stops at an abort from a callback.
  const stillCurrent = () => !signal?.aborted;
  let retry;
  const handlers = {
    event(event, data) {
      const message = { id: state.lastEventId, event, data, retry };
      retry = undefined;
      if (deltaStream && !internals) deltaStream.pushEvent(message);
      onmessage?.(message);
    },
    retry(ms) {
      retry = ms;
    },
  };
  const hooks = {
    fetch: customFetch ? rejectingInsteadOfThrowing(customFetch) : globalThis.fetch,
    signal,
    hasOnopen: typeof onopen === 'function',
    hasOnmessage: typeof onmessage === 'function',
    // onopen and onerror hand what they return over through answer(): see
    // `Hooks::answer` in src/wasm/client/js.rs for why.
    onopen(response) {
      answer = onopen(response);
    },
    onerror(error) {
      answer = typeof onerror === 'function' ? onerror(error) : undefined;
    },
    answer() {
      const value = answer;
      answer = undefined;
      return value;
    },
    onclose: () => onclose?.(),
    onmetrics: (metrics) => onmetrics?.(metrics),
    onstream: (response) => onstream?.(response),
    onretry: (info) => onretry?.(info),
    makeError: (type, message, fields) => new FetchEventSourceError(type, message, fields),
    deliver(view, ascii, wideBytes) {
      // `view` and `wideBytes` lie in wasm memory, which any call into wasm
      // may move (a callback, the delta stream): the records are copied first
      // into this stream's own array, reused for every chunk (a chunk is never
      // delivered inside another), and the text is decoded.
      if (records.length < view.length) records = new Uint32Array(Math.max(view.length, 2 * records.length));
      records.set(view);
      const wide = decodeWide(wideBytes);
      decodeBatch(records.subarray(0, view.length), ascii, wide, state, handlers, stillCurrent);
    },
    deltaFed: (status) => internals.fed(status),
  };
  try {
    if (internals) await runEventSourceWithDelta(input, rest, hooks, internals.link());
    else await runEventSource(input, rest, hooks);
  } catch (error) {
    if (!signal?.aborted) deltaStream?.abort();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) return;
  if (deltaError) {
    // An error event of the LLM stream: onerror hears of it, and the call ends
    // with it (a retry would re-send the request for an answer that failed).
    if (typeof onerror === 'function') onerror(deltaError);
    throw deltaError;
  }
  // The stream ended without its end marker ([DONE], message_stop...): what
  // arrived is the answer.
  deltaStream?.finish();
}
