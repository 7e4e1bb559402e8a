// wasm-sse/react: React hooks over fetchEventSource (see react.d.ts).
// Plain ESM, no JSX. `react` is an optional peer dependency: only this entry
// imports it, never the main one. The chat logic is shared with the other
// framework's entry in chat-core.js.
import * as React from 'react';
import { EMPTY_ANSWER, createChat, runEventSource } from './chat-core.js';

// ---- React. ----------------------------------------------------------------------

// A layout effect in the browser (options are current before any event handler
// runs), a plain effect on the server (where neither runs, without a warning).
const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? React.useLayoutEffect : React.useEffect;

function useLatest(value) {
  const ref = React.useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

/**
 * Streams `url` while it is non-null; aborts on unmount and when `url` changes.
 * `init` is read when connecting; its callbacks are always the latest ones.
 */
export function useEventSource(url, init) {
  const initRef = useLatest(init);
  const [lastMessage, setLastMessage] = React.useState(null);
  const [status, setStatus] = React.useState(url == null ? 'idle' : 'connecting');
  const [error, setError] = React.useState(null);
  const [metrics, setMetrics] = React.useState(null);
  const closeRef = React.useRef(null);

  React.useEffect(() => {
    if (url == null) {
      setStatus('idle');
      return undefined;
    }
    setLastMessage(null);
    setError(null);
    setMetrics(null);
    // Callbacks go through the ref, so a re-render with new ones needs no reconnect.
    const current = initRef.current ?? {};
    const latest = (name) => (...args) => initRef.current?.[name]?.(...args);
    const close = runEventSource(
      url,
      {
        ...current,
        onopen: current.onopen ? latest('onopen') : undefined,
        onmessage: latest('onmessage'),
        onerror: latest('onerror'),
        onclose: latest('onclose'),
        onmetrics: latest('onmetrics'),
        onstream: latest('onstream'),
        onretry: latest('onretry'),
      },
      { status: setStatus, message: setLastMessage, error: setError, metrics: setMetrics },
    );
    closeRef.current = close;
    return () => {
      if (closeRef.current === close) closeRef.current = null;
      close();
    };
  }, [url]);

  const close = React.useCallback(() => closeRef.current?.('closed'), []);
  return { lastMessage, status, error, metrics, close };
}

/**
 * A streaming chat (OpenAI Chat Completions unless `format` says otherwise):
 * `send(prompt)` posts the conversation and streams the answer, its reasoning
 * and tool calls through the markdown-safe delta pipeline.
 */
export function useChat(options) {
  const optionsRef = useLatest(options);
  const [messages, setMessages] = React.useState(() => [...(options.initialMessages ?? [])]);
  const [answer, setAnswer] = React.useState(EMPTY_ANSWER);
  const [status, setStatus] = React.useState('idle');
  const [error, setError] = React.useState(null);
  const [metrics, setMetrics] = React.useState(null);
  const [timeToFirstTokenMs, setTtft] = React.useState(null);
  const [reconnects, setReconnects] = React.useState(0);

  const chatRef = React.useRef(null);
  if (chatRef.current === null) {
    chatRef.current = createChat(
      () => optionsRef.current,
      {
        messages: setMessages,
        answer: setAnswer,
        status: setStatus,
        error: setError,
        metrics: setMetrics,
        ttft: setTtft,
        reconnects: setReconnects,
      },
      options.initialMessages,
    );
  }

  React.useEffect(() => {
    const chat = chatRef.current;
    chat.attach();
    return () => chat.detach();
  }, []);

  const send = React.useCallback((prompt) => chatRef.current.send(prompt), []);
  const stop = React.useCallback(() => chatRef.current.stop(), []);
  return { messages, answer, status, error, metrics, timeToFirstTokenMs, reconnects, send, stop };
}
