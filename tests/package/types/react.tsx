// 'wasm-sse/react': `useChat` and `useEventSource` in components, with every option.
import type { ReactNode } from 'react';
import {
  FetchEventSourceError,
  type DeltaChannel,
  type DeltaFlush,
  type DeltaToolCall,
  type FetchEventSourceMessage,
  type FetchEventSourceMetrics,
  type JsonValue,
} from 'wasm-sse';
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
  type UseChatOptions,
  type UseChatResult,
  type UseEventSourceInit,
  type UseEventSourceResult,
} from 'wasm-sse/react';
import { check, exactly, type Equal } from './expect.js';

// The signatures, pinned (a parameter type that decays to `any` fails here).
check<Equal<Parameters<typeof useEventSource>, [string | null | undefined, (UseEventSourceInit | undefined)?]>>();
check<Equal<ReturnType<typeof useEventSource>, UseEventSourceResult>>();
check<Equal<Parameters<typeof useChat>, [UseChatOptions]>>();
check<Equal<ReturnType<typeof useChat>, UseChatResult>>();

/** The `fetchEventSource` options a chat passes on, each given (the `RequestInit` fields are optional). */
const fetchOptions = {
  onopen: async (response) => void exactly<Response>()(response),
  onmessage: (message) => void exactly<FetchEventSourceMessage>()(message),
  onclose() {},
  onerror: (error) => (error instanceof FetchEventSourceError && error.type === 'http-status' ? 2000 : undefined),
  onmetrics: (metrics) => void exactly<FetchEventSourceMetrics>()(metrics),
  onstream: (response) => void exactly<Response>()(response),
  onretry: ({ delayMs, retry, restart }) => void [delayMs, retry, restart],
  openWhenHidden: false,
  fetch: globalThis.fetch,
  retryDelayMs: 500,
  backoffMultiplier: 1.5,
  maxDelayMs: 10_000,
  jitter: 0,
  maxRetries: 3,
  maxElapsedMs: 60_000,
  retryOnContentType: false,
  reconnectOnEnd: false,
  restartWithoutId: false,
  idleTimeoutMs: 20_000,
  maxBufferSize: 0,
} satisfies Required<Omit<ChatFetchOptions, keyof RequestInit>>;

const system: ChatMessage = { role: 'system', content: 'Be brief.' };
const roles: ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const formats: ChatFormat[] = ['openai', 'anthropic', 'openai-responses', 'ai-sdk', 'text', '/delta/text', ({ data }) => data];

/** Every option of `useChat`, each given. */
const chatOptions = {
  url: 'https://api.openai.com/v1/chat/completions',
  model: 'gpt-4o-mini',
  headers: async () => ({ Authorization: `Bearer ${await Promise.resolve('token')}` }),
  body(messages, body) {
    exactly<readonly ChatMessage[]>()(messages);
    exactly<ChatRequestBody>()(body);
    const tools: JsonValue = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }];
    return { ...body, tools, temperature: 0 };
  },
  format: 'anthropic',
  markdown: 'hold',
  math: 'off',
  flush: { intervalMs: 50 },
  initialMessages: [system],
  restartWithoutId: true,
  fetchOptions: { ...fetchOptions, credentials: 'include', mode: 'cors' },
} satisfies Required<UseChatOptions>;

function Tool({ call }: { call: DeltaToolCall }): ReactNode {
  const input = call.input;
  const city = typeof input === 'object' && input !== null && !Array.isArray(input) ? input['city'] : undefined;
  return (
    <li key={call.id ?? call.index}>
      {call.name ?? '…'}({call.arguments}) {typeof city === 'string' ? city : null} {call.done ? '✓' : '…'}
    </li>
  );
}

