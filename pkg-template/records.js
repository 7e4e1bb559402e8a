// The JS side of the two record formats that cross the wasm boundary: the
// parser's batches (src/wasm/parser.rs) and the delta pipeline's pushes and
// flushes (src/wasm/delta.rs). The tags are defined once, as Rust enums that
// wasm-bindgen exports from wasm_sse.js; each function here takes them as its
// `wire` argument. This module imports nothing, so that the Rust wasm tests
// bind it as it ships (`#[wasm_bindgen(module = "/pkg-template/records.js")]`)
// instead of keeping decoders of their own.

const TWO_TO_32 = 2 ** 32;

/** A problem found while parsing; `type` says which. Parsing goes on after it. */
export class ParseError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = 'ParseError';
    Object.assign(this, fields);
  }
}

// A batch's non-ASCII text arrives as UTF-8 bytes and is decoded here, not by
// wasm-bindgen (which decodes the ASCII text): Node 20 decodes non-ASCII text
// twice as fast with { stream: true } (ICU) as without, and ASCII the other
// way round. The text is always whole UTF-8, so the decoder never carries
// bytes from one batch to the next.
const wideDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A batch's non-ASCII text from its UTF-8 bytes (`undefined` when there are none). */
export function decodeWide(bytes) {
  return bytes === undefined || bytes.length === 0 ? undefined : wideDecoder.decode(bytes, { stream: true });
}

/**
 * Decodes one parser batch and calls the handlers in stream order:
 * `event(type, data)` (the last event ID is in `state.lastEventId`),
 * `retry(ms)`, `comment(text)`, `error(ParseError)`. `wire` is
 * `{ ParserRecord, ParserFlag }` of wasm_sse.js. Stops early when
 * `stillCurrent()` turns false (a reset or abort from a callback). A throwing
 * handler does not lose the rest of the batch: the parser has consumed it; the
 * first error is rethrown at the end.
 */
export function decodeBatch(wire, records, ascii, wide, state, handlers, stillCurrent) {
  const { Event, Retry, Comment, MaxBuffer, InvalidRetry, UnknownField } = wire.ParserRecord;
  const { HasType, NewId, Wide } = wire.ParserFlag;
  // Strings arrive in two texts, ASCII and the rest; each end offset says which.
  let asciiAt = 0;
  let wideAt = 0;
  const next = (end) => {
    if (end & Wide) {
      const from = wideAt;
      wideAt = end & ~Wide;
      return wide.slice(from, wideAt);
    }
    const from = asciiAt;
    asciiAt = end;
    return ascii.slice(from, end);
  };
  let caught;
  for (let i = 0; i < records.length && stillCurrent(); ) {
    const head = records[i++];
    const kind = head & 0xff;
    try {
      if (kind === Event) {
        const data = next(records[i++]);
        const event = head & HasType ? next(records[i++]) : 'message';
        if (head & NewId) state.lastEventId = next(records[i++]);
        handlers.event(event, data);
      } else if (kind === Retry) {
        handlers.retry(records[i++] + records[i++] * TWO_TO_32);
      } else if (kind === Comment) {
        handlers.comment(next(records[i++]));
      } else if (kind === MaxBuffer) {
        const limit = records[i++] + records[i++] * TWO_TO_32;
        handlers.error(new ParseError(`A line or event exceeded maxBufferSize (${limit} bytes) and was dropped`, { type: 'max-buffer', limit }));
      } else if (kind === InvalidRetry) {
        const value = next(records[i++]);
        handlers.error(new ParseError(`Invalid retry value: ${JSON.stringify(value)}`, { type: 'invalid-retry', field: 'retry', value }));
      } else if (kind === UnknownField) {
        const field = next(records[i++]);
        const value = next(records[i++]);
        handlers.error(new ParseError(`Unknown field ${JSON.stringify(field)}`, { type: 'unknown-field', field, value }));
      } else {
        throw new Error(`wasm-sse: unknown parser record ${kind}`);
      }
    } catch (error) {
      caught ??= { error };
    }
  }
  if (caught) throw caught.error;
}

