/**
 * wasm-sse/vue: Vue 3 composables for event streams and LLM chat (OpenAI,
 * Anthropic, OpenAI Responses and AI SDK streams).
 * `vue` (>= 3.3) is an optional peer dependency, imported only by this entry.
 * The option and state types are shared with wasm-sse/react (whose types need
 * nothing from React).
 */
import type { MaybeRefOrGetter, Ref, ShallowRef } from 'vue';
import type { FetchEventSourceHeaders, FetchEventSourceMessage, FetchEventSourceMetrics } from './index.js';
import type {
  ChatAnswer,
  ChatMessage,
  ChatStatus,
  EventSourceStatus,
  StreamFailure,
  UseChatOptions,
  UseEventSourceInit,
} from './react.js';

export type {
  ChatAnswer,
  ChatFetchOptions,
  ChatFormat,
  ChatMessage,
  ChatRequestBody,
  ChatRole,
  ChatStatus,
  EventSourceStatus,
  StreamFailure,
  UseEventSourceInit,
} from './react.js';

/** What {@link useEventSource} returns. */
export interface UseEventSourceReturn {
  /** The latest event, `null` before the first one (and after `url` changes). */
  lastMessage: ShallowRef<FetchEventSourceMessage | null>;
  status: Ref<EventSourceStatus>;
  /** Why `status` is `'error'`; `null` otherwise. */
  error: ShallowRef<StreamFailure | null>;
  /** The connection metrics, updated after each open, each reconnect and at the end. */
  metrics: ShallowRef<FetchEventSourceMetrics | null>;
  /** Aborts the stream (status `'closed'`). A new `url` opens a new one. */
  close(): void;
}

/**
 * Streams `url` (a value, a ref or a getter) with `fetchEventSource` while it
 * is non-null. In a component it connects once mounted (never while rendering
 * on the server); outside one, at once. The stream is aborted when `url`
 * changes (then a new one opens) and when the effect scope is disposed (the
 * component unmounts); no callback and no state update happen after that.
 * `init` is read when connecting.
 */
export declare function useEventSource(
  url: MaybeRefOrGetter<string | null | undefined>,
  init?: MaybeRefOrGetter<UseEventSourceInit | undefined>,
): UseEventSourceReturn;

/** Options of {@link useChat}: those of wasm-sse/react's `useChat`, with
 * `url`, `model` and `headers` also as refs or getters. Read at each `send`
 * (`headers` before each attempt). */
export interface UseChatOptionsVue extends Omit<UseChatOptions, 'url' | 'model' | 'headers'> {
  /** The endpoint. */
  url: MaybeRefOrGetter<string>;
  /** The `model` of the default request body. */
  model?: MaybeRefOrGetter<string | undefined>;
  /** Request headers (`Content-Type: application/json` is added unless given).
   * A ref or getter is read before every attempt, retries included, so that a
   * token that expired in between is refreshed; a getter may be async. */
  headers?: MaybeRefOrGetter<FetchEventSourceHeaders | undefined> | (() => Promise<FetchEventSourceHeaders | undefined>);
}

/** What {@link useChat} returns. */
export interface UseChatReturn {
  /** The conversation: the user prompts and, once complete, the assistant
   * answers (with their reasoning and tool calls). */
  messages: ShallowRef<readonly ChatMessage[]>;
  /** The answer of the latest turn, live while it streams. */
  answer: ShallowRef<ChatAnswer>;
  status: Ref<ChatStatus>;
  /** Why `status` is `'error'`; `null` otherwise. */
  error: ShallowRef<StreamFailure | null>;
  /** The connection metrics of the latest turn. */
  metrics: ShallowRef<FetchEventSourceMetrics | null>;
  /** Milliseconds from `send` to the first text of the answer; `null` before. */
  timeToFirstTokenMs: Ref<number | null>;
  /** Reconnections in the latest turn. */
  reconnects: Ref<number>;
  /** Appends a user message and streams the answer. A turn still streaming is
   * stopped first. Ignored after the scope is disposed. */
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
 * Disposing the scope aborts the turn with no state update afterwards.
 */
export declare function useChat(options: UseChatOptionsVue): UseChatReturn;
