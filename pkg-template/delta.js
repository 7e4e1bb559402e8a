// createDeltaStream: text deltas out of SSE events, coalesced, flushed at safe
// boundaries (UTF-16, grapheme, markdown), on the pipeline in src/delta/. It
// needs the wasm instantiated (see loader.js).
//
// Crossing into wasm costs about as much as extracting a small event, so events
// are queued here and pushed in one batch per flush (src/wasm/delta.rs), and
// raw event-stream chunks given to feed() are parsed and extracted in wasm with
// no JS object per event. The whole text is kept here by concatenation: a flush
// hands over only the new text and the live display tail.
import { WasmDelta } from './wasm_sse.js';
import { FEED_TYPES, chunkBytes, createParser, holdHighSurrogate, isHighSurrogate } from './api.js';
import { createPartialValue } from './partial-json.js';
import { assertReady } from './loader.js';

// Wire values shared with src/wasm/delta.rs; keep the two in step.
const TEXT = 0x80000000;
const DONE = 1;
const ERROR = 2;
// Change bits of a flush.
const REASONING = 1;
const TOOL_CALLS = 2;
const USAGE = 4;
const FINISH_REASON = 8;
const RESTARTED = 16;
const NO_CALLS = Object.freeze([]);

const MARKDOWN = { off: 0, hold: 1, heal: 2 };
const PRESETS = ['openai', 'openai-chat', 'openai-responses', 'anthropic', 'ai-sdk', 'text'];
const FRAME_FALLBACK_MS = 16;

const noop = () => {};

// A string that does not end in half a surrogate pair, so that two queued
// strings can never join into one character (the halves become U+FFFD, as a
// lone surrogate does anywhere).
function whole(s) {
  return isHighSurrogate(s.charCodeAt(s.length - 1)) ? s.slice(0, -1) + '\uFFFD' : s;
}

function flushPolicy(flush) {
  if (flush === undefined || flush === 'frame') return { kind: 'frame' };
  if (flush === 'event' || flush === 'manual') return { kind: flush };
  if (flush !== null && typeof flush === 'object' && typeof flush.intervalMs === 'number' && flush.intervalMs >= 0) {
    return { kind: 'interval', ms: flush.intervalMs };
  }
  throw new TypeError("flush must be 'frame', 'event', 'manual' or { intervalMs: number }");
}

// One channel's part of a flush; `display` is built on first read, so a UI
// that keeps the stable part never pays for it.
function channel(delta, text, stableLength, displayTail) {
  let display;
  return {
    delta,
    text,
    stableLength,
    displayTail,
    get display() {
      return (display ??= text.slice(0, stableLength) + displayTail);
    },
  };
}

// For fetchEventSource's `delta` option (client.js): a stream's wasm pipeline
// handle, and what to do after the client pushed a chunk's events into it.
const internals = new WeakMap();

/**
 * For client.js only: `{ link(), fed(status) }` of a stream made with a preset
 * or a pointer, or `undefined` (a format function needs events in JS).
 * `fed` returns whether the stream still wants events.
 */
export function deltaInternals(stream) {
  return internals.get(stream);
}

/**
 * A markdown-safe stream of text deltas. See delta.d.ts for the contract.
 */
