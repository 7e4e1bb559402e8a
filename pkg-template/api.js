// The JavaScript face of wasm-sse, shared by every entry point. The entry
// (index.js for browsers and bundlers, node.js for Node) instantiates the wasm
// before this module's functions can be called.
import { WasmParser } from './wasm_sse.js';

// Record layout written by src/wasm/parser.rs; keep the two in step.
const EVENT = 1;
const RETRY = 2;
const COMMENT = 3;
const MAX_BUFFER = 4;
const INVALID_RETRY = 5;
const UNKNOWN_FIELD = 6;
const HAS_TYPE = 1 << 8;
const NEW_ID = 1 << 9;
const WIDE = 1 << 31;
const TWO_TO_32 = 2 ** 32;

const noop = () => {};

/** A problem found while parsing; `type` says which. Parsing goes on after it. */
export class ParseError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = 'ParseError';
    Object.assign(this, fields);
  }
}

/**
 * An incremental event-stream parser. See index.d.ts for the contract.
 */
export function createParser(callbacks, options = {}) {
  if (typeof callbacks === 'function') {
    throw new TypeError('createParser takes an object of callbacks ({ onEvent, ... }), not a function');
  }
  const { onEvent = noop, onRetry = noop, onComment, onError } = callbacks ?? {};
  const maxBufferSize = options.maxBufferSize ?? 0;
  if (typeof maxBufferSize !== 'number' || !(maxBufferSize >= 0)) {
    throw new TypeError('maxBufferSize must be a non-negative number of bytes');
  }
  const core = new WasmParser(maxBufferSize, typeof onComment === 'function', typeof onError === 'function');

  let lastEventId = '';
  // A string chunk may end between the two halves of a surrogate pair; the high
  // half waits here for the next chunk instead of becoming U+FFFD.
  let heldHighSurrogate = '';
  // Bumped by reset(), so a reset from inside a callback stops the rest of the batch.
  let generation = 0;

  function deliver(records) {
    if (records.length === 0) return;
    // Strings arrive in two texts, ASCII and the rest; each end offset says
    // which (see src/wasm/parser.rs).
    const ascii = core.take_ascii();
    const wide = core.take_wide();
    let asciiAt = 0;
    let wideAt = 0;
    const next = (end) => {
      if (end & WIDE) {
        const from = wideAt;
        wideAt = end & ~WIDE;
        return wide.slice(from, wideAt);
      }
      const from = asciiAt;
      asciiAt = end;
      return ascii.slice(from, end);
    };
    const batch = generation;
    let caught;
    for (let i = 0; i < records.length && batch === generation; ) {
      const head = records[i++];
      const kind = head & 0xff;
      try {
        if (kind === EVENT) {
          const data = next(records[i++]);
          const event = head & HAS_TYPE ? next(records[i++]) : 'message';
          if (head & NEW_ID) lastEventId = next(records[i++]);
          onEvent({ id: lastEventId, event, data });
        } else if (kind === RETRY) {
          onRetry(records[i++] + records[i++] * TWO_TO_32);
        } else if (kind === COMMENT) {
          onComment(next(records[i++]));
        } else if (kind === MAX_BUFFER) {
          const limit = records[i++] + records[i++] * TWO_TO_32;
          onError(new ParseError(`A line or event exceeded maxBufferSize (${limit} bytes) and was dropped`, { type: 'max-buffer', limit }));
        } else if (kind === INVALID_RETRY) {
          const value = next(records[i++]);
          onError(new ParseError(`Invalid retry value: ${JSON.stringify(value)}`, { type: 'invalid-retry', field: 'retry', value }));
        } else if (kind === UNKNOWN_FIELD) {
          const field = next(records[i++]);
          const value = next(records[i++]);
          onError(new ParseError(`Unknown field ${JSON.stringify(field)}`, { type: 'unknown-field', field, value }));
        } else {
          throw new Error(`wasm-sse: unknown parser record ${kind}`);
        }
      } catch (error) {
        // Keep delivering the rest of the chunk: the parser has consumed it, so
        // stopping here would lose events. The first error is rethrown after.
        caught ??= { error };
      }
    }
    if (caught) throw caught.error;
  }

  function feed(chunk) {
    if (typeof chunk === 'string') {
      let text = heldHighSurrogate + chunk;
      heldHighSurrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        heldHighSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
      deliver(core.feed_str(text));
      return;
    }
    flushHeldSurrogate();
    if (chunk instanceof Uint8Array) {
      deliver(core.feed_bytes(chunk));
    } else if (chunk instanceof ArrayBuffer) {
      deliver(core.feed_bytes(new Uint8Array(chunk)));
    } else if (ArrayBuffer.isView(chunk)) {
      deliver(core.feed_bytes(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    } else {
      throw new TypeError('feed() takes a string, a Uint8Array, an ArrayBuffer or an ArrayBuffer view');
    }
  }

  // A lone high surrogate that no low half followed decodes as U+FFFD, as
  // TextEncoder would have made of it.
  function flushHeldSurrogate() {
    if (heldHighSurrogate) {
      const held = heldHighSurrogate;
      heldHighSurrogate = '';
      deliver(core.feed_str(held));
    }
  }

  function reset(resetOptions = {}) {
    generation++;
    if (resetOptions.consume) {
      flushHeldSurrogate();
      deliver(core.consume());
    } else {
      heldHighSurrogate = '';
      core.reset();
    }
  }

  return { feed, reset };
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
      // At the end of the stream an unfinished event is discarded, as the spec says.
    });
  }
}
