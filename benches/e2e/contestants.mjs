// The fetch-to-callback pipelines under comparison, each as an app would write
// it, behind one interface:
//
//   { name, kind, run(url, sink, { flush, fetch }) } -> a Promise that settles
//                                                      when the stream has ended
//
// `kind` says what `sink(string)` is given: 'data' contestants hand it each
// event's data; 'text' contestants (the LLM way: the answer's text) hand it
// each piece of answer text they produce, which the runner concatenates.
// `flush` is for the delta pipeline: 'frame' (its default, what a UI uses)
// in the throughput runs, 'event' in the latency runs. `fetch` is the fetch
// to use (the global one, or one that answers from memory in reads of an
// exact size); every library here takes it the way it documents.
//
// Each contestant calls the sink from its own callback literal, so that the
// property load on the library's event object stays monomorphic. Errors throw
// (onerror rethrows), so a broken contestant fails its run instead of retrying
// forever. No AbortSignal: the options are what the READMEs show; the runner
// times out a run instead. Runs in the browser bundle and in Node.

import { fetchEventSource as microsoftFetchEventSource } from '@microsoft/fetch-event-source';
import { createParser as createEventsourceParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';

export const WASM_SSE = 'wasm-sse fetchEventSource';
export const WASM_DELTA = 'wasm-sse fetchEventSource({ delta })';
export const WASM_PARSER = 'wasm-sse createParser over fetch';
export const MICROSOFT = '@microsoft/fetch-event-source';
export const ESP_FEED = 'eventsource-parser, createParser + feed';
export const ESP_STREAM = 'eventsource-parser, EventSourceParserStream';
export const ESP_JSON = 'eventsource-parser + JSON.parse + concat';
export const FLOOR = 'floor: reader.read() + TextDecoder';

const rethrow = (err) => {
  throw err;
};

async function ok(url, fetch) {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} from ${url}`);
  return response;
}

/** The answer text of one OpenAI chat-completion chunk, the way apps read it. */
function contentOf(data) {
  if (data === '[DONE]') return undefined;
  return JSON.parse(data).choices[0]?.delta?.content;
}

/** openWhenHidden so that it never waits on visibility (the page is visible). */
export const microsoft = {
  name: MICROSOFT,
  kind: 'data',
  run: (url, sink, { fetch }) =>
    microsoftFetchEventSource(url, {
      fetch,
      openWhenHidden: true,
      onmessage(e) {
        sink(e.data);
      },
      onerror: rethrow,
    }),
};

/** eventsource-parser's README loop: the body decoded, each chunk fed to `parser`. */
async function feedDecoded(response, parser) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}

/** Its README's first example: a parser fed the decoded text chunk by chunk. */
export const eventsourceParserFeed = {
  name: ESP_FEED,
  kind: 'data',
  async run(url, sink, { fetch }) {
    const response = await ok(url, fetch);
    const parser = createEventsourceParser({
      onEvent(e) {
        sink(e.data);
      },
      onError: rethrow,
    });
    await feedDecoded(response, parser);
  },
};

/** Its README's stream usage: two TransformStreams behind the body. */
export const eventsourceParserStream = {
  name: ESP_STREAM,
  kind: 'data',
  async run(url, sink, { fetch }) {
    const response = await ok(url, fetch);
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

/** What an app does with it for an LLM answer: JSON.parse each event, append its text. */
export const eventsourceParserJson = {
  name: ESP_JSON,
  kind: 'text',
  async run(url, sink, { fetch }) {
    const response = await ok(url, fetch);
    const parser = createEventsourceParser({
      onEvent(e) {
        const content = contentOf(e.data);
        if (content) sink(content);
      },
      onError: rethrow,
    });
    await feedDecoded(response, parser);
  },
};

/**
 * The floor, no SSE parser: the body read with a bare reader.read() loop,
 * decoded, and cut at blank lines. It knows what no parser may assume: LF line
 * ends and one `data: ` line per event. `reads` counts the reads of the last
 * run, so the report can say what read size the stream really arrived in.
 */
export const floor = {
  name: FLOOR,
  kind: 'data',
  reads: 0,
  async run(url, sink, { fetch }) {
    const response = await ok(url, fetch);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let carry = '';
    let reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads++;
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
    floor.reads = reads;
  },
};

export const PEERS = [microsoft, eventsourceParserFeed, eventsourceParserStream, eventsourceParserJson, floor];

/** wasm-sse as its README shows it. */
const wasmSse = ({ fetchEventSource }) => ({
  name: WASM_SSE,
  kind: 'data',
  run: (url, sink, { fetch }) =>
    fetchEventSource(url, {
      fetch,
      onmessage(e) {
        sink(e.data);
      },
      onerror: rethrow,
    }),
});

/** The delta option: the answer's text straight out of wasm, no event objects. */
const wasmDelta = ({ fetchEventSource }) => ({
  name: WASM_DELTA,
  kind: 'text',
  run: (url, sink, { flush, fetch }) =>
    fetchEventSource(url, {
      fetch,
      delta: {
        format: 'openai',
        flush,
        onDelta(f) {
          sink(f.delta);
        },
      },
      onerror: rethrow,
    }),
});

/** Its createParser in a reader loop, fed the body's bytes. */
const wasmParser = ({ createParser }) => ({
  name: WASM_PARSER,
  kind: 'data',
  async run(url, sink, { fetch }) {
    const response = await ok(url, fetch);
    const parser = createParser({
      onEvent(e) {
        sink(e.data);
      },
      onError: rethrow,
    });
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } finally {
      parser.free?.();
    }
  },
});

/**
 * wasm-sse's contestants from the package entry at `url` (loaded as shipped,
 * never bundled), or placeholders saying why they are not measured.
 */
export async function loadWasmSse(url, missingReason) {
  const names = [WASM_SSE, WASM_DELTA, WASM_PARSER];
  const missing = (reason) => names.map((name) => ({ name, missing: reason }));
  if (!url) return missing(missingReason);
  let mod;
  try {
    mod = await import(/* the package as shipped, never bundled */ url);
    // The wasm loads in the background from import; a build from before
    // `ready` instantiated it at import (top-level await) and has none.
    await mod.ready;
  } catch (err) {
    return missing(`importing ${url} failed: ${err}`);
  }
  if (typeof mod.fetchEventSource !== 'function' || typeof mod.createParser !== 'function') {
    return missing(`${url} lacks fetchEventSource or createParser (exports: ${Object.keys(mod).join(', ')})`);
  }
  return [wasmSse(mod), wasmDelta(mod), wasmParser(mod)].map((c) => ({ ...c, from: url }));
}
