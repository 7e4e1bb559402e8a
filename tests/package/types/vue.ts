// 'wasm-sse/vue': `useChat` and `useEventSource` in `setup`, with every option,
// as plain values, refs and getters.
import { computed, defineComponent, h, ref, shallowRef, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue';
import { FetchEventSourceError, type FetchEventSourceMessage, type FetchEventSourceMetrics } from 'wasm-sse';
import type * as react from 'wasm-sse/react';
import {
  useChat,
  useEventSource,
  type ChatAnswer,
  type ChatFetchOptions,
  type ChatFormat,
  type ChatMessage,
  type ChatRequestBody,
  type ChatRole,
  type ChatStatus,
  type EventSourceStatus,
  type StreamFailure,
  type UseChatOptionsVue,
  type UseChatReturn,
  type UseEventSourceInit,
  type UseEventSourceReturn,
} from 'wasm-sse/vue';
import { check, exactly, type Equal } from './expect.js';

// The option and state types are wasm-sse/react's.
check<Equal<ChatAnswer, react.ChatAnswer>>();
check<Equal<ChatMessage, react.ChatMessage>>();
check<Equal<ChatStatus, react.ChatStatus>>();
check<Equal<ChatFormat, react.ChatFormat>>();
check<Equal<ChatFetchOptions, react.ChatFetchOptions>>();
check<Equal<ChatRequestBody, react.ChatRequestBody>>();
check<Equal<ChatRole, react.ChatRole>>();
check<Equal<EventSourceStatus, react.EventSourceStatus>>();
check<Equal<StreamFailure, react.StreamFailure>>();
check<Equal<UseEventSourceInit, react.UseEventSourceInit>>();

// The signatures, pinned (a parameter type that decays to `any` fails here).
check<Equal<Parameters<typeof useEventSource>, [MaybeRefOrGetter<string | null | undefined>, MaybeRefOrGetter<UseEventSourceInit | undefined>?]>>();
check<Equal<ReturnType<typeof useEventSource>, UseEventSourceReturn>>();
check<Equal<Parameters<typeof useChat>, [UseChatOptionsVue]>>();
check<Equal<ReturnType<typeof useChat>, UseChatReturn>>();

const fetchOptions: ChatFetchOptions = {
  maxRetries: 2,
  idleTimeoutMs: 15_000,
  credentials: 'same-origin',
  onretry: ({ delayMs }) => void delayMs,
  onerror: (error) => (error instanceof FetchEventSourceError && error.retryAfterMs ? error.retryAfterMs : undefined),
};

export const ChatPanel = defineComponent({
  props: { endpoint: { type: String, required: true } },
  setup(props) {
    const model = ref('claude-sonnet-4-5');
    const token = ref('');

    /** Every option, each given, the reactive ones as refs and getters. */
    const options = {
      url: () => props.endpoint,
      model,
      headers: async () => ({ 'x-api-key': await Promise.resolve(token.value) }),
      body: (messages, body) => {
        exactly<readonly ChatMessage[]>()(messages);
        return { ...body, max_tokens: 1024 };
      },
      format: 'anthropic',
      markdown: 'heal',
      math: 'latex',
      flush: 'frame',
      initialMessages: [{ role: 'system', content: 'Be brief.' }],
      restartWithoutId: false,
      fetchOptions,
    } satisfies Required<UseChatOptionsVue>;

    const chat: UseChatReturn = useChat(options);
    const { messages, answer, status, error, metrics, timeToFirstTokenMs, reconnects, send, stop } = chat;
    exactly<ShallowRef<readonly ChatMessage[]>>()(messages);
    exactly<ShallowRef<ChatAnswer>>()(answer);
    exactly<Ref<ChatStatus>>()(status);
    exactly<ShallowRef<StreamFailure | null>>()(error);
    exactly<ShallowRef<FetchEventSourceMetrics | null>>()(metrics);
    exactly<Ref<number | null>>()(timeToFirstTokenMs);
    exactly<Ref<number>>()(reconnects);

    // url, model and headers as plain values, refs, computed refs and getters.
    useChat({ url: '/chat' });
    useChat({ url: ref('/chat'), model: 'gpt-4o-mini', headers: { Authorization: 'Bearer k' } });
    useChat({ url: computed(() => props.endpoint), model: () => undefined, headers: ref(new Headers()) });
    useChat({ url: '/chat', headers: () => [['X-Key', token.value]] });
    useChat({ url: '/chat', headers: async () => undefined, format: ({ data }) => data });

    const busy = computed(() => ['connecting', 'streaming', 'retrying'].includes(status.value));
    return () =>
      h('section', [
        ...messages.value.map((message) => h('article', { 'data-role': message.role }, message.content)),
        answer.value.reasoning ? h('details', answer.value.reasoning.display) : null,
        h('div', { key: answer.value.restarts }, answer.value.display.slice(0, answer.value.stableLength)),
        h('div', answer.value.displayTail),
        h('ul', answer.value.toolCalls.map((call) => h('li', `${call.name ?? ''}(${call.arguments})`))),
        h('button', { onClick: () => (busy.value ? stop() : send('Hello')) }, busy.value ? 'Stop' : 'Send'),
      ]);
  },
});

export const Ticker = defineComponent({
  setup() {
    const url = ref<string | null>('/ticks');
    /** Every option, each given (the `RequestInit` fields are optional). */
    const init = {
      headers: () => ({ 'X-Key': 'k' }),
      onopen: async () => {},
      onmessage: (message) => void exactly<FetchEventSourceMessage>()(message),
      onclose() {},
      onerror: () => 1000,
      onmetrics: (metrics) => void exactly<FetchEventSourceMetrics>()(metrics),
      onstream: (response) => void exactly<Response>()(response),
      onretry: (retry) => void retry.restart,
      openWhenHidden: true,
      fetch: globalThis.fetch,
      retryDelayMs: 1000,
      backoffMultiplier: 2,
      maxDelayMs: 30_000,
      jitter: 0.3,
      maxRetries: 10,
      maxElapsedMs: 300_000,
      retryOnContentType: true,
      reconnectOnEnd: true,
      restartWithoutId: false,
      idleTimeoutMs: 45_000,
      maxBufferSize: 1 << 20,
    } satisfies Required<Omit<UseEventSourceInit, Exclude<keyof RequestInit, 'headers'>>>;

    const result: UseEventSourceReturn = useEventSource(url, init);
    const { lastMessage, status, error, metrics, close } = result;
    exactly<ShallowRef<FetchEventSourceMessage | null>>()(lastMessage);
    exactly<Ref<EventSourceStatus>>()(status);
    exactly<ShallowRef<StreamFailure | null>>()(error);
    exactly<ShallowRef<FetchEventSourceMetrics | null>>()(metrics);

    // url and init as plain values, refs and getters.
    useEventSource('/ticks');
    useEventSource(null);
    useEventSource(() => url.value, () => ({ method: 'POST', body: JSON.stringify({ since: 0 }) }));
    useEventSource(computed(() => url.value), shallowRef<UseEventSourceInit | undefined>(undefined));
    return () => h('p', { 'data-status': status.value, onClick: close }, lastMessage.value?.data ?? '…');
  },
});
