// createDeltaStream: text deltas out of SSE events, coalesced, flushed at safe
// boundaries (UTF-16, grapheme, markdown), on the pipeline in src/delta/. It
// needs the wasm instantiated (see loader.js).
//
// Crossing into wasm costs about as much as extracting a small event, so events
// are queued here and pushed in one batch per flush (src/wasm/delta.rs), and
// raw event-stream chunks given to feed() are parsed and extracted in wasm with
// no JS object per event. The whole text is kept here by concatenation: a flush
// hands over only the new text and the live display tail.
import { DeltaChange, DeltaItem, DeltaStatus, WasmDelta } from './wasm_sse.js';
import { FEED_TYPES, chunkBytes, createParser, holdHighSurrogate, isHighSurrogate } from './api.js';
import { DeltaBatch, readFlush } from './records.js';
import { createPartialValue } from './partial-json.js';
import { assertReady } from './loader.js';

// The wire values, as src/wasm/delta.rs defines them.
const DELTA_WIRE = { DeltaItem, DeltaStatus, DeltaChange };
const NO_CALLS = Object.freeze([]);

const MARKDOWN = { off: 0, hold: 1, heal: 2 };
// Bits: 1 for `$` math, 2 for `\(` `\[` math (src/wasm/delta.rs).
const MATH = { off: 0, dollar: 1, latex: 2, both: 3 };
const PRESETS = ['openai', 'openai-chat', 'openai-responses', 'anthropic', 'ai-sdk', 'text'];
const FRAME_FALLBACK_MS = 16;
// A flush holds back the last grapheme cluster, which the next text may extend
// (a combining mark, a skin tone, a ZWJ and the next emoji). What extends it
// comes within a burst of tokens; after this long without text, the held
// cluster is shown, so that a pause in the answer does not hide its last
// character.
const SHOW_HELD_AFTER_MS = 100;
const now = () => (globalThis.performance ?? Date).now();

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

