/**
 * createDeltaStream: the text of an LLM answer out of its SSE events, delivered
 * in batches and only at safe boundaries (never inside a surrogate pair or a
 * grapheme cluster, and with `markdown` never as half-finished syntax).
 */

/** A built-in wire format: where each event's text, reasoning, tool calls,
 * usage and finish reason are, and how the stream ends. */
export type DeltaPreset =
  /** OpenAI Chat Completions and compatible servers: `choices[0].delta.content`;
   * reasoning from `reasoning_content` or `reasoning`, or a leading
   * `<think>…</think>` in the content; `tool_calls` by `index` (complete at a
   * `finish_reason`); `usage` (also on a last chunk with `choices` `[]` or
   * `null`); `data: [DONE]` ends; a top-level `error` is an error. */
  | 'openai'
  /** Same as `'openai'`. */
  | 'openai-chat'
  /** OpenAI Responses: `response.output_text.delta`; reasoning summary (and
   * reasoning) text; function calls (`id` is the `call_id`, the name from
   * `response.output_item.added`); `response.completed` / `.incomplete` ends,
   * with the usage and the status as `finishReason`; `error` and
   * `response.failed` are errors. */
  | 'openai-responses'
  /** Anthropic Messages: `text_delta`s; `thinking_delta`s as reasoning
   * (`signature_delta` and `redacted_thinking` skipped); `tool_use` blocks with
   * `input_json_delta`; usage from `message_start` and `message_delta`, merged;
   * `stop_reason`; `message_stop` ends; `error` is an error. */
  | 'anthropic'
  /** The Vercel AI SDK UI message stream (`x-vercel-ai-ui-message-stream: v1`):
   * `text-delta`, `reasoning-delta`, `tool-input-start` / `-delta` /
   * `-available`, `finish` (its `finishReason`), `error`; `abort` and
   * `data: [DONE]` end. The SDK sends no usage unless the app adds it. */
  | 'ai-sdk'
  /** The `data` of every event, as is. */
  | 'text';

/** An RFC 6901 JSON pointer into each event's `data`, such as `'/choices/0/delta/content'`. */
export type DeltaPointer = `/${string}`;

/** What a format function receives: an event as `createParser` delivers it. */
export interface DeltaEvent {
  /** The event type; omitted means `"message"`. */
  event?: string;
  /** The event's data. */
  data: string;
  /** The last event ID (not used by the presets). */
  id?: string;
}

/**
 * A format function: the text of one event, or `undefined` (or `null`) for an
 * event without text. It runs in JS, once per event, and its result is pushed as
 * text; it cannot end the stream (call `finish()`). What it throws is thrown by
 * the `pushEvent` or `feed` call that gave it the event.
 */
export type DeltaFormatFunction = (event: DeltaEvent) => string | undefined | null;

/**
 * When flushes happen.
 * - `'frame'`: at most once per animation frame (`requestAnimationFrame` from the
 *   global scope, so also in a worker); where there is none (Node), at most once
 *   per 16 ms. The default.
 * - `{ intervalMs }`: at most once per this many milliseconds (`setTimeout`).
 * - `'event'`: after every `pushEvent`, `pushText` and `feed` call.
 * - `'manual'`: only when `flush()`, `finish()` or `abort()` is called.
 *
 * A flush holds back the text's last grapheme cluster, which the next text may
 * extend (a combining mark, a skin tone); with every policy but `'manual'` it
 * is flushed after 100 ms without new text.
 */
export type DeltaFlushPolicy = 'frame' | 'event' | 'manual' | { intervalMs: number };

/**
 * How the display treats markdown.
 * - `'off'`: the display is the raw text (plain-text answers).
 * - `'hold'`: the display is the longest prefix of the text that renders as the
 *   final text will there; open syntax waits.
 * - `'heal'`: the display shows all the text with open syntax closed or hidden
 *   (`**bo` shows as `**bo**`, a link whose URL is arriving as its text).
 */
export type DeltaMarkdownMode = 'off' | 'hold' | 'heal';

