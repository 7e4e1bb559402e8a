/**
 * wasm-sse: a spec-exact Server-Sent Events parser and client, in Rust compiled
 * to WebAssembly. No init call is needed: importing the package loads the wasm.
 */

/** One dispatched event. */
export interface EventSourceMessage {
  /** The event type: the block's `event:` field, or `"message"`. */
  event: string;
  /** The block's `data:` lines joined with `"\n"`. */
  data: string;
  /**
   * The stream's last event ID after this event, as the spec defines it: sticky,
   * so an event without an `id:` field carries the last ID seen (`""` if none).
   */
  id: string;
}

/** What `ParseError.type` can be. */
export type ParseErrorType = 'max-buffer' | 'invalid-retry' | 'unknown-field';

/** A problem found while parsing. Parsing continues after it. */
export declare class ParseError extends Error {
  readonly name: 'ParseError';
  /** `max-buffer`: a line or event outgrew `maxBufferSize` and was dropped.
   * `invalid-retry`: a `retry:` value that is not all ASCII digits was ignored.
   * `unknown-field`: a field the spec does not know was ignored. */
  readonly type: ParseErrorType;
  /** The field name, for `invalid-retry` and `unknown-field`. */
  readonly field?: string;
  /** The field value, for `invalid-retry` and `unknown-field`. */
  readonly value?: string;
  /** The configured limit in bytes, for `max-buffer`. */
  readonly limit?: number;
}

/** Callbacks for {@link createParser}. Only `onEvent` is needed. */
export interface ParserCallbacks {
  /** A blank line dispatched an event that has data. */
  onEvent?: (event: EventSourceMessage) => void;
  /** A valid `retry:` field set the reconnection time, in milliseconds. */
  onRetry?: (retryMs: number) => void;
  /** A comment line (`:` then text), without one leading space. */
  onComment?: (comment: string) => void;
  /** A recoverable problem; see {@link ParseError}. */
  onError?: (error: ParseError) => void;
}

/** Options for {@link createParser}. */
export interface ParserOptions {
  /**
   * The most bytes one line, or the data of one event, may hold. A longer one is
   * dropped with a `max-buffer` error instead of growing memory without end.
   * Omitted or 0: no limit.
   */
  maxBufferSize?: number;
}

/** Options for {@link EventSourceParser.reset}. */
export interface ResetOptions {
  /** Dispatch an unfinished line and event instead of discarding them. */
  consume?: boolean;
}

/** An incremental parser returned by {@link createParser}. */
export interface EventSourceParser {
  /**
   * Parses the next chunk. Chunks may be cut anywhere, even inside a UTF-8
   * sequence, a surrogate pair, a CRLF or the BOM. Callbacks run before it returns.
   */
  feed(chunk: string | Uint8Array | ArrayBuffer | ArrayBufferView): void;
  /**
   * Starts a new stream: an unfinished line and event are discarded (or dispatched,
   * with `consume`). The last event ID is kept, as a reconnecting client needs.
   */
  reset(options?: ResetOptions): void;
}

/**
 * Creates a parser that follows the WHATWG "Server-sent events" parsing rules.
 * The names follow `eventsource-parser`, so code written for it can switch.
 */
export declare function createParser(callbacks: ParserCallbacks, options?: ParserOptions): EventSourceParser;

/** Options for {@link EventSourceParserStream}. */
export interface StreamOptions extends ParserOptions {
  /** `'terminate'` errors the stream on a parse error; a function is called with it.
   * Omitted: parse errors are ignored. */
  onError?: 'terminate' | ((error: ParseError) => void);
  /** Called for each valid `retry:` field. */
  onRetry?: (retryMs: number) => void;
  /** Called for each comment line. */
  onComment?: (comment: string) => void;
}

/**
 * A `TransformStream` from bytes or text to events:
 * `response.body.pipeThrough(new EventSourceParserStream())`.
 * An event left unfinished when the input ends is discarded, as the spec says.
 */
export declare class EventSourceParserStream extends TransformStream<string | Uint8Array, EventSourceMessage> {
  constructor(options?: StreamOptions);
}
