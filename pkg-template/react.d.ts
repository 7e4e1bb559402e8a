/**
 * wasm-sse/react: React hooks for event streams and LLM chat (OpenAI, Anthropic,
 * OpenAI Responses and AI SDK streams).
 * `react` (>= 18) is an optional peer dependency, imported only by this entry.
 */
import type {
  DeltaChannel,
  DeltaCodeFence,
  DeltaError,
  DeltaFlush,
  DeltaFlushPolicy,
  DeltaFormatFunction,
  DeltaMarkdownMode,
  DeltaMathDelimiters,
  DeltaPointer,
  DeltaPreset,
  DeltaToolCall,
  FetchEventSourceError,
  FetchEventSourceInit,
  FetchEventSourceMessage,
  FetchEventSourceMetrics,
  JsonValue,
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

/** One message of the conversation: its role and text, and for an answer of
 * the assistant what else it carried. */
export interface ChatMessage {
  role: ChatRole;
  /** The text. */
  content: string;
  /** An answer's reasoning (thinking) text, when it had some. The default
   * request bodies do not send it back. */
  reasoning?: string;
  /** An answer's tool calls, when it made some, as its last flush left them.
   * The default request bodies do not send them back: a provider takes tool
   * calls only followed by their results, which only the app has (send them
   * with a `body` function). */
  toolCalls?: readonly DeltaToolCall[];
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
  /** The reasoning (thinking) so far, markdown-safe like the answer (render
   * `reasoning.display`); `null` until some arrives. */
  readonly reasoning: DeltaChannel | null;
  /** The tool calls so far, in the order they began (`[]` when none); `input`
   * is the value parsed from the arguments so far. A call that did not change
   * keeps its object. */
  readonly toolCalls: readonly DeltaToolCall[];
  /** The usage as the provider sent it (merged across events), or `null`. */
  readonly usage: DeltaFlush['usage'];
  /** The finish reason as the provider spells it (`stop`, `tool_calls`,
   * `end_turn`, `tool-calls`...), or `null` before the end. */
  readonly finishReason: string | null;
  /** The code fence `display` ends inside, while it does (see `DeltaFlush`). */
  readonly codeFence: DeltaCodeFence | null;
  /** How many times the answer started over: the request was sent again with
   * no event ID to resume from (`restartWithoutId`), and everything above
   * holds the new attempt only. A UI that renders the stable part once should
   * render it again when this changes. */
  readonly restarts: number;
}

/**
 * Where a chat turn is.
 * - `'idle'`: nothing sent yet.
 * - `'connecting'`: the request is on its way.
 * - `'streaming'`: the response opened; the answer is arriving.
 * - `'retrying'`: an attempt failed; the request is sent again (with
 *   `Last-Event-ID`; from the start with `restartWithoutId`).
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

/** The wire format of the answer: a preset, a JSON pointer to each event's
 * text, or a function. It also picks the default request body. */
export type ChatFormat = DeltaPreset | DeltaPointer | DeltaFormatFunction;

/** A JSON request body. */
export type ChatRequestBody = { [key: string]: JsonValue };

/** Options of {@link useChat}; read at each `send` (`headers` before each attempt). */
export interface UseChatOptions {
  /** The endpoint, such as `'https://api.openai.com/v1/chat/completions'`. */
  url: string;
  /** The `model` of the default request body. */
  model?: string;
  /** Request headers (`Content-Type: application/json` is added unless given).
   * A function (sync or async) is called before every attempt, retries
   * included, so that a token that expired in between is refreshed; the
   * function of the latest render is the one called. */
  headers?: FetchEventSourceInit['headers'];
  /**
   * The request body (sent as JSON), given the conversation and the default
   * body for `format`, which it may extend (`{ ...body, tools }`). The
   * default body sends each message's role and text, in the shape of the format:
   * - `'openai'` (and anything that is not a preset below):
   *   `{ model, messages, stream: true }`;
   * - `'anthropic'`: `{ model, max_tokens: 4096, system?, messages, stream: true }`
   *   (system messages joined into `system`, empty messages left out);
   * - `'openai-responses'`: `{ model, input: messages, stream: true }`;
   * - `'ai-sdk'`: `{ messages: [{ id, role, parts: [{ type: 'text', text }] }] }`.
   */
  body?: (messages: readonly ChatMessage[], body: ChatRequestBody) => object;
  /** Where each event's text is, and the default request body's shape. Default `'openai'`. */
  format?: ChatFormat;
  /** How the display treats markdown. Default `'hold'`. */
  markdown?: DeltaMarkdownMode;
  /** Which math delimiters the display knows (see `DeltaMathDelimiters`). Default `'off'`. */
  math?: DeltaMathDelimiters;
  /** When the answer updates. Default `'frame'` (at most once per animation frame). */
  flush?: DeltaFlushPolicy;
  /** The conversation to start from, such as a system message. */
  initialMessages?: readonly ChatMessage[];
  /**
   * What to do when the connection drops after events that had no ID (the
   * real providers send none), so the answer cannot be resumed. Default
   * `false`: the turn ends with status `'error'` and a `network` error with
   * `resumable: false`; the partial answer stays in `answer`. `true`: the
   * request is sent again, and paid again, and the answer starts over
   * (`answer.restarts` grows). Also accepted in `fetchOptions`.
   */
  restartWithoutId?: boolean;
  /** More `fetchEventSource` options: the retry policy (`maxRetries` defaults to
   * 5 here), `idleTimeoutMs`, `credentials`, a custom `fetch`, callbacks... */
  fetchOptions?: ChatFetchOptions;
}

/** What {@link useChat} returns. */
export interface UseChatResult {
  /** The conversation: the user prompts and, once complete, the assistant
   * answers (with their reasoning and tool calls). */
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
 * A streaming chat: OpenAI Chat Completions by default; Anthropic Messages,
 * OpenAI Responses and the AI SDK UI message stream through `format`. The
 * answer comes through the markdown-safe delta pipeline: render
 * `answer.display.slice(0, stableLength)` once per `stableLength` (and
 * `restarts`) and `answer.displayTail` live; `answer.reasoning`,
 * `answer.toolCalls`, `answer.usage` and `answer.finishReason` come with it.
 * Unmounting aborts the turn with no state update afterwards.
 */
export declare function useChat(options: UseChatOptions): UseChatResult;