/**
 * Which math delimiters the display treats as math, as your renderer does:
 * math whose closing delimiter has not arrived waits (`'hold'`) or is hidden
 * (`'heal'`) instead of showing as text that turns into math later.
 * - `'off'`: none; `$` and `\(` are text, as in CommonMark and markdown-it. The default.
 * - `'dollar'`: `$…$` and `$$…$$` (remark-math, markdown-it-texmath, pulldown-cmark).
 * - `'latex'`: `\(…\)` and `\[…\]` (KaTeX's and MathJax's auto-render defaults).
 * - `'both'`: all four.
 */
export type DeltaMathDelimiters = 'off' | 'dollar' | 'latex' | 'both';

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The markdown-safe text of one channel (the reasoning), as of a flush. */
export interface DeltaChannel {
  /** The raw text added since the previous flush. */
  readonly delta: string;
  /** All raw text so far. */
  readonly text: string;
  /** `text.slice(0, stableLength) + displayTail`: safe to render now. */
  readonly display: string;
  /** Length (UTF-16 units) of the final start of `display` and `text`. */
  readonly stableLength: number;
  /** The live end of `display`. */
  readonly displayTail: string;
}

/** One tool call of the answer, as of a flush. A call that did not change keeps
 * its object (and its `input`), so a UI can skip it. */
export interface DeltaToolCall {
  /** Its place in `toolCalls`, from 0, in the order the calls began. */
  readonly index: number;
  /** The call's id (`call_…`, `toolu_…`, the Responses `call_id`), once sent. */
  readonly id: string | null;
  /** The function's name, once sent. */
  readonly name: string | null;
  /** The raw JSON text of the arguments so far, exactly as sent. */
  readonly arguments: string;
  /** The value parsed from `arguments` so far, kept up to date incrementally
   * (never by re-parsing the text): only complete keys; a string may be
   * partial; a number or literal appears once complete; `undefined` before
   * the value begins. Malformed arguments leave the last good value. Each flush
   * copies only the objects and arrays it changed. */
  readonly input: JsonValue | undefined;
  /** The arguments are complete. */
  readonly done: boolean;
}

/** One flush, handed to `onDelta`. */
export interface DeltaFlush {
  /** The raw text added since the previous flush. The `delta`s of all flushes
   * concatenated are exactly the text of the stream. */
  readonly delta: string;
  /** All raw text flushed so far: the `delta`s concatenated. */
  readonly text: string;
  /** The markdown-safe text to render now: `text.slice(0, stableLength) +
   * displayTail`. Built when first read; equal to `text` when `done`. */
  readonly display: string;
  /** Length (UTF-16 units) of the start of `display` that is final: complete
   * blocks that render the same in the final text. It is also the start of
   * `text`, and never decreases: a UI can render that part once and re-render
   * only the tail. */
  readonly stableLength: number;
  /** The live end of `display`, after `stableLength`. */
  readonly displayTail: string;
  /** This is the last flush (after the stream's end marker, `finish()`,
   * `abort()` or an error). */
  readonly done: boolean;
  /** The answer started over (`restart()`, or `fetchEventSource` sent a request
   * that could not resume): every channel begins again from empty, and no text
   * of the attempt before is in this flush. */
  readonly restarted: boolean;
  /** The reasoning (thinking), `null` until some arrives; markdown-safe like
   * the answer. */
  readonly reasoning: DeltaChannel | null;
  /** The tool calls so far, in the order they began (`[]` when none). */
  readonly toolCalls: readonly DeltaToolCall[];
  /** The usage object as the provider sent it, merged across events (Anthropic
   * sends input and output tokens apart), or `null`. */
  readonly usage: { readonly [key: string]: JsonValue } | null;
  /** The finish reason as the provider spells it (`stop`, `length`,
   * `tool_calls`, `end_turn`, `tool_use`, `completed`, `tool-calls`...), or `null`. */
  readonly finishReason: string | null;
  /** With `markdown` on, while `display` ends inside an open code fence: that
   * fence. A highlighter can keep that one block open and add the new code to
   * it, instead of re-rendering it from raw text. `null` outside a fence, with
   * markdown off, and on the last flush (the text is final). */
  readonly codeFence: DeltaCodeFence | null;
}

/** The code fence a flush's display ends inside. */
export interface DeltaCodeFence {
  /** The fence's info string, trimmed, as written (`ts title="app.ts"`; `''` when none). */
  readonly info: string;
  /** The info string's first word, by convention the language (`ts`; `''` when none). */
  readonly language: string;
}

