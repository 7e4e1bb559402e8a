/**
 * wasm-sse/react: React hooks for event streams and OpenAI-compatible chat.
 * `react` (>= 18) is an optional peer dependency, imported only by this entry.
 */
import type {
  DeltaError,
  DeltaFlushPolicy,
  DeltaFormatFunction,
  DeltaMarkdownMode,
  DeltaPointer,
  DeltaPreset,
  FetchEventSourceError,
  FetchEventSourceInit,
  FetchEventSourceMessage,
  FetchEventSourceMetrics,
} from './index.js';

/**
 * Where a {@link useEventSource} stream is.
 * - `'idle'`: `url` is null; nothing is open.
 * - `'connecting'`: the first request is on its way.
 * - `'open'`: a response opened the stream; events flow.
 * - `'retrying'`: an attempt failed (or the server ended the stream with
 *   `reconnectOnEnd`); the next one is scheduled or on its way.
 * - `'closed'`: the server ended the stream, it answered 204, or `close()` was called.
 * - `'error'`: the call stopped on an error; see `error`.
 */
export type EventSourceStatus = 'idle' | 'connecting' | 'open' | 'retrying' | 'closed' | 'error';

/** What failed: usually a {@link FetchEventSourceError} or a {@link DeltaError};
 * a thrown non-Error value is wrapped in an `Error` whose `cause` it is. */
export type StreamFailure = FetchEventSourceError | DeltaError | Error;

/**
 * Options of {@link useEventSource}: those of `fetchEventSource`, without
 * `signal` (unmounting, a new `url` and `close()` abort) and `delta`.
 */
export type UseEventSourceInit = Omit<FetchEventSourceInit, 'signal' | 'delta'>;

/** What {@link useEventSource} returns. */
export interface UseEventSourceResult {
  /** The latest event, `null` before the first one (and after `url` changes). */
  lastMessage: FetchEventSourceMessage | null;
  status: EventSourceStatus;
  /** Why `status` is `'error'`; `null` otherwise. */
  error: StreamFailure | null;
  /** The connection metrics, updated after each open, each reconnect and at the end. */
  metrics: FetchEventSourceMetrics | null;
  /** Aborts the stream (status `'closed'`). A new `url` opens a new one. */
  close(): void;
}

/**
 * Streams `url` with `fetchEventSource` while it is non-null. The stream is
 * aborted on unmount and when `url` changes (then a new one opens); no callback
 * and no state update happen after that. `init` is read when connecting (a
 * change of headers or body alone does not reconnect); its callbacks are
 * always the latest ones passed.
 */
export declare function useEventSource(url: string | null | undefined, init?: UseEventSourceInit): UseEventSourceResult;

/** A conversation role; the common ones are listed. */
export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | (string & {});

/** One message of the conversation, as the Chat Completions API takes it. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** The live answer: the fields of the latest delta flush (see `DeltaFlush`). */
export interface ChatAnswer {
  /** All raw text received so far. */
  readonly text: string;
  /** The markdown-safe text to render now: `text.slice(0, stableLength) + displayTail`. */
  readonly display: string;
  /** Length of the start of `display` that is final; it never decreases within
   * an answer, so that part can be rendered once. */
  readonly stableLength: number;
  /** The live end of `display`, after `stableLength`: the only part to re-render. */
  readonly displayTail: string;
  /** The answer is complete (done, stopped or failed). */
  readonly done: boolean;
}

/**
 * Where a chat turn is.
 * - `'idle'`: nothing sent yet.
 * - `'connecting'`: the request is on its way.
 * - `'streaming'`: the response opened; the answer is arriving.
 * - `'retrying'`: an attempt failed; the request is sent again (with `Last-Event-ID`).
 * - `'done'`: the answer is complete and appended to `messages`.
 * - `'stopped'`: `stop()` (or a new `send`) ended it; the partial answer, if
 *   any, is appended to `messages`.
 * - `'error'`: it failed; see `error`. The partial answer stays in `answer`
 *   and is not appended.
 */
export type ChatStatus = 'idle' | 'connecting' | 'streaming' | 'retrying' | 'done' | 'stopped' | 'error';

/** `fetchEventSource` options for the chat request. `onmessage`, `onerror` and
 * the other callbacks are called as well as the chat's own handling. */
export type ChatFetchOptions = Omit<FetchEventSourceInit, 'signal' | 'delta' | 'body' | 'headers'>;

/** Options of {@link useChat}; read at each `send`. */
export interface UseChatOptions {
  /** The chat completions endpoint, such as `'https://api.openai.com/v1/chat/completions'`. */
  url: string;
  /** The `model` of the default request body. */
  model?: string;
  /** Request headers (`Content-Type: application/json` is added unless given);
   * a function is called at each `send`, e.g. for a fresh token. */
  headers?: HeadersInit | (() => HeadersInit);
  /** The request body for the conversation (sent as JSON). Default:
   * `{ model, messages, stream: true }`. */
  body?: (messages: readonly ChatMessage[]) => object;
  /** Where each event's text is. Default `'openai'`. */
  format?: DeltaPreset | DeltaPointer | DeltaFormatFunction;
  /** How the display treats markdown. Default `'hold'`. */
  markdown?: DeltaMarkdownMode;
  /** When the answer updates. Default `'frame'` (at most once per animation frame). */
  flush?: DeltaFlushPolicy;
  /** The conversation to start from, such as a system message. */
  initialMessages?: readonly ChatMessage[];
  /** More `fetchEventSource` options: the retry policy (`maxRetries` defaults to
   * 5 here), `idleTimeoutMs`, `credentials`, a custom `fetch`, callbacks... */
  fetchOptions?: ChatFetchOptions;
}

/** What {@link useChat} returns. */
export interface UseChatResult {
  /** The conversation: the user prompts and, once complete, the assistant answers. */
  messages: readonly ChatMessage[];
  /** The answer of the latest turn, live while it streams. */
  answer: ChatAnswer;
  status: ChatStatus;
  /** Why `status` is `'error'`; `null` otherwise. */
  error: StreamFailure | null;
  /** The connection metrics of the latest turn. */
  metrics: FetchEventSourceMetrics | null;
  /** Milliseconds from `send` to the first text of the answer; `null` before. */
  timeToFirstTokenMs: number | null;
  /** Reconnections in the latest turn. */
  reconnects: number;
  /** Appends a user message and streams the answer. A turn still streaming is
   * stopped first. Ignored before mount and after unmount. */
  send(prompt: string): void;
  /** Aborts the turn (`AbortController`): the last flush is applied, status
   * becomes `'stopped'`, and no callback or state update follows. */
  stop(): void;
}

/**
 * An OpenAI-compatible streaming chat (Chat Completions, `stream: true`; other
 * wire formats through `format` and `body`). The answer comes through the
 * markdown-safe delta pipeline: render `answer.display.slice(0, stableLength)`
 * once per `stableLength` and `answer.displayTail` live. Unmounting aborts the
 * turn with no state update afterwards.
 */
export declare function useChat(options: UseChatOptions): UseChatResult;
