// The parsers under comparison, each behind the same small interface:
//
//   create() -> { feed(chunk: Uint8Array), end(): Tally, dispose?() }
//
// A contestant is fed the 16 KiB Uint8Array chunks of a stream and hands each
// event, a JS object {event, data, id}, to a callback that tallies it (see
// Tally in streams.mjs). The tally stops the engine from optimising the work
// away and lets the runner check that every contestant saw the same events.
//
// Each contestant has its own callback function literal on purpose: a shared
// one would see event objects of every library's shape, turn megamorphic, and
// make each contestant pay for the others.
// This file runs in Node and in the browser bundle.

import { createParser as createEventsourceParser } from 'eventsource-parser';
import { getLines, getMessages } from '@microsoft/fetch-event-source/lib/esm/parse.js';

const newTally = () => ({ events: 0, dataLength: 0, typed: 0, withId: 0 });

/** wasm-sse as shipped: its own createParser, fed bytes directly. */
export function wasmSse(createParser) {
  return {
    name: 'wasm-sse',
    create() {
      const tally = newTally();
      let error;
      const parser = createParser({
        onEvent(e) {
          tally.events++;
          tally.dataLength += e.data.length;
          if (e.event && e.event !== 'message') tally.typed++;
          if (e.id) tally.withId++;
        },
        onError(err) {
          error ??= err;
        },
      });
      return {
        feed: (chunk) => parser.feed(chunk),
        end: () => ({ ...tally, error: error && String(error.message ?? error) }),
        dispose: () => parser.free?.(),
      };
    },
  };
}

/**
 * wasm-sse fed strings, as code ported from eventsource-parser feeds it: the
 * same streaming TextDecoder in front as eventsource-parser's.
 */
export function wasmSseText(createParser) {
  const bytes = wasmSse(createParser);
  return {
    name: 'wasm-sse, fed strings',
    create(stream) {
      const decoder = new TextDecoder('utf-8');
      const parser = bytes.create(stream);
      return { ...parser, feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })) };
    },
  };
}

/** eventsource-parser takes strings: one streaming TextDecoder in front of it. */
export const eventsourceParser = {
  name: 'eventsource-parser',
  create() {
    const tally = newTally();
    let error;
    const decoder = new TextDecoder('utf-8');
    const parser = createEventsourceParser({
      onEvent(e) {
        tally.events++;
        tally.dataLength += e.data.length;
        if (e.event && e.event !== 'message') tally.typed++;
        if (e.id) tally.withId++;
      },
      onError(err) {
        error ??= err;
      },
    });
    return {
      feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })),
      end: () => ({ ...tally, error: error && String(error.message) }),
    };
  },
};

/**
 * @microsoft/fetch-event-source's internal byte-level parser, as its
 * fetchEventSource wires it: getLines(getMessages(onId, onRetry, onMessage)).
 */
export const fetchEventSource = {
  name: '@microsoft/fetch-event-source',
  create() {
    const tally = newTally();
    const onChunk = getLines(
      getMessages(
        () => {},
        () => {},
        (e) => {
          tally.events++;
          tally.dataLength += e.data.length;
          if (e.event && e.event !== 'message') tally.typed++;
          if (e.id) tally.withId++;
        },
      ),
    );
    return { feed: onChunk, end: () => ({ ...tally }) };
  },
};

/**
 * The floor: decode the bytes and count blank lines, building no objects.
 * Reports only an event count (the other tally fields are null and skipped by
 * the check). `eol` is the stream's line end, known in advance, which no real
 * parser may assume.
 */
export const baseline = {
  name: 'baseline (decode + count)',
  create(stream) {
    const separator = stream.eol === 'CRLF' ? '\r\n\r\n' : '\n\n';
    const decoder = new TextDecoder('utf-8');
    let events = 0;
    let carry = '';
    return {
      feed(chunk) {
        // Keep the last few characters: a separator can straddle two chunks.
        const text = carry + decoder.decode(chunk, { stream: true });
        let at = text.indexOf(separator);
        let from = 0;
        while (at !== -1) {
          events++;
          from = at + separator.length;
          at = text.indexOf(separator, from);
        }
        carry = text.slice(Math.max(from, text.length - separator.length + 1));
      },
      end: () => ({ events, dataLength: null, typed: null, withId: null }),
    };
  },
};

/** The peers, in report order, behind wasm-sse. */
export const PEERS = [eventsourceParser, fetchEventSource, baseline];

/** A contestant that could not be loaded: reported, never run. */
export const missing = (name, reason) => ({ name, missing: reason });

/**
 * wasm-sse from its built entry (a file: URL in Node, an http: URL in the
 * browser), or a `missing` placeholder saying why it is not measured.
 */
export async function loadWasmSse(url, missingReason) {
  if (!url) return missing('wasm-sse', missingReason);
  let mod;
  try {
    mod = await import(/* the package as shipped, never bundled */ url);
    // The wasm loads in the background from import; a build from before
    // `ready` instantiated it at import (top-level await) and has none.
    await mod.ready;
  } catch (err) {
    return missing('wasm-sse', `importing ${url} failed: ${err}`);
  }
  if (typeof mod.createParser !== 'function') {
    return missing('wasm-sse', `${url} exports no createParser (exports: ${Object.keys(mod).join(', ')})`);
  }
  // `text`: the same parser fed strings, measured beside it.
  return { ...wasmSse(mod.createParser), text: wasmSseText(mod.createParser) };
}
