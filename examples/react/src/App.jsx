import { memo, useEffect, useState } from 'react';
import { useChat } from 'wasm-sse/react';
import { renderMarkdown } from './markdown.js';
import { CHAT_URL, INITIAL_SCENARIO, SCENARIOS, mockHeaders, pageState } from './config.js';

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

const Message = memo(function Message({ role, content }) {
  if (role === 'user') return <div className="msg user">{content}</div>;
  return <div className="msg assistant" dangerouslySetInnerHTML={{ __html: renderMarkdown(content) }} />;
});

export default function App() {
  const [prompt, setPrompt] = useState('');
  const [scenario, setScenario] = useState(INITIAL_SCENARIO);
  const chat = useChat({
    url: CHAT_URL,
    model: 'mock-gpt',
    // A function, called at each send.
    headers: () => mockHeaders(scenario),
    markdown: 'hold',
    // The stall scenario goes silent: give up on a connection after 3 s and resume.
    fetchOptions: { idleTimeoutMs: 3000, maxRetries: 4 },
  });
  const { messages, answer, status, error, timeToFirstTokenMs, reconnects } = chat;
  const busy = status === 'connecting' || status === 'streaming' || status === 'retrying';

  useEffect(() => {
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
          <Message key={i} role={m.role} content={m.content} />
        ))}
        {currentPrompt !== null && <div className="msg user">{currentPrompt}</div>}
        <article id="answer" data-testid="answer" className="msg assistant" data-stable-length={answer.stableLength} hidden={status === 'idle'}>
          <StableMarkdown key={lastUser} answer={answer} />
          <LiveTail text={answer.displayTail} />
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
      </div>
      {status === 'retrying' && (
        <div className="banner" role="status">
          Connection lost: reconnecting{reconnects > 0 ? ` (reconnect ${reconnects + 1})` : ''}…
        </div>
      )}
      {error && (
        <div id="error" data-testid="error" className="error" role="alert">
          {error.message}
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
