// `fetchEventSource` from 'wasm-sse' with every option, as a user's project
// writes it. Type-checked only (never run): `tsc --noEmit --strict`.
import {
  FetchEventSourceError,
  fetchEventSource,
  ready,
  type FetchEventSourceDeltaOptions,
  type FetchEventSourceErrorType,
  type FetchEventSourceInit,
  type FetchEventSourceMessage,
  type FetchEventSourceMetrics,
  type FetchEventSourceRetry,
} from 'wasm-sse';
import { check, exactly, type Equal } from './expect.js';

/** Every option that is wasm-sse's own (the `RequestInit` fields are below). */
type OwnOptions = Required<Omit<FetchEventSourceInit, Exclude<keyof RequestInit, 'headers' | 'signal'>>>;

const controller = new AbortController();

/** The options, each given: adding one to `FetchEventSourceInit` fails here until it is exercised. */
const everyOption = {
  headers: { Authorization: 'Bearer token', 'Content-Type': 'application/json' },
  signal: controller.signal,
  async onopen(response) {
    exactly<Response>()(response);
    if (!response.ok) throw new Error(`status ${response.status}`);
  },
  onmessage(message) {
    exactly<FetchEventSourceMessage>()(message);
    const { id, event, data, retry } = message;
    exactly<string>()(id);
    exactly<string>()(event);
    exactly<string>()(data);
    exactly<number | undefined>()(retry);
  },
  onclose() {},
  onerror(error) {
    exactly<unknown>()(error);
    if (error instanceof FetchEventSourceError) {
      if (error.type === 'http-status' && error.status === 401) throw error;
      if (error.retryAfterMs !== undefined) return error.retryAfterMs;
      if (error.type === 'network' && error.resumable === false) throw error;
    }
    return undefined;
  },
  onmetrics(metrics) {
    exactly<FetchEventSourceMetrics>()(metrics);
    const ms: number | null = metrics.timeToFirstEventMs ?? metrics.timeToFirstByteMs ?? metrics.timeToHeadersMs;
    const counts: number = metrics.bytes + metrics.events + metrics.reconnects;
    void ms;
    void counts;
  },
  onstream(response) {
    exactly<Response>()(response);
  },
  onretry(retry) {
    exactly<FetchEventSourceRetry>()(retry);
    const { delayMs, retry: nth, restart, error } = retry;
    exactly<number>()(delayMs);
    exactly<number>()(nth);
    exactly<boolean>()(restart);
    exactly<unknown>()(error);
  },
  openWhenHidden: true,
  fetch: (input, init) => globalThis.fetch(input, init),
  retryDelayMs: 1000,
  backoffMultiplier: 2,
  maxDelayMs: 30_000,
  jitter: 0.3,
  maxRetries: 5,
  maxElapsedMs: 120_000,
  retryOnContentType: true,
  reconnectOnEnd: false,
  restartWithoutId: true,
  idleTimeoutMs: 30_000,
  maxBufferSize: 1 << 20,
  delta: {
    format: 'openai',
    flush: 'frame',
    markdown: 'hold',
    math: 'dollar',
    onDelta(flush) {
      const shown: string = flush.display;
      void shown;
    },
    onError(error) {
      const type: 'stream-error' | 'invalid-json' | 'max-buffer' = error.type;
      const limit: number | undefined = error.limit;
      void type;
      void limit;
    },
    onDone() {},
  },
} satisfies OwnOptions;

await fetchEventSource('/v1/chat/completions', everyOption);

// The `RequestInit` fields go to fetch as they are.
await fetchEventSource(new URL('https://api.example.com/v1/responses'), {
  method: 'POST',
  body: JSON.stringify({ stream: true }),
  cache: 'no-store',
  credentials: 'include',
  integrity: '',
  keepalive: false,
  mode: 'cors',
  priority: 'high',
  redirect: 'follow',
  referrer: '',
  referrerPolicy: 'no-referrer',
  window: null,
  signal: null,
});
await fetchEventSource(new Request('/events'));
await fetchEventSource('/events');
await fetchEventSource('/events', { body: new Blob(['{}']), method: 'POST' });

// `headers` in every form.
await fetchEventSource('/events', { headers: { 'X-Key': 'value' } });
await fetchEventSource('/events', { headers: new Headers({ 'X-Key': 'value' }) });
await fetchEventSource('/events', { headers: [['X-Key', 'value']] });
await fetchEventSource('/events', { headers: () => ({ Authorization: `Bearer ${Date.now()}` }) });
await fetchEventSource('/events', { headers: () => new Headers() });
await fetchEventSource('/events', {
  headers: async () => {
    const token = await Promise.resolve('fresh');
    return [['Authorization', `Bearer ${token}`]];
  },
});

// `onerror` may return a delay, null, nothing, or throw.
await fetchEventSource('/events', { onerror: () => 500 });
await fetchEventSource('/events', { onerror: () => null });
await fetchEventSource('/events', { onerror: () => {} });
await fetchEventSource('/events', {
  onerror(error) {
    throw error;
  },
});
// `onopen` may be synchronous.
await fetchEventSource('/events', { onopen: () => {} });
// A fetch wrapper of the user's.
await fetchEventSource('/events', {
  async fetch(input, init) {
    exactly<RequestInfo | URL>()(input);
    exactly<RequestInit | undefined>()(init);
    return globalThis.fetch(input, init);
  },
});

// `delta` with every format: each preset, a JSON pointer and a function.
const formats = [
  'openai',
  'openai-chat',
  'openai-responses',
  'anthropic',
  'ai-sdk',
  'text',
  '/choices/0/delta/content',
  (event) => {
    exactly<string>()(event.data);
    exactly<string | undefined>()(event.event);
    exactly<string | undefined>()(event.id);
    return event.event === 'message' ? event.data : null;
  },
  () => undefined,
] satisfies NonNullable<FetchEventSourceDeltaOptions['format']>[];
for (const format of formats) await fetchEventSource('/events', { delta: { format } });
await fetchEventSource('/events', { delta: {} });
await fetchEventSource('/events', { delta: { flush: { intervalMs: 50 }, markdown: 'off' } });
await fetchEventSource('/events', { delta: { flush: 'event', markdown: 'heal' } });
await fetchEventSource('/events', { delta: { flush: 'manual' } });

// The promise: void, and what rejects it is typed by `FetchEventSourceError`.
exactly<Promise<void>>()(fetchEventSource('/events'));
exactly<Promise<void>>()(ready);
try {
  await fetchEventSource('/events', { method: 'POST', body: '{}' });
} catch (error) {
  if (error instanceof FetchEventSourceError) {
    check<Equal<typeof error.name, 'FetchEventSourceError'>>();
    const type: FetchEventSourceErrorType = error.type;
    switch (type) {
      case 'http-status':
      case 'content-type':
      case 'network':
      case 'idle-timeout':
      case 'max-buffer':
      case 'max-retries':
      case 'max-elapsed':
        break;
      default:
        exactly<never>()(type);
    }
    exactly<string>()(error.message);
    exactly<number | undefined>()(error.status);
    exactly<string | undefined>()(error.statusText);
    exactly<string | null | undefined>()(error.contentType);
    exactly<string | undefined>()(error.body);
    exactly<number | undefined>()(error.retryAfterMs);
    exactly<number | undefined>()(error.timeoutMs);
    exactly<number | undefined>()(error.limit);
    exactly<number | undefined>()(error.retries);
    exactly<number | undefined>()(error.elapsedMs);
    exactly<false | undefined>()(error.resumable);
    exactly<unknown>()(error.cause);
    const error2: Error = error;
    void error2;
  }
}
