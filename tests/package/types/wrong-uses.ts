// Wrong uses that the types reject. Each `@ts-expect-error` line must fail to
// compile (tsc reports an unused one), for the reason its comment gives.
import { computed } from 'vue';
import { createDeltaStream, createParser, fetchEventSource, FetchEventSourceError, type DeltaFlush } from 'wasm-sse';
import { useChat as useReactChat, useEventSource as useReactEventSource } from 'wasm-sse/react';
import { useChat as useVueChat } from 'wasm-sse/vue';

declare const flush: DeltaFlush;

// A format that is neither a preset, nor a JSON pointer, nor a function.
// @ts-expect-error 'openai-completions' is not a DeltaPreset
createDeltaStream({ format: 'openai-completions' });
// @ts-expect-error a JSON pointer starts with '/'
createDeltaStream({ format: 'choices/0/delta/content' });
// @ts-expect-error a format function returns text, not an object
createDeltaStream({ format: (event) => ({ text: event.data }) });
// @ts-expect-error the interval is `intervalMs`
createDeltaStream({ flush: { interval: 16 } });
// @ts-expect-error 'on' is not a markdown mode
createDeltaStream({ markdown: 'on' });
// @ts-expect-error math delimiters are named, not a boolean
createDeltaStream({ math: true });
// @ts-expect-error feed takes text or bytes
createDeltaStream().feed(42);

// @ts-expect-error headers are not a number
await fetchEventSource('/events', { headers: 42 });
// @ts-expect-error a headers function returns headers, not a string
await fetchEventSource('/events', { headers: () => 'Bearer token' });
// @ts-expect-error signal is an AbortSignal, not an AbortController
await fetchEventSource('/events', { signal: new AbortController() });
// @ts-expect-error onmessage receives a message, not a string
await fetchEventSource('/events', { onmessage: (data: string) => data });
// @ts-expect-error an unknown format inside `delta` too
await fetchEventSource('/events', { delta: { format: 'gemini' } });
// @ts-expect-error retryDelayMs is a number of milliseconds
await fetchEventSource('/events', { retryDelayMs: '1s' });
// @ts-expect-error restartWithoutId is a boolean
await fetchEventSource('/events', { restartWithoutId: 'yes' });

declare const error: FetchEventSourceError;
// @ts-expect-error `resumable` is only ever `false` (or absent)
if (error.resumable === true) throw error;
// @ts-expect-error not a FetchEventSourceErrorType
if (error.type === 'timeout') throw error;

const call = flush.toolCalls[0];
if (call) {
  // @ts-expect-error `input` is a JsonValue (or undefined): narrow it before reading a key
  void call.input.foo;
  // @ts-expect-error the arguments are text; `input` holds the parsed value
  void call.arguments.city;
  // @ts-expect-error a flush is read-only
  call.done = true;
}
// @ts-expect-error `usage` may be null, and its values are JSON values, not numbers
void (flush.usage.output_tokens + 1);
// @ts-expect-error `reasoning` is null until some arrives
void flush.reasoning.text;
// @ts-expect-error a flush is read-only
flush.text = '';

// @ts-expect-error onEvent receives a message, not a string
createParser({ onEvent: (data: string) => data });
// @ts-expect-error the parser has no `parse`; it is `feed`
createParser({}).parse('data: x\n\n');

// @ts-expect-error `url` is required
useReactChat({ model: 'gpt-4o-mini' });
// @ts-expect-error 'claude' is not a format
useReactChat({ url: '/chat', format: 'claude' });
// @ts-expect-error the body function returns the body object, not a JSON string
useReactChat({ url: '/chat', body: (messages) => JSON.stringify(messages) });
// @ts-expect-error the chat's own `signal`: `stop()` aborts it
useReactChat({ url: '/chat', fetchOptions: { signal: new AbortController().signal } });
// @ts-expect-error `delta` is the chat's own
useReactEventSource('/events', { delta: { format: 'openai' } });
// @ts-expect-error the url is a string, not a URL object
useReactEventSource(new URL('https://example.com/events'));
// @ts-expect-error a ref of a number is not a url
useVueChat({ url: computed(() => 42) });
