// The JavaScript face of wasm-sse's parser, shared by every entry point. Its
// functions need the wasm instantiated (loader.js); the entry starts the load.
import { ParserFlag, ParserRecord, WasmParser, wasmMemory } from './wasm_sse.js';
import { assertReady } from './loader.js';
import { decodeBatch as decodeRecords, decodeWide } from './records.js';

export { ParseError } from './records.js';

// The batch format's tags, as src/wasm/parser.rs defines them.
const PARSER_WIRE = { ParserRecord, ParserFlag };

const noop = () => {};

// String chunks are encoded by TextEncoder.encodeInto straight into the
// parser's input area in wasm memory: one native pass. (Passing the string to
// wasm-bindgen copies it with a JS loop up to its first non-ASCII character,
// then re-encodes the rest.)
const encoder = new TextEncoder();
let memory;

export const FEED_TYPES = 'feed() takes a string, a Uint8Array, an ArrayBuffer or an ArrayBuffer view';

export const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;

/**
 * Text that may end between the two halves of a surrogate pair, split for a
 * chunked consumer: `[whole, held]`, where `held` is a trailing high half that
 * waits for the next chunk (prepend it then), or ''.
 */
export function holdHighSurrogate(text) {
  return isHighSurrogate(text.charCodeAt(text.length - 1)) ? [text.slice(0, -1), text.slice(-1)] : [text, ''];
}

/** A binary chunk as bytes, or `undefined` when it is not one. */
export function chunkBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * Decodes one batch from the wasm side and calls the handlers in stream order;
 * see `decodeBatch` in records.js.
 */
export function decodeBatch(records, ascii, wide, state, handlers, stillCurrent) {
  decodeRecords(PARSER_WIRE, records, ascii, wide, state, handlers, stillCurrent);
}

/**
 * An incremental event-stream parser. See index.d.ts for the contract.
 */
export function createParser(callbacks, options = {}) {
  assertReady('createParser()');
  if (typeof callbacks === 'function') {
    throw new TypeError('createParser takes an object of callbacks ({ onEvent, ... }), not a function');
  }
  const { onEvent = noop, onRetry = noop, onComment, onError } = callbacks ?? {};
  // Undefined: the default limit (32 MiB, src/parser.rs); 0 or Infinity: none.
  const { maxBufferSize } = options;
  if (maxBufferSize !== undefined && (typeof maxBufferSize !== 'number' || !(maxBufferSize >= 0))) {
    throw new TypeError('maxBufferSize must be a non-negative number of bytes');
  }
  let core = new WasmParser(maxBufferSize, typeof onComment === 'function', typeof onError === 'function');

  // A string chunk may end between the two halves of a surrogate pair; the high
  // half waits here for the next chunk instead of becoming U+FFFD.
  let heldHighSurrogate = '';
  // Bumped by reset(), so a reset from inside a callback stops the rest of the batch.
  let generation = 0;

  const state = { lastEventId: '' };
  const handlers = {
    event: (event, data) => onEvent({ id: state.lastEventId, event, data }),
    retry: onRetry,
    comment: onComment,
    error: onError,
  };

  function deliver(records) {
    if (records.length === 0) return;
    const batch = generation;
    const wideLength = core.wide_len();
    let wide;
    if (wideLength > 0) {
      memory ??= wasmMemory();
      wide = decodeWide(new Uint8Array(memory.buffer, core.wide_ptr(), wideLength));
    }
    decodeBatch(records, core.take_ascii(), wide, state, handlers, () => batch === generation);
  }

  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  function feedText(text) {
    const at = core.input_area(text.length * 3);
    memory ??= wasmMemory();
    const { written } = encoder.encodeInto(text, new Uint8Array(memory.buffer, at, text.length * 3));
    deliver(core.feed_input(written));
  }

  function feed(chunk) {
    live();
    if (typeof chunk === 'string') {
      // Most chunks neither follow nor end in half a surrogate pair.
      if (heldHighSurrogate === '' && !isHighSurrogate(chunk.charCodeAt(chunk.length - 1))) {
        feedText(chunk);
        return;
      }
      let text;
      [text, heldHighSurrogate] = holdHighSurrogate(heldHighSurrogate + chunk);
      feedText(text);
      return;
    }
    const bytes = chunkBytes(chunk);
    if (bytes === undefined) throw new TypeError(FEED_TYPES);
    flushHeldSurrogate();
    // A callback of the held half's events may have freed the parser.
    if (core !== null) deliver(core.feed_bytes(bytes));
  }

  // A lone high surrogate that no low half followed decodes as U+FFFD, as
  // TextEncoder would have made of it.
  function flushHeldSurrogate() {
    if (heldHighSurrogate) {
      const held = heldHighSurrogate;
      heldHighSurrogate = '';
      feedText(held);
    }
  }

  function reset(resetOptions = {}) {
    live();
    generation++;
    if (resetOptions.consume) {
      flushHeldSurrogate();
      if (core !== null) deliver(core.consume());
    } else {
      heldHighSurrogate = '';
      core.reset();
    }
  }

  // The wasm side is released by free() alone: wasm-bindgen registers no
  // finalizer, so a parser dropped without it keeps its memory for good.
  function live() {
    if (core === null) throw new TypeError('wasm-sse: this parser was freed (free() or [Symbol.dispose])');
  }

  function free() {
    if (core === null) return;
    // Like reset(): the rest of a batch being delivered is not.
    generation++;
    core.free();
    core = null;
  }

  const parser = { feed, reset, free };
  if (typeof Symbol.dispose === 'symbol') parser[Symbol.dispose] = free;
  return parser;
}

/**
 * A TransformStream from bytes or text to parsed events, e.g.
 * `response.body.pipeThrough(new EventSourceParserStream())`.
 */
export class EventSourceParserStream extends TransformStream {
  constructor({ onError, onRetry, onComment, maxBufferSize } = {}) {
    let parser;
    super({
      start(controller) {
        parser = createParser(
          {
            onEvent: (event) => controller.enqueue(event),
            onError:
              onError === 'terminate'
                ? (error) => controller.error(error)
                : typeof onError === 'function'
                  ? onError
                  : undefined,
            onRetry,
            onComment,
          },
          { maxBufferSize },
        );
      },
      transform(chunk) {
        parser.feed(chunk);
      },
      // At the end of the stream an unfinished event is discarded, as the spec
      // says; the parser's wasm memory goes with it (and on cancel).
      flush() {
        parser.free();
      },
      cancel() {
        parser.free();
      },
    });
  }
}