export function Chat(): ReactNode {
  const chat: UseChatResult = useChat(chatOptions);
  const { messages, answer, status, error, metrics, timeToFirstTokenMs, reconnects, send, stop } = chat;
  exactly<readonly ChatMessage[]>()(messages);
  exactly<ChatAnswer>()(answer);
  exactly<ChatStatus>()(status);
  exactly<StreamFailure | null>()(error);
  exactly<FetchEventSourceMetrics | null>()(metrics);
  exactly<number | null>()(timeToFirstTokenMs);
  exactly<number>()(reconnects);
  exactly<(prompt: string) => void>()(send);
  exactly<() => void>()(stop);

  // Every field of the answer.
  exactly<string>()(answer.text);
  exactly<string>()(answer.display);
  exactly<number>()(answer.stableLength);
  exactly<string>()(answer.displayTail);
  exactly<boolean>()(answer.done);
  exactly<DeltaChannel | null>()(answer.reasoning);
  exactly<readonly DeltaToolCall[]>()(answer.toolCalls);
  exactly<DeltaFlush['usage']>()(answer.usage);
  exactly<string | null>()(answer.finishReason);
  exactly<string | undefined>()(answer.codeFence?.language);
  exactly<number>()(answer.restarts);
  for (const message of messages) {
    exactly<ChatRole>()(message.role);
    exactly<string>()(message.content);
    exactly<string | undefined>()(message.reasoning);
    exactly<readonly DeltaToolCall[] | undefined>()(message.toolCalls);
  }
  const usage = answer.usage?.['output_tokens'];
  const busy = status === 'connecting' || status === 'streaming' || status === 'retrying';
  const failed = error instanceof FetchEventSourceError && error.resumable === false ? 'The connection dropped.' : error?.message;

  // Each kind of the simpler calls.
  useChat({ url: '/chat' });
  useChat({ url: '/chat', headers: { 'X-Key': 'k' }, format: '/choices/0/delta/content' });
  useChat({ url: '/chat', headers: () => new Headers(), initialMessages: roles.map((role) => ({ role, content: '' })) });
  const perFormat = formats.map((format): UseChatOptions => ({ url: '/chat', format }));
  void perFormat;

  return (
    <section>
      {messages.map((message, i) => (
        <article key={i} data-role={message.role}>
          {message.reasoning ? <details>{message.reasoning}</details> : null}
          {message.content}
          {message.toolCalls?.map((call) => <Tool key={call.index} call={call} />)}
        </article>
      ))}
      {answer.reasoning ? <details open={!answer.done}>{answer.reasoning.display}</details> : null}
      <div key={answer.restarts}>{answer.display.slice(0, answer.stableLength)}</div>
      <div>{answer.displayTail}</div>
      <ul>{answer.toolCalls.map((call) => <Tool key={call.index} call={call} />)}</ul>
      {typeof usage === 'number' ? <small>{usage} tokens</small> : null}
      {failed ? <p role="alert">{failed}</p> : null}
      <button onClick={() => (busy ? stop() : send('Hello'))}>{busy ? 'Stop' : 'Send'}</button>
    </section>
  );
}

/** Every option of `useEventSource`, each given. */
const eventSourceInit = {
  ...fetchOptions,
  headers: () => ({ 'Last-Seen': String(Date.now()) }),
} satisfies Required<Omit<UseEventSourceInit, Exclude<keyof RequestInit, 'headers'>>>;

export function Ticker({ url }: { url: string | null }): ReactNode {
  const result: UseEventSourceResult = useEventSource(url, eventSourceInit);
  const { lastMessage, status, error, metrics, close } = result;
  exactly<FetchEventSourceMessage | null>()(lastMessage);
  exactly<EventSourceStatus>()(status);
  exactly<StreamFailure | null>()(error);
  exactly<FetchEventSourceMetrics | null>()(metrics);
  exactly<() => void>()(close);
  useEventSource(undefined);
  useEventSource('/ticks', { method: 'POST', body: '{}', headers: [['X-Key', 'k']], reconnectOnEnd: true });
  return (
    <p data-status={status} onClick={close}>
      {lastMessage?.data ?? '…'} {metrics?.events}
    </p>
  );
}
