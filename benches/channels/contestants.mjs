// Who is measured, in Node and in the browser bundle alike: createDeltaStream
// of a wasm-sse build imported by URL (pkg/ and the baseline), and the AI
// SDK's way of following a tool call's arguments.

import { createParser } from 'eventsource-parser';
// ai 7: parsePartialJson is exported by `ai` itself and is async (its
// safeParseJSON comes from @ai-sdk/provider-utils); the SDK awaits it on every
// tool-input delta (processUIMessageStream), and so does this contestant.
import { parsePartialJson } from 'ai';

/**
 * createDeltaStream of the build at `url`, once its wasm is ready, or why not.
 * A build from before `ready` instantiated its wasm at import (top-level await).
 * @returns {Promise<{ createDeltaStream: Function } | { missing: string }>}
 */
export async function loadDelta(url, missingReason) {
  if (!url) return { missing: missingReason };
  let mod;
  try {
    mod = await import(/* the package as shipped, never bundled */ url);
    await mod.ready;
  } catch (err) {
    return { missing: `importing ${url} failed: ${err}` };
  }
  let { createDeltaStream } = mod;
  if (typeof createDeltaStream !== 'function') {
    try {
      ({ createDeltaStream } = await import(new URL('delta.js', url).href));
    } catch (err) {
      return { missing: `${url} exports no createDeltaStream and delta.js beside it failed: ${err}` };
    }
  }
  return { createDeltaStream };
}

/**
 * The channel-cost run: every answer through a new delta stream, each chunk
 * fed, then one flush, as a UI flushes once per network read. Returns the
 * last flush (the `done` one), which the caller checks outside the timing.
 */
export function feedAnswer(createDeltaStream, format, chunks) {
  let last = null;
  const d = createDeltaStream({ format, markdown: 'hold', flush: 'manual', onDelta: (f) => (last = f) });
  for (const chunk of chunks) {
    d.feed(chunk);
    d.flush();
  }
  d.finish();
  return last;
}

/**
 * Tool-input contestants: `run(chunks, stamps)` feeds one chunk at a time,
 * writes performance.now() before the first and after each into `stamps`, and
 * returns the last value it had for the first call's input.
 */
export const AI_SDK = {
  name: 'eventsource-parser + JSON.parse + ai parsePartialJson',
  async run(chunks, stamps) {
    let args = '';
    let grew = false;
    let value;
    const decoder = new TextDecoder();
    const parser = createParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        for (const call of JSON.parse(e.data).choices[0]?.delta?.tool_calls ?? []) {
          const piece = call.index === 0 ? call.function?.arguments : undefined;
          if (piece) {
            args += piece;
            grew = true;
          }
        }
      },
    });
    stamps[0] = performance.now();
    for (let i = 0; i < chunks.length; i++) {
      parser.feed(decoder.decode(chunks[i], { stream: true }));
      if (grew) {
        grew = false;
        value = (await parsePartialJson(args)).value;
      }
      stamps[i + 1] = performance.now();
    }
    return value;
  },
};

/** wasm-sse: a flush per event, reading toolCalls[0].input each time. */
export function wasmSseToolInput(createDeltaStream) {
  return {
    name: "wasm-sse createDeltaStream({ format: 'openai', flush: 'event' })",
    run(chunks, stamps) {
      let value;
      const d = createDeltaStream({
        format: 'openai',
        flush: 'event',
        onDelta(f) {
          value = f.toolCalls[0]?.input;
        },
      });
      stamps[0] = performance.now();
      for (let i = 0; i < chunks.length; i++) {
        d.feed(chunks[i]);
        stamps[i + 1] = performance.now();
      }
      d.finish();
      return value;
    },
  };
}

/** Structural equality of JSON values (key order aside). */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** Where two JSON values first differ, for a report. */
export function firstDifference(a, b, path = '$') {
  if (deepEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return `${path}: differ`;
}
