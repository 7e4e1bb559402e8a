/**
 * wasm-sse: a spec-exact Server-Sent Events parser and client, in Rust compiled
 * to WebAssembly. No init call is needed: importing the package loads the wasm.
 */

declare global {
  // `Symbol.dispose` (explicit resource management) for projects whose `lib`
  // predates it; the same declaration as TypeScript's own esnext lib.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

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
   * Omitted: 32 MiB. `0` or `Infinity`: no limit.
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
  /**
   * Releases the parser's wasm memory now; nothing else does (there is no
   * finalizer), so a parser that is dropped without it keeps its memory. The
   * rest of a chunk being delivered is not delivered; `feed` and `reset` then
   * throw a `TypeError`. Calling it again does nothing.
   */
  free(): void;
  /** {@link EventSourceParser.free}, for `using parser = createParser(...)`. */
  [Symbol.dispose](): void;
}

/**
 * Creates a parser that follows the WHATWG "Server-sent events" parsing rules.
 * The names follow `eventsource-parser`, so code written for it can switch.
 */
export declare function createParser(callbacks: ParserCallbacks, options?: ParserOptions): EventSourceParser;

/**
 * Settles once the wasm is instantiated. Importing the package never waits for
 * it: the load starts at import, in the background (in Node it is read from
 * disk at once, so this is already resolved). `fetchEventSource` and the hooks
 * await it themselves; `createParser`, `new EventSourceParserStream()` and
 * `createDeltaStream` need it done and throw a {@link NotReadyError} before.
 * Rejects when the wasm cannot be loaded.
 */
export declare const ready: Promise<void>;

/** What a synchronous constructor throws when called before `ready` resolved. */
export interface NotReadyError extends Error {
  readonly name: 'NotReadyError';
  readonly type: 'not-ready';
  /** Why the load failed, if it did. */
  readonly cause?: unknown;
}

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

import type { DeltaStreamOptions } from './delta.js';
export * from './delta.js';

/** What `onmessage` receives: @microsoft/fetch-event-source's `EventSourceMessage`. */
export interface FetchEventSourceMessage {
  /** The stream's last event ID (sticky, as the spec defines it; `""` if none). */
  id: string;
  /** The event type, `"message"` when the block had no `event:` field. */
  event: string;
  /** The block's `data:` lines joined with `"\n"`. */
  data: string;
  /** The reconnection delay in ms when a `retry:` field came since the previous event. */
  retry?: number;
}

/** What `FetchEventSourceError.type` can be. */
export type FetchEventSourceErrorType =
  /** A status other than 200 (or 204, which ends quietly): `status`, `statusText`,
   * `contentType`, `body` are set; `retryAfterMs` for 408/429/503 with `Retry-After`. */
  | 'http-status'
  /** Status 200 without a `text/event-stream` media type: `contentType`, `body`. */
  | 'content-type'
  /** fetch rejected, or the body failed while streaming: `message`. With
   * `resumable: false`, the stream had delivered events without an ID, so a new
   * request could not continue it, and the request (not GET/HEAD) was not sent
   * again; the dropped error is its `cause`. See `restartWithoutId`. */
  | 'network'
  /** No headers or no byte arrived for `idleTimeoutMs` (comments count as bytes): `timeoutMs`. */
  | 'idle-timeout'
  /** A line or event outgrew `maxBufferSize`: `limit`. */
  | 'max-buffer'
  /** `maxRetries` retries in a row failed: `retries`, and the last error as `cause`. */
  | 'max-retries'
  /** Retrying would go past `maxElapsedMs`: `elapsedMs`, and the last error as `cause`. */
  | 'max-elapsed';