/**
 * Items queued for one `WasmDelta.push`: their strings concatenated, and two
 * numbers each, the head (the event type's UTF-16 length, 0 for `message`, or
 * `DeltaItem.Text` for plain text) and the data's UTF-16 length. `wire` is
 * `{ DeltaItem, DeltaStatus, DeltaChange }` of wasm_sse.js.
 */
export class DeltaBatch {
  constructor(wire) {
    this.textHead = wire.DeltaItem.Text;
    this.strings = '';
    this.records = [];
  }

  get empty() {
    return this.records.length === 0;
  }

  /** An event for the extractor. Neither string may end in half a surrogate pair. */
  event(type, data) {
    if (type === 'message') type = '';
    this.strings += type;
    this.strings += data;
    this.records.push(type.length, data.length);
  }

  /** Plain text, taken as it is. */
  plain(text) {
    this.strings += text;
    this.records.push(this.textHead, text.length);
  }

  /** Pushes the items into `core` (a WasmDelta), empties the batch and returns the status. */
  pushInto(core) {
    const status = core.push(this.strings, Uint32Array.from(this.records));
    this.clear();
    return status;
  }

  clear() {
    this.strings = '';
    this.records.length = 0;
  }
}

/**
 * One flush of `core` (a WasmDelta; `finishing` flushes everything and ends,
 * `showHeld` flushes the held-back grapheme clusters too), decoded,
 * or `undefined` when there is nothing new. `textLength` and
 * `reasoningLength` are the UTF-16 lengths of the answer and the reasoning JS
 * has kept so far (from before a restart too: a restart counts from zero).
 * Returns `{ restarted, delta, stableLength, displayTail }` for the answer;
 * `reasoning` (the same four minus `restarted`) when it changed; `toolCalls`,
 * the changed calls as `{ index, id, name, argumentsDelta, done, inputReset,
 * inputOps }`, when they changed; `usage` (parsed) when it changed;
 * `finishReason` (a string or null) when it arrived; and `codeFence`, the info
 * string of the code fence the answer's display ends inside, when it does.
 */
export function readFlush(wire, core, finishing, textLength, reasoningLength, showHeld = false) {
  const out = showHeld ? core.release() : core.flush(finishing);
  if (out === undefined) return undefined;
  const { Reasoning, ToolCalls, Usage, FinishReason, Restarted, CodeFence } = wire.DeltaChange;
  const changes = core.changes();
  const restarted = (changes & Restarted) !== 0;
  if (restarted) {
    textLength = 0;
    reasoningLength = 0;
  }
  // The returned string is the new text followed by the display tail.
  const added = core.text_len() - textLength;
  const flush = { restarted, delta: out.slice(0, added), stableLength: core.stable_len(), displayTail: out.slice(added) };
  if (changes & Reasoning) {
    const both = core.reasoning();
    const grown = core.reasoning_text_len() - reasoningLength;
    flush.reasoning = { delta: both.slice(0, grown), stableLength: core.reasoning_stable_len(), displayTail: both.slice(grown) };
  }
  if (changes & ToolCalls) {
    // [index, id, name, argumentsDelta, done, inputReset, inputOps] per call.
    flush.toolCalls = JSON.parse(core.tool_calls()).map(([index, id, name, argumentsDelta, done, inputReset, inputOps]) => ({
      index,
      id,
      name,
      argumentsDelta,
      done: done === 1,
      inputReset: inputReset === 1,
      inputOps,
    }));
  }
  if (changes & Usage) flush.usage = JSON.parse(core.usage());
  if (changes & FinishReason) flush.finishReason = core.finish_reason() ?? null;
  if (changes & CodeFence) flush.codeFence = core.code_fence();
  return flush;
}
