import { memo, useLayoutEffect, useRef, useState } from 'react';
import { useChat } from 'wasm-sse/react';
import { renderMarkdown } from './markdown.js';
import {
  CHAT_URL,
  INITIAL_SCENARIO,
  SCENARIOS,
  chatBody,
  errorText,
  inputText,
  mockHeaders,
  newKey,
  pageState,
  usageCounts,
  usageText,
} from '../../shared/chat-config.js';

// The final part of the answer, `display.slice(0, stableLength)`: it only grows
// by whole blocks, so it is rendered again only when stableLength changes.
const StableMarkdown = memo(
  function StableMarkdown({ answer }) {
    const html = renderMarkdown(answer.display.slice(0, answer.stableLength));
    return <div id="answer-stable" data-testid="answer-stable" className="stable" dangerouslySetInnerHTML={{ __html: html }} />;
  },
  (before, after) => before.answer.stableLength === after.answer.stableLength,
);

// The live end of the answer: the only part rendered on every flush.
function LiveTail({ text }) {
  return <div id="answer-live" data-testid="answer-live" className="tail" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

// The reasoning, rendered whole (a few sentences) when it changed: the hook
// hands the same object while it does not. Open while the answer streams.
const Thinking = memo(function Thinking({ reasoning, open, live }) {
  const ids = live ? { id: 'answer-thinking', 'data-testid': 'answer-thinking' } : {};
  return (
    <details {...ids} className="thinking" open={open}>
      <summary>Thinking</summary>
      <div
        id={live ? 'answer-thinking-body' : undefined}
        data-testid={live ? 'answer-thinking-body' : undefined}
        className="thinking-body"
        dangerouslySetInnerHTML={{ __html: renderMarkdown(reasoning) }}
      />
    </details>
  );
});

// A tool call and its input so far; a call that did not change keeps its object.
const ToolCard = memo(function ToolCard({ call }) {
  return (
    <section className="tool-call" data-testid="tool-call" data-index={call.index} data-done={String(call.done)}>
      <div className="tool-head">
        Tool call <span className="tool-name">{call.name ?? '…'}</span>{' '}
        <span className="tool-state">{call.done ? 'done' : 'receiving arguments…'}</span>
      </div>
      <pre className="tool-input">
        <code>{inputText(call.input)}</code>
      </pre>
    </section>
  );
});

const Message = memo(function Message({ message }) {
  if (message.role === 'user') return <div className="msg user">{message.content}</div>;
  return (
    <div className="msg assistant">
      {message.reasoning && <Thinking reasoning={message.reasoning} open={false} />}
      <div dangerouslySetInnerHTML={{ __html: renderMarkdown(message.content) }} />
      {message.toolCalls?.map((call) => (
        <ToolCard key={call.index} call={call} />
      ))}
    </div>
  );
});

export default function App() {
  const [prompt, setPrompt] = useState('');
  const [scenario, setScenario] = useState(INITIAL_SCENARIO);
  // One mock conversation key per send, the same for all its attempts.
  const key = useRef('');
  const chat = useChat({
    url: CHAT_URL,
    model: 'mock-gpt',
    // A function, called before every attempt.
    headers: () => mockHeaders(scenario, key.current),
    // The default body, plus reasoning, usage and the tools.
    body: chatBody,
    markdown: 'hold',
    // The stall scenario goes silent: give up on a connection after 3 s and resume.
    fetchOptions: { idleTimeoutMs: 3000, maxRetries: 4 },
  });
  const { messages, answer, status, error, timeToFirstTokenMs, reconnects } = chat;
  const busy = status === 'connecting' || status === 'streaming' || status === 'retrying';
  const usage = usageCounts(answer.usage);

  // Before paint: the page state changes in the same frame as what it describes.
  useLayoutEffect(() => {
    document.body.dataset.state = pageState(status);
  }, [status]);

  // Earlier turns come from `messages`; the latest prompt and its answer are
  // shown live from `answer`.
  const lastUser = messages.findLastIndex((m) => m.role === 'user');
  const history = lastUser < 0 ? messages : messages.slice(0, lastUser);
  const currentPrompt = lastUser < 0 ? null : messages[lastUser].content;

  function submit(event) {
    event.preventDefault();
    const text = prompt.trim();
    if (!text) return;
    key.current = newKey();
    chat.send(text);
    setPrompt('');
  }

  return (
    <main>
      <header>
        <h1>wasm-sse · React</h1>
        <p className="sub">
          <code>useChat</code> from <code>wasm-sse/react</code> → <code>{CHAT_URL}</code>
        </p>
      </header>

      <section className="conversation" aria-live="polite">
        {history.map((m, i) => (
          <Message key={i} message={m} />
        ))}
        {currentPrompt !== null && <div className="msg user">{currentPrompt}</div>}
        <article
          id="answer"
          data-testid="answer"
          className="msg assistant"
          data-stable-length={answer.stableLength}
          data-text-length={answer.text.length}
          aria-busy={busy}
          hidden={status === 'idle'}
        >
          {answer.reasoning && <Thinking key={`${lastUser}-${answer.restarts}`} reasoning={answer.reasoning.display} open={busy} live />}
          {/* A new turn, or the answer started over: the stable part is rendered anew. */}
          <StableMarkdown key={`${lastUser}-${answer.restarts}`} answer={answer} />
          <LiveTail text={answer.displayTail} />
          <div id="answer-tools" data-testid="answer-tools" className="tools">
            {answer.toolCalls.map((call) => (
              <ToolCard key={call.index} call={call} />
            ))}
          </div>
        </article>
      </section>

      <div className="meta">
        <span>
          status <b id="status" data-testid="status" className={`status-${status}`}>{status}</b>
        </span>
        <span>
          time to first token{' '}
          <b id="ttft" data-testid="ttft" data-ms={timeToFirstTokenMs ?? undefined}>
            {timeToFirstTokenMs === null ? '—' : `${timeToFirstTokenMs} ms`}
          </b>
        </span>
        <span>
          reconnects <b id="reconnects" data-testid="reconnects">{reconnects}</b>
        </span>
        <span>
          finish <b id="finish" data-testid="finish">{answer.finishReason ?? '—'}</b>
        </span>
        <span>
          usage{' '}
          <b id="usage" data-testid="usage" data-output={usage?.output ?? undefined}>
            {usageText(answer.usage)}
          </b>
        </span>
      </div>
      {status === 'retrying' && (
        <div className="banner" role="status">
          Connection lost: reconnecting{reconnects > 0 ? ` (reconnect ${reconnects + 1})` : ''}…
        </div>
      )}
      {error && (
        <div id="error" data-testid="error" className="error" role="alert">
          {errorText(error)}
        </div>
      )}

      <form onSubmit={submit}>
        <textarea
          id="prompt"
          data-testid="prompt"
          rows={3}
          placeholder="Ask something (Enter sends, Shift+Enter for a new line)"
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) submit(e);
          }}
        />
        <div className="controls">
          <label>
            scenario{' '}
            <select id="scenario" data-testid="scenario" value={scenario} onChange={(e) => setScenario(e.target.value)}>
              {SCENARIOS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button id="send" data-testid="send" type="submit" disabled={busy}>
            Send
          </button>
          <button id="stop" data-testid="stop" type="button" onClick={chat.stop} disabled={!busy}>
            Stop
          </button>
        </div>
      </form>
    </main>
  );
}