/** A typed failure of {@link fetchEventSource}; `type` says which. */
export declare class FetchEventSourceError extends Error {
  readonly name: 'FetchEventSourceError';
  readonly type: FetchEventSourceErrorType;
  /** The HTTP status, for `http-status` and `content-type`. */
  readonly status?: number;
  readonly statusText?: string;
  /** The response's `Content-Type`, or `null` when it had none. */
  readonly contentType?: string | null;
  /** Up to 1 KiB of the response body, decoded as UTF-8. */
  readonly body?: string;
  /** The server's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly limit?: number;
  readonly retries?: number;
  readonly elapsedMs?: number;
  /** `false` for a `network` error after which the stream could not be resumed
   * (no event ID) and was not requested again. */
  readonly resumable?: false;
  /** For `max-retries`, `max-elapsed` and a `network` error that is not
   * `resumable`: the error that came last. */
  readonly cause?: unknown;
}

/** What `onretry` is told. */
export interface FetchEventSourceRetry {
  /** How long until the next attempt, in ms. */
  readonly delayMs: number;
  /** Which retry in a row this is, from 1 (an attempt that delivered events resets it). */
  readonly retry: number;
  /** The new request cannot resume the stream and starts it over. */
  readonly restart: boolean;
  /** What failed (as `onerror` saw it), or `null` for a clean end with `reconnectOnEnd`. */
  readonly error: unknown;
}

/** Connection metrics, handed to `onmetrics` once per connection when it opens,
 * and at the end. The three times are the current connection's own, from when
 * its request was sent; `bytes`, `events` and `reconnects` are totals over the call. */
export interface FetchEventSourceMetrics {
  /** From the connection's request to its response headers, in ms; `null` before. */
  timeToHeadersMs: number | null;
  /** From the connection's request to its first body byte, in ms; `null` before. */
  timeToFirstByteMs: number | null;
  /** From the connection's request to its first dispatched event, in ms; `null` before. */
  timeToFirstEventMs: number | null;
  /** Body bytes received over all attempts. */
  bytes: number;
  /** Events dispatched over all attempts. */
  events: number;
  /** Reconnections so far. */
  reconnects: number;
}

/** The `delta` option: {@link createDeltaStream}'s options, fed by this request's events. */
export type FetchEventSourceDeltaOptions = DeltaStreamOptions;

/**
 * Request headers as fetch takes them: a Record, a `Headers` or `[name, value]`
 * pairs. Named through `RequestInit`, which both the DOM lib and @types/node
 * declare: `HeadersInit` and `RequestInfo` are DOM-only names, missing in a
 * Node project whose `lib` has no `"DOM"`.
 */
export type FetchEventSourceHeaders = NonNullable<RequestInit['headers']>;

/**
 * Options of {@link fetchEventSource}: a `RequestInit` (passed to fetch as is,
 * plus `Accept` and `Last-Event-ID`) and @microsoft/fetch-event-source's
 * callbacks, plus the retry policy, an idle timeout, metrics and `delta`.
 */
