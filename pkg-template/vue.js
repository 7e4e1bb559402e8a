// wasm-sse/vue: Vue 3 composables over fetchEventSource (see vue.d.ts).
// Plain ESM. `vue` (>= 3.3) is an optional peer dependency: only this entry
// imports it, never the main one. The chat logic is shared with the other
// framework's entry in chat-core.js.
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue';
import { EMPTY_ANSWER, createChat, runEventSource } from './chat-core.js';

// ---- Vue. ------------------------------------------------------------------------

function onDispose(fn) {
  if (getCurrentScope()) onScopeDispose(fn);
}

/**
 * Streams `url` (a value, ref or getter) while it is non-null; aborts when the
 * scope is disposed and when `url` changes. `init` is read when connecting.
 */
export function useEventSource(url, init) {
  const lastMessage = shallowRef(null);
  const status = ref('idle');
  const error = shallowRef(null);
  const metrics = shallowRef(null);
  let closeCurrent = null;
  const set = {
    status: (value) => (status.value = value),
    message: (value) => (lastMessage.value = value),
    error: (value) => (error.value = value),
    metrics: (value) => (metrics.value = value),
  };

  const connect = () =>
    watch(
      () => toValue(url),
      (value, _old, onCleanup) => {
        if (value == null) {
          status.value = 'idle';
          return;
        }
        lastMessage.value = null;
        error.value = null;
        metrics.value = null;
        const close = runEventSource(value, toValue(init) ?? {}, set);
        closeCurrent = close;
        onCleanup(() => {
          if (closeCurrent === close) closeCurrent = null;
          close();
        });
      },
      { immediate: true },
    );

  // In a component, connect once mounted: never during server rendering.
  let stopWatch = null;
  if (getCurrentInstance()?.isMounted === false) onMounted(() => (stopWatch = connect()));
  else stopWatch = connect();

  onDispose(() => {
    stopWatch?.();
    closeCurrent?.();
    closeCurrent = null;
  });

  return { lastMessage, status, error, metrics, close: () => closeCurrent?.('closed') };
}

/**
 * A streaming chat (OpenAI Chat Completions unless `format` says otherwise):
 * `send(prompt)` posts the conversation and streams the answer, its reasoning
 * and tool calls through the markdown-safe delta pipeline.
 */
export function useChat(options) {
  const messages = shallowRef([...(options.initialMessages ?? [])]);
  const answer = shallowRef(EMPTY_ANSWER);
  const status = ref('idle');
  const error = shallowRef(null);
  const metrics = shallowRef(null);
  const timeToFirstTokenMs = ref(null);
  const reconnects = ref(0);

  // `url` and `model` may be refs or getters, read at each send; `headers` too,
  // read before each attempt (a getter may return a promise).
  const current = () => ({
    ...options,
    url: toValue(options.url),
    model: toValue(options.model),
    headers: () => toValue(options.headers),
  });
  const chat = createChat(
    current,
    {
      messages: (value) => (messages.value = value),
      answer: (value) => (answer.value = value),
      status: (value) => (status.value = value),
      error: (value) => (error.value = value),
      metrics: (value) => (metrics.value = value),
      ttft: (value) => (timeToFirstTokenMs.value = value),
      reconnects: (value) => (reconnects.value = value),
    },
    options.initialMessages,
  );
  chat.attach();
  onDispose(() => chat.detach());

  return {
    messages,
    answer,
    status,
    error,
    metrics,
    timeToFirstTokenMs,
    reconnects,
    send: (prompt) => chat.send(prompt),
    stop: () => chat.stop(),
  };
}