export function createDeltaStream(options = {}) {
  assertReady('createDeltaStream()');
  const { format = 'text', markdown = 'heal', onDelta = noop, onError, onDone = noop } = options ?? {};
  const policy = flushPolicy(options?.flush);
  if (!(markdown in MARKDOWN)) throw new TypeError("markdown must be 'off', 'hold' or 'heal'");
  const userFormat = typeof format === 'function' ? format : null;
  if (!userFormat && !(typeof format === 'string' && (PRESETS.includes(format) || format.startsWith('/')))) {
    throw new TypeError(`unknown format ${JSON.stringify(format)}: use ${PRESETS.join(', ')}, a JSON pointer or a function`);
  }
  // A function's results are plain text; the wasm side then extracts nothing.
  let core = WasmDelta.create(userFormat ? 'text' : format, MARKDOWN[markdown]);
  if (core === undefined) throw new TypeError(`invalid JSON pointer ${JSON.stringify(format)}`);

  let text = '';
  // The other channels, as the last flush left them (see `deliver`).
  let reasoning = null;
  let toolCalls = NO_CALLS;
  let inputs = [];
  let usage = null;
  let finishReason = null;
  let closed = false;
  // Queued items: their strings concatenated, and two numbers each (see wasm).
  let queue = '';
  const records = [];
  // pushText() may end between the halves of a surrogate pair: the high half
  // waits for the next text.
  let heldHigh = '';
  // feed() with a string chunk: the same, for the event-stream text.
  let heldFeedHigh = '';
  // feed() with a function format parses in JS, since the function runs here.
  let jsParser = null;

  const raf = policy.kind === 'frame' ? globalThis.requestAnimationFrame : undefined;
  const useRaf = typeof raf === 'function';
  let timer = null;

  function schedule() {
    if (timer !== null || closed) return;
    if (useRaf) timer = raf.call(globalThis, tick);
    else timer = globalThis.setTimeout(tick, policy.kind === 'interval' ? policy.ms : FRAME_FALLBACK_MS);
  }

  function cancel() {
    if (timer === null) return;
    if (useRaf) globalThis.cancelAnimationFrame(timer);
    else globalThis.clearTimeout(timer);
    timer = null;
  }

  function tick() {
    timer = null;
    if (!closed && drain()) deliver(false);
  }

  // After each push: flush now, or make sure a flush is coming.
  function pushed() {
    if (policy.kind === 'event') {
      if (drain()) deliver(false);
    } else if (policy.kind !== 'manual') {
      schedule();
    }
  }

  function releaseHeldHigh() {
    if (heldHigh) {
      heldHigh = '';
      queue += '\uFFFD';
      records.push(TEXT, 1);
    }
  }

  function queueText(t) {
    [t, heldHigh] = holdHighSurrogate(heldHigh + t);
    if (t) {
      queue += t;
      records.push(TEXT, t.length);
    }
  }

  // Pushes the queued items into wasm. false when that ended the stream.
  function drain() {
    if (records.length === 0) return true;
    const status = core.push(queue, Uint32Array.from(records));
    queue = '';
    records.length = 0;
    return settle(status);
  }

  function settle(status) {
    if (status === DONE) {
      end('done');
      return false;
    }
    if (status === ERROR) {
      end('error', core.take_error());
      return false;
    }
    return true;
  }

  function deliver(finishing) {
    const out = core.flush(finishing);
    if (out === undefined) return;
    const changes = core.changes();
    const restarted = (changes & RESTARTED) !== 0;
    if (restarted) {
      text = '';
      reasoning = null;
      toolCalls = NO_CALLS;
      inputs = [];
      usage = null;
      finishReason = null;
    }
    const added = core.text_len() - text.length;
    const delta = out.slice(0, added);
    text += delta;
    if (changes & REASONING) {
      const both = core.reasoning();
      const before = reasoning?.text ?? '';
      const grown = both.slice(0, core.reasoning_text_len() - before.length);
      reasoning = channel(grown, before + grown, core.reasoning_stable_len(), both.slice(grown.length));
    } else if (reasoning !== null && reasoning.delta !== '') {
      reasoning = channel('', reasoning.text, reasoning.stableLength, reasoning.displayTail);
    }
    if (changes & TOOL_CALLS) toolCalls = updateCalls(JSON.parse(core.tool_calls()));
    if (changes & USAGE) usage = JSON.parse(core.usage());
    if (changes & FINISH_REASON) finishReason = core.finish_reason() ?? null;
    const flush = channel(delta, text, core.stable_len(), out.slice(added));
    flush.done = finishing;
    flush.restarted = restarted;
    flush.reasoning = reasoning;
    flush.toolCalls = toolCalls;
    flush.usage = usage;
    flush.finishReason = finishReason;
    onDelta(flush);
  }

  // The calls the flush changed, as [index, id, name, argumentsDelta, done,
  // inputReset, inputOps] (src/wasm/delta.rs): new objects for those only, so a
  // UI re-renders only what changed.
  function updateCalls(changed) {
    const calls = toolCalls.slice();
    for (const [index, id, name, argumentsDelta, done, reset, ops] of changed) {
      const input = (inputs[index] ??= createPartialValue());
      if (reset) input.reset();
      input.applyOps(ops);
      const before = calls[index];
      calls[index] = Object.freeze({
        index,
        id,
        name,
        arguments: (before?.arguments ?? '') + argumentsDelta,
        input: input.value,
        done: done === 1,
      });
    }
    return Object.freeze(calls);
  }

  // The one way out: the last flush, then free the wasm side.
  function end(how, error) {
    if (closed) return;
    closed = true;
    cancel();
    try {
      deliver(true);
    } finally {
      release();
      if (how === 'done') onDone();
      else if (how === 'error') {
        if (typeof onError === 'function') onError(error);
        else throw error;
      }
    }
  }

  function pushEvent(event) {
    if (closed) return;
    if (userFormat) {
      const t = userFormat(event);
      if (t === undefined || t === null) return;
      queueText(String(t));
    } else {
      releaseHeldHigh();
      const type = event.event === undefined || event.event === 'message' ? '' : whole(String(event.event));
      const data = whole(String(event.data ?? ''));
      queue += type;
      queue += data;
      records.push(type.length, data.length);
    }
    pushed();
  }

  function pushText(t) {
    if (closed) return;
    queueText(String(t));
    pushed();
  }

  function feed(chunk) {
    if (closed) return;
    if (userFormat) {
      jsParser ??= createParser({ onEvent: pushEvent });
      jsParser.feed(chunk);
      return;
    }
    // Events pushed before this chunk go in first.
    if (!drain()) return;
    let status;
    if (typeof chunk === 'string') {
      let text;
      [text, heldFeedHigh] = holdHighSurrogate(heldFeedHigh + chunk);
      status = core.feed_str(text);
    } else {
      const bytes = chunkBytes(chunk);
      if (bytes === undefined) throw new TypeError(FEED_TYPES);
      status = core.feed_bytes(bytes);
    }
    if (settle(status)) pushed();
  }

  function flush() {
    if (!closed && drain()) deliver(false);
  }

  // An event-stream text that ends in half a pair ends inside an unfinished
  // event, which the end discards (heldFeedHigh); a pushed text's half is U+FFFD.
  function finish() {
    if (closed) return;
    releaseHeldHigh();
    if (drain()) end('done');
  }

  // The answer starts over (its request was sent again and could not resume):
  // what was queued belongs to the attempt before, and the next flush says
  // `restarted` with every channel empty.
  function restart() {
    if (closed) return;
    if (!drain()) return;
    heldHigh = '';
    heldFeedHigh = '';
    jsParser?.reset();
    core.restart();
    pushed();
  }

  // What holds wasm memory: the pipeline, and the JS-side parser of a format
  // function. wasm-bindgen registers no finalizer: this is the only release.
  function release() {
    core?.free();
    core = null;
    jsParser?.free();
    jsParser = null;
  }

  // Gone at once: no last flush, no callback after this returns.
  function free() {
    if (!closed) {
      closed = true;
      cancel();
    }
    queue = '';
    records.length = 0;
    release();
  }

  function abort() {
    if (closed) return;
    // Deliver what was pushed, but report nothing more: no end, no error.
    releaseHeldHigh();
    if (records.length) core.push(queue, Uint32Array.from(records));
    queue = '';
    records.length = 0;
    end('abort');
  }

  const stream = {
    pushEvent,
    pushText,
    feed,
    flush,
    finish,
    abort,
    restart,
    free,
    get text() {
      return text;
    },
    get closed() {
      return closed;
    },
  };
  if (typeof Symbol.dispose === 'symbol') stream[Symbol.dispose] = free;
  if (!userFormat) {
    internals.set(stream, {
      link: () => core.link(),
      fed(status) {
        if (closed) return false;
        if (settle(status)) pushed();
        return !closed;
      },
    });
  }
  return stream;
}
