// Main-thread time from an OpenAI-style event stream (16 KiB byte chunks) to
// the final answer text. Each contestant has the interface of
// ../parser/contestants.mjs: create() -> { feed(chunk), end(): Tally }, where
// the tally is the answer's length and a hash of it, so the runner can check
// that everyone built the same text. Runs in Node and in the browser bundle.

import { createParser as createEventsourceParser } from 'eventsource-parser';
import { getLines, getMessages } from '@microsoft/fetch-event-source/lib/esm/parse.js';

/** FNV-1a over UTF-16 units: cheap, and the same in every engine. */
export function hashText(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const tallyOf = (text) => ({ length: text.length, hash: hashText(text) });

/** The answer, taken from the decoded stream by the simplest code there is. */
export function expectedAnswer(chunks) {
  const decoder = new TextDecoder();
  const whole = chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
  let text = '';
  for (const block of whole.split('\n\n')) {
    const data = block.startsWith('data: ') ? block.slice(6) : null;
    if (data && data !== '[DONE]') text += JSON.parse(data).choices[0]?.delta?.content ?? '';
  }
  return tallyOf(text);
}

// The JS way: parse each event's JSON, append its content.
export const eventsourceParser = {
  name: 'eventsource-parser + JSON.parse',
  create() {
    let text = '';
    const decoder = new TextDecoder('utf-8');
    const parser = createEventsourceParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        const content = JSON.parse(e.data).choices[0]?.delta?.content;
        if (content) text += content;
      },
    });
    return {
      feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })),
      end: () => tallyOf(text),
    };
  },
};

export const fetchEventSource = {
  name: '@microsoft/fetch-event-source + JSON.parse',
  create() {
    let text = '';
    const onChunk = getLines(
      getMessages(
        () => {},
        () => {},
        (e) => {
          if (e.data === '[DONE]') return;
          const content = JSON.parse(e.data).choices[0]?.delta?.content;
          if (content) text += content;
        },
      ),
    );
    return { feed: onChunk, end: () => tallyOf(text) };
  },
};

/** wasm-sse's createParser, each event pushed into createDeltaStream. */
export function parserThenDelta({ createParser, createDeltaStream }) {
  return {
    name: 'wasm-sse createParser + pushEvent',
    create() {
      let text = '';
      const delta = createDeltaStream({ format: 'openai', flush: 'manual', markdown: 'off', onDelta: (f) => (text = f.text) });
      const parser = createParser({ onEvent: (e) => delta.pushEvent(e) });
      return {
        feed: (chunk) => parser.feed(chunk),
        end: () => {
          delta.finish();
          return tallyOf(text);
        },
      };
    },
  };
}

/**
 * wasm-sse's feed(): bytes in, parsed and extracted in wasm with no JS object
 * per event. `flushEach` flushes after every chunk (a UI's frame), with
 * `markdown` handling; otherwise one flush at the end.
 */
export function feedDelta({ createDeltaStream }, { markdown = 'off', flushEach = false } = {}) {
  return {
    name: `wasm-sse feed${flushEach ? `, ${markdown}, flush per chunk` : ''}`,
    create() {
      let text = '';
      const delta = createDeltaStream({ format: 'openai', flush: 'manual', markdown, onDelta: (f) => (text = f.text) });
      return {
        feed: flushEach
          ? (chunk) => {
              delta.feed(chunk);
              delta.flush();
            }
          : (chunk) => delta.feed(chunk),
        end: () => {
          delta.finish();
          return tallyOf(text);
        },
      };
    },
  };
}

export const PEERS = [eventsourceParser, fetchEventSource];

/** wasm-sse's contestants, or one placeholder saying why they are missing. */
export async function loadWasmSse(url, missingReason) {
  const missing = (reason) => [{ name: 'wasm-sse', missing: reason }];
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
  let { createDeltaStream } = mod;
  if (typeof createDeltaStream !== 'function') {
    // Not exported by the entry yet: delta.js beside it shares its wasm instance.
    try {
      ({ createDeltaStream } = await import(new URL('delta.js', url).href));
    } catch (err) {
      return missing(`${url} exports no createDeltaStream and delta.js beside it failed: ${err}`);
    }
  }
  const api = { createParser: mod.createParser, createDeltaStream };
  return [
    feedDelta(api),
    feedDelta(api, { markdown: 'heal', flushEach: true }),
    parserThenDelta(api),
  ];
}
