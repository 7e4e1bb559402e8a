// The fetch-to-onmessage pipelines under comparison, each as an app would
// write it, behind one interface:
//
//   run(url, sink) -> Promise that settles when the stream has ended
//
// `sink(data)` takes each event's data string; the runner's sink counts or
// time-stamps it. Each contestant calls it from its own callback literal, so
// that the property load on the library's event object stays monomorphic; the
// sink itself only ever sees strings. Errors throw (onerror rethrows), so a
// broken contestant fails its run instead of retrying forever. No AbortSignal:
// the options are what the READMEs show (with a signal, wasm-sse listens for
// abort anew for every chunk it reads); the runner times out a run instead.
// Runs in the browser bundle.

import { fetchEventSource as microsoftFetchEventSource } from '@microsoft/fetch-event-source';
import { createParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';

export const WASM_SSE = 'wasm-sse fetchEventSource';
export const MICROSOFT = '@microsoft/fetch-event-source';
export const ESP_FEED = 'eventsource-parser, createParser + feed';
export const ESP_STREAM = 'eventsource-parser, EventSourceParserStream';
export const BASELINE = 'baseline (fetch + decode + split)';

const rethrow = (err) => {
  throw err;
};

async function ok(url) {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} from ${url}`);
  return response;
}

/** wasm-sse as its README shows it. */
export const wasmSse = (fetchEventSource) => ({
  name: WASM_SSE,
  run: (url, sink) =>
    fetchEventSource(url, {
      onmessage(e) {
        sink(e.data);
      },
      onerror: rethrow,
    }),
});

/** openWhenHidden so that it never waits on visibility (the page is visible). */
export const microsoft = {
  name: MICROSOFT,
  run: (url, sink) =>
    microsoftFetchEventSource(url, {
      openWhenHidden: true,
      onmessage(e) {
        sink(e.data);
      },
      onerror: rethrow,
    }),
};

/** Its README's first example: a parser fed the decoded text chunk by chunk. */
export const eventsourceParserFeed = {
  name: ESP_FEED,
  async run(url, sink) {
    const response = await ok(url);
    const parser = createParser({
      onEvent(e) {
        sink(e.data);
      },
      onError: rethrow,
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  },
};

/** Its README's stream usage: two TransformStreams behind the body. */
export const eventsourceParserStream = {
  name: ESP_STREAM,
  async run(url, sink) {
    const response = await ok(url);
    const reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onError: 'terminate' }))
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink(value.data);
    }
  },
};

/**
 * The floor, no SSE parser: the body read as fetchEventSource reads it,
 * decoded, and cut at blank lines. It knows what no parser may assume: LF line
 * ends and one `data: ` line per event.
 */
export const baseline = {
  name: BASELINE,
  async run(url, sink) {
    const response = await ok(url);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let carry = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = carry + decoder.decode(value, { stream: true });
      let from = 0;
      let at = text.indexOf('\n\n');
      while (at !== -1) {
        sink(text.slice(from + 6, at));
        from = at + 2;
        at = text.indexOf('\n\n', from);
      }
      carry = text.slice(from);
    }
  },
};

export const PEERS = [microsoft, eventsourceParserFeed, eventsourceParserStream, baseline];

/**
 * wasm-sse's fetchEventSource from the package entry at `url`, or a
 * placeholder saying why it is not measured.
 */
export async function loadWasmSse(url, missingReason) {
  if (!url) return { name: WASM_SSE, missing: missingReason };
  let mod;
  try {
    mod = await import(/* the package as shipped, never bundled */ url);
    // The wasm loads in the background from import; a build from before
    // `ready` instantiated it at import (top-level await) and has none.
    await mod.ready;
  } catch (err) {
    return { name: WASM_SSE, missing: `importing ${url} failed: ${err}` };
  }
  if (typeof mod.fetchEventSource !== 'function') {
    return { name: WASM_SSE, missing: `${url} exports no fetchEventSource (exports: ${Object.keys(mod).join(', ')})` };
  }
  return { ...wasmSse(mod.fetchEventSource), from: url };
}