/** What `DeltaError.type` can be. */
export type DeltaErrorType = 'stream-error' | 'invalid-json' | 'max-buffer';

/** A problem in the stream; it ends the stream (after a last flush). */
export interface DeltaError extends Error {
  readonly name: 'DeltaError';
  /** `stream-error`: the server sent an error event (`{"error": ...}`,
   * Anthropic's `event: error`, OpenAI's `response.failed`); its text is never
   * shown. `invalid-json`: an event's data is not the JSON the format expects.
   * `max-buffer`: raw bytes given to `feed()` held a line or event longer than
   * 32 MiB (the parser's default limit); the stream ends there. */
  readonly type: DeltaErrorType;
  /** For `stream-error`: the server's error type or code, such as
   * `'overloaded_error'`, when it sent one. */
  readonly code?: string;
  /** For `invalid-json`: the byte offset in the data where the JSON went wrong. */
  readonly at?: number;
  /** For `max-buffer`: the limit, in bytes. */
  readonly limit?: number;
}

/** Options for {@link createDeltaStream}. */
export interface DeltaStreamOptions {
  /** Where each event's text is: a preset, a JSON pointer, or a function.
   * Default `'text'`. */
  format?: DeltaPreset | DeltaPointer | DeltaFormatFunction;
  /** When flushes happen. Default `'frame'`. */
  flush?: DeltaFlushPolicy;
  /** How the display treats markdown. Default `'heal'`. */
  markdown?: DeltaMarkdownMode;
  /** Which math delimiters the markdown handling knows. Default `'off'`. */
  math?: DeltaMathDelimiters;
  /** Each flush that has something new, and the last one (`done: true`). */
  onDelta?: (flush: DeltaFlush) => void;
  /** The stream reported an error or was malformed. Called after the last
   * `onDelta`. Without it, the error is thrown from the call that found it (in
   * a timer: uncaught). */
  onError?: (error: DeltaError) => void;
  /** The stream ended normally (its end marker, or `finish()`). Called after
   * the last `onDelta`. */
  onDone?: () => void;
}

/** A delta stream returned by {@link createDeltaStream}. */
export interface DeltaStream {
  /** Adds one event, e.g. from `createParser`'s or `fetchEventSource`'s
   * `onmessage`. Events are queued and go into wasm together at the next flush. */
  pushEvent(event: DeltaEvent): void;
  /** Adds text found some other way; it may end inside a surrogate pair. */
  pushText(text: string): void;
  /** Adds raw `text/event-stream` input (a `fetch` body chunk, cut anywhere),
   * parsed by the WHATWG rules; with a preset or a pointer, the events are
   * parsed and extracted entirely in wasm, without a JS object per event. */
  feed(chunk: string | Uint8Array | ArrayBuffer | ArrayBufferView): void;
  /** Flushes now what can be shown safely. */
  flush(): void;
  /** Ends the stream: the last `onDelta` (`done: true`, holding everything,
   * held-back text included), then `onDone`. An event left unfinished in
   * `feed` input is discarded, as the spec says. */
  finish(): void;
  /** Starts the answer over, for a stream requested again from its start:
   * the next flush has `restarted: true` and every channel empty. */
  restart(): void;
  /** Stops: the last `onDelta` (`done: true`) is delivered before this returns,
   * and no callback runs afterwards; `onDone` and `onError` are not called. */
  abort(): void;
  /** All text flushed so far (the last flush's `text`). */
  readonly text: string;
  /** The stream has ended (end marker, error, `finish()` or `abort()`); later
   * calls do nothing. */
  readonly closed: boolean;
  /** Releases the stream's wasm memory now, with no last flush: no callback
   * runs after it returns, and later calls do nothing. A stream that ended
   * (`finish()`, `abort()`, its end marker, an error) has released it already;
   * one dropped before that keeps it (there is no finalizer). */
  free(): void;
  /** {@link DeltaStream.free}, for `using stream = createDeltaStream(...)`. */
  [Symbol.dispose](): void;
}

/**
 * Creates a delta stream. Nothing is lost: the `delta`s of all flushes add up
 * to all text pushed, and the held-back tail is always flushed at the end, on
 * abort and on error. Timers come from the global scope, so it runs in a page,
 * a worker and Node.
 */
export declare function createDeltaStream(options?: DeltaStreamOptions): DeltaStream;