export interface FetchEventSourceInit extends Omit<RequestInit, 'signal' | 'headers'> {
  /** Headers for every attempt: a Record, a `Headers` or `[name, value]` pairs;
   * or a function returning them (or a promise of them), called before every
   * attempt, so that a token that expired between attempts is refreshed. What it
   * throws is handled as an error of that attempt. */
  headers?: FetchEventSourceHeaders | (() => FetchEventSourceHeaders | Promise<FetchEventSourceHeaders>);
  /** Aborting resolves the promise at once; no callback runs after the abort. */
  signal?: AbortSignal | null;
  /** Called with each response, awaited. Given, it replaces the default check
   * (status 200 and a `text/event-stream` media type); a throw is an error. */
  onopen?: (response: Response) => void | Promise<void>;
  /** Each dispatched event. */
  onmessage?: (message: FetchEventSourceMessage) => void;
  /** The server ended the stream cleanly. Then the promise resolves, unless
   * `reconnectOnEnd` is set. A throw is handled as an error. */
  onclose?: () => void;
  /**
   * A failure. Return a number to retry after that many ms, nothing to let the
   * retry policy decide (it stops on 4xx other than 408/429, and on the limits
   * below), or throw to stop: the promise rejects with what was thrown.
   */
  onerror?: (error: FetchEventSourceError | unknown) => number | null | undefined | void;
  /** Metrics once per connection when it opens, and at the end. */
  onmetrics?: (metrics: FetchEventSourceMetrics) => void;
  /** The response opened the stream: it passed the default check (or `onopen`
   * returned). Events follow. A throw is handled as an error. */
  onstream?: (response: Response) => void;
  /** The retry policy decided to send the request again, after `onerror` had
   * its say: in `delayMs`, the `retry`-th retry in a row, `restart` when the
   * stream cannot resume (see `restartWithoutId`). A UI can show "reconnecting"
   * from the one place that decides. A throw stops the call with it. */
  onretry?: (retry: FetchEventSourceRetry) => void;
  /** When true, reconnecting does not wait for a hidden tab to become visible. */
  openWhenHidden?: boolean;
  /** The fetch used for every attempt (default: the global one). */
  fetch?: typeof fetch;
  /** Base reconnection delay in ms until a `retry:` field sets it. Default 1000. */
  retryDelayMs?: number;
  /** Each retry in a row multiplies the delay by this. Default 2. */
  backoffMultiplier?: number;
  /** The longest delay between attempts, in ms. Default 30000. */
  maxDelayMs?: number;
  /** Random extra delay, up to this fraction of the delay (0 to 1). Default 0.3. */
  jitter?: number;
  /** Give up after this many retries in a row (`max-retries`). Default: no limit. */
  maxRetries?: number;
  /** Give up when retrying would pass this many ms since the call (`max-elapsed`). */
  maxElapsedMs?: number;
  /** Retry a 200 response whose content type is not `text/event-stream` (a
   * proxy's error page, say) instead of stopping with `content-type`. Default false:
   * the spec fails such a connection for good. */
  retryOnContentType?: boolean;
  /** Reconnect when the server ends the stream, as `EventSource` does. Default false. */
  reconnectOnEnd?: boolean;
  /**
   * A stream that delivered events without an `id:` (OpenAI, Anthropic and
   * their peers send none) cannot be resumed: a new request starts the answer
   * over. By default such a request is sent again only when it is a GET or
   * HEAD; any other method rejects with a `network` error that has
   * `resumable: false`, so that the user does not pay for a second answer and
   * never sees two answers glued together. `true` sends it again: the `delta`
   * stream then starts over with a flush that has `restarted: true`.
   * (A resumed stream, with an ID, drops events the server sends again.)
   */
  restartWithoutId?: boolean;
  /** An error (`idle-timeout`, retried as a network error) when no response headers, or no byte
   * of the body, arrive for this long. */
  idleTimeoutMs?: number;
  /** The most bytes one line or event may hold (`max-buffer`, not retried: the
   * resumed stream would meet the same event). Default 32 MiB, far above any
   * real event (a tool result, a base64 image) and far below what takes a tab
   * down; `0` or `Infinity`: no limit. */
  maxBufferSize?: number;
  /**
   * The text of an LLM answer out of the events, coalesced and markdown-safe;
   * see {@link createDeltaStream}. With a preset or a pointer, events are parsed
   * and extracted in wasm with no JS object per event (`onmessage` still runs
   * when given). The last flush comes on the end, on error, and on abort
   * (during the abort itself, so nothing runs after it). An error reported in
   * the stream (`DeltaError`, type `stream-error`) goes to `onerror` and ends
   * the call: the promise rejects with it.
   */
  delta?: FetchEventSourceDeltaOptions;
}

/**
 * Streams `text/event-stream` over fetch, with @microsoft/fetch-event-source's
 * API: resolves when the stream ends (by default), on 204 and on abort; rejects
 * with a {@link FetchEventSourceError} the retry policy stops on, or with what a
 * callback threw.
 */
export declare function fetchEventSource(input: string | URL | Request, init?: FetchEventSourceInit): Promise<void>;