// The info string as a flush gives it; by convention its first word is the
// language (`rust`, `ts title="x"`), and the rest attributes.
function codeFence(info) {
  return { info, language: info.split(/\s/, 1)[0] };
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

/** The options of createDeltaStream, checked, with their defaults. */
function readOptions(options) {
  const { format = 'text', markdown = 'heal', math = 'off', onDelta = noop, onError, onDone = noop } = options ?? {};
  const policy = flushPolicy(options?.flush);
  if (!Object.hasOwn(MARKDOWN, markdown)) throw new TypeError("markdown must be 'off', 'hold' or 'heal'");
  if (!Object.hasOwn(MATH, math)) throw new TypeError("math must be 'off', 'dollar', 'latex' or 'both'");
  const userFormat = typeof format === 'function' ? format : null;
  if (!userFormat && !(typeof format === 'string' && (PRESETS.includes(format) || format.startsWith('/')))) {
    throw new TypeError(`unknown format ${JSON.stringify(format)}: use ${PRESETS.join(', ')}, a JSON pointer or a function`);
  }
  return { format, markdown, math, onDelta, onError, onDone, policy, userFormat };
}

/** The wasm pipeline for checked options. */
function createCore({ format, markdown, math, userFormat }) {
  // A function's results are plain text; the wasm side then extracts nothing.
  const core = WasmDelta.create(userFormat ? 'text' : format, MARKDOWN[markdown], MATH[math]);
  if (core === undefined) throw new TypeError(`invalid JSON pointer ${JSON.stringify(format)}`);
  return core;
}

/**
 * The timer of the 'frame' and interval policies: `schedule()` makes sure one
 * `tick` is coming, `cancel()` drops it.
 */
function flushTimer(policy, tick) {
  const raf = policy.kind === 'frame' ? globalThis.requestAnimationFrame : undefined;
  const useRaf = typeof raf === 'function';
  let timer = null;
  const fire = () => {
    timer = null;
    tick();
  };
  return {
    schedule() {
      if (timer !== null) return;
      if (useRaf) timer = raf.call(globalThis, fire);
      else timer = globalThis.setTimeout(fire, policy.kind === 'interval' ? policy.ms : FRAME_FALLBACK_MS);
    },
    cancel() {
      if (timer === null) return;
      if (useRaf) globalThis.cancelAnimationFrame(timer);
      else globalThis.clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * What JS keeps between flushes: the whole text, by concatenation, and the
 * other channels as the last flush left them. `apply` turns a flush decoded by
 * records.js into what onDelta receives.
 */
class Channels {
  constructor() {
    this.reset();
  }

  reset() {
    this.text = '';
    this.reasoning = null;
    this.toolCalls = NO_CALLS;
    this.inputs = [];
    this.usage = null;
    this.finishReason = null;
  }

  apply(decoded, finishing) {
    if (decoded.restarted) this.reset();
    this.text += decoded.delta;
    this.applyReasoning(decoded.reasoning);
    if (decoded.toolCalls) this.toolCalls = this.updateCalls(decoded.toolCalls);
    if ('usage' in decoded) this.usage = decoded.usage;
    if ('finishReason' in decoded) this.finishReason = decoded.finishReason;
    const flush = channel(decoded.delta, this.text, decoded.stableLength, decoded.displayTail);
    flush.done = finishing;
    flush.restarted = decoded.restarted;
    flush.reasoning = this.reasoning;
    flush.toolCalls = this.toolCalls;
    flush.usage = this.usage;
    flush.finishReason = this.finishReason;
    flush.codeFence = decoded.codeFence === undefined ? null : codeFence(decoded.codeFence);
    return flush;
  }

  // A flush without new reasoning still says so: its delta is ''.
  applyReasoning(changed) {
    const before = this.reasoning;
    if (changed) {
      const text = (before?.text ?? '') + changed.delta;
      this.reasoning = channel(changed.delta, text, changed.stableLength, changed.displayTail);
    } else if (before !== null && before.delta !== '') {
      this.reasoning = channel('', before.text, before.stableLength, before.displayTail);
    }
  }

  // New objects for the calls the flush changed only, so a UI re-renders only
  // what changed.
  updateCalls(changed) {
    const calls = this.toolCalls.slice();
    for (const { index, id, name, argumentsDelta, done, inputReset, inputOps } of changed) {
      const input = (this.inputs[index] ??= createPartialValue());
      if (inputReset) input.reset();
      input.applyOps(inputOps);
      const before = calls[index];
      calls[index] = Object.freeze({
        index,
        id,
        name,
        arguments: (before?.arguments ?? '') + argumentsDelta,
        input: input.value,
        done,
      });
    }
    return Object.freeze(calls);
  }
}

/**
 * One delta stream: its input (queued in a batch, or fed to wasm), its
 * flushes, and its one way out, `end`. createDeltaStream hands out its methods.
 */
class DeltaStream {
  constructor(config, core) {
    this.config = config;
    this.core = core;
    this.closed = false;
    this.channels = new Channels();
    this.batch = new DeltaBatch(DELTA_WIRE);
    // pushText() may end between the halves of a surrogate pair: the high half
    // waits for the next text.
    this.heldHigh = '';
    // feed() with a string chunk: the same, for the event-stream text.
    this.heldFeedHigh = '';
    // feed() with a function format parses in JS, since the function runs here.
    this.jsParser = null;
    this.timer = flushTimer(config.policy, () => this.tick());
    // One timer at a time, re-armed for what is left of the quiet period when
    // text came meanwhile: no timer work per push.
    this.showHeldTimer = null;
    this.lastPushAt = 0;
  }

  tick() {
    if (!this.closed && this.drain()) this.deliver(false);
  }

  // After each push: flush now, or make sure a flush is coming.
  pushed() {
    this.lastPushAt = now();
    const { kind } = this.config.policy;
    if (kind === 'event') {
      if (this.drain()) this.deliver(false);
    } else if (kind !== 'manual' && !this.closed) {
      this.timer.schedule();
    }
  }

  releaseHeldHigh() {
    if (this.heldHigh) {
      this.heldHigh = '';
      this.batch.plain('\uFFFD');
    }
  }

  queueText(t) {
    [t, this.heldHigh] = holdHighSurrogate(this.heldHigh + t);
    if (t) this.batch.plain(t);
  }

  // Pushes the queued items into wasm. false when that ended the stream.
  drain() {
    if (this.batch.empty) return true;
    return this.settle(this.batch.pushInto(this.core));
  }

  settle(status) {
    if (status === DeltaStatus.Done) {
      this.end('done');
      return false;
    }
    if (status === DeltaStatus.Error) {
      this.end('error', this.core.take_error());
      return false;
    }
    return true;
  }

  deliver(finishing, showHeld = false) {
    const { channels } = this;
    const decoded = readFlush(DELTA_WIRE, this.core, finishing, channels.text.length, channels.reasoning?.text.length ?? 0, showHeld);
    if (decoded !== undefined) this.config.onDelta(channels.apply(decoded, finishing));
    // With 'manual' flushes the caller decides when; otherwise what a flush
    // held back is shown after a pause (SHOW_HELD_AFTER_MS). When nothing is
    // held, the wasm side's release finds nothing to show; after a release
    // nothing is held until more text comes.
    if (!finishing && !showHeld && !this.closed && this.showHeldTimer === null && this.config.policy.kind !== 'manual') {
      this.armShowHeld(SHOW_HELD_AFTER_MS);
    }
  }

  armShowHeld(ms) {
    this.showHeldTimer = globalThis.setTimeout(() => {
      this.showHeldTimer = null;
      if (this.closed) return;
      const quiet = now() - this.lastPushAt;
      if (quiet < SHOW_HELD_AFTER_MS) this.armShowHeld(SHOW_HELD_AFTER_MS - quiet);
      else if (this.drain()) this.deliver(false, true);
    }, ms);
  }

  cancelShowHeld() {
    if (this.showHeldTimer === null) return;
    globalThis.clearTimeout(this.showHeldTimer);
    this.showHeldTimer = null;
  }

  // The one way out: the last flush, then free the wasm side.
  end(how, error) {
    if (this.closed) return;
    this.closed = true;
    this.timer.cancel();
    this.cancelShowHeld();
    try {
      this.deliver(true);
    } finally {
      this.freeWasm();
      if (how === 'done') this.config.onDone();
      else if (how === 'error') {
        if (typeof this.config.onError === 'function') this.config.onError(error);
        else throw error;
      }
    }
  }

  pushEvent(event) {
    if (this.closed) return;
    const { userFormat } = this.config;
    if (userFormat) {
      const t = userFormat(event);
      if (t === undefined || t === null) return;
      this.queueText(String(t));
    } else {
      this.releaseHeldHigh();
      const type = event.event === undefined ? 'message' : whole(String(event.event));
      this.batch.event(type, whole(String(event.data ?? '')));
    }
    this.pushed();
  }

  pushText(t) {
    if (this.closed) return;
    this.queueText(String(t));
    this.pushed();
  }

  feed(chunk) {
    if (this.closed) return;
    if (this.config.userFormat) {
      this.jsParser ??= createParser({ onEvent: (event) => this.pushEvent(event) });
      this.jsParser.feed(chunk);
      return;
    }
    // Events pushed before this chunk go in first.
    if (!this.drain()) return;
    if (this.settle(this.feedCore(chunk))) this.pushed();
  }

  // Hands a raw event-stream chunk to wasm; returns the status.
  feedCore(chunk) {
    if (typeof chunk === 'string') {
      let text;
      [text, this.heldFeedHigh] = holdHighSurrogate(this.heldFeedHigh + chunk);
      return this.core.feed_str(text);
    }
    const bytes = chunkBytes(chunk);
    if (bytes === undefined) throw new TypeError(FEED_TYPES);
    return this.core.feed_bytes(bytes);
  }

  flush() {
    if (!this.closed && this.drain()) this.deliver(false);
  }

  // An event-stream text that ends in half a pair ends inside an unfinished
  // event, which the end discards (heldFeedHigh); a pushed text's half is U+FFFD.
  finish() {
    if (this.closed) return;
    this.releaseHeldHigh();
    if (this.drain()) this.end('done');
  }

  // The answer starts over (its request was sent again and could not resume):
  // what was queued belongs to the attempt before, and the next flush says
  // `restarted` with every channel empty.
  restart() {
    if (this.closed) return;
    if (!this.drain()) return;
    this.heldHigh = '';
    this.heldFeedHigh = '';
    this.jsParser?.reset();
    this.core.restart();
    this.pushed();
  }

  // What holds wasm memory: the pipeline, and the JS-side parser of a format
  // function. wasm-bindgen registers no finalizer: this is the only release.
  freeWasm() {
    this.core?.free();
    this.core = null;
    this.jsParser?.free();
    this.jsParser = null;
  }

  // Gone at once: no last flush, no callback after this returns.
  free() {
    if (!this.closed) {
      this.closed = true;
      this.timer.cancel();
    this.cancelShowHeld();
    }
    this.batch.clear();
    this.freeWasm();
  }

  abort() {
    if (this.closed) return;
    // Deliver what was pushed, but report nothing more: no end, no error.
    this.releaseHeldHigh();
    if (!this.batch.empty) this.batch.pushInto(this.core);
    this.end('abort');
  }

  // For fetchEventSource: after the client pushed a chunk's events into the
  // pipeline through its link, whether the stream still wants events.
  fed(status) {
    if (this.closed) return false;
    if (this.settle(status)) this.pushed();
    return !this.closed;
  }
}

/**
 * A markdown-safe stream of text deltas. See delta.d.ts for the contract.
 */
export function createDeltaStream(options = {}) {
  assertReady('createDeltaStream()');
  const config = readOptions(options);
  const inner = new DeltaStream(config, createCore(config));
  const stream = {
    pushEvent: (event) => inner.pushEvent(event),
    pushText: (t) => inner.pushText(t),
    feed: (chunk) => inner.feed(chunk),
    flush: () => inner.flush(),
    finish: () => inner.finish(),
    abort: () => inner.abort(),
    restart: () => inner.restart(),
    free: () => inner.free(),
    get text() {
      return inner.channels.text;
    },
    get closed() {
      return inner.closed;
    },
  };
  if (typeof Symbol.dispose === 'symbol') stream[Symbol.dispose] = stream.free;
  if (!config.userFormat) {
    internals.set(stream, { link: () => inner.core.link(), fed: (status) => inner.fed(status) });
  }
  return stream;
}
