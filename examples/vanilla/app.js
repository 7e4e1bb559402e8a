// The chat demo's logic, as a classic script (index.html loads it after
// markdown-it and wasm-sse.iife.js). All it needs from wasm-sse is an object with
// `fetchEventSource`: `window.WasmSse` once `WasmSse.ready` settles, or the ES
// module build (`import('/pkg/index.js')`) when the classic-script build is not
// there. `startChat(api)` is exported on window for pages that load the API their
// own way.
//
// Rendering: each flush of the delta pipeline gives `text`, `stableLength` and
// `displayTail`. The stable part (complete blocks that will not change) is
// rendered only when `stableLength` grows; the live tail is rendered on every
// flush. The stable container is re-rendered whole rather than appended to:
// rendering the new blocks alone is not always the same HTML (a list that goes
// on across the boundary, reference links), and it happens once per block, not
// once per token.
//
// The same flushes carry the reasoning (rendered whole into a collapsible
// "Thinking" block: it is a few sentences) and the tool calls, each with the
// value parsed so far from its partial JSON arguments (`input`), shown as a card
// that is rebuilt only when its call object changed. Every request offers the
// model a `get_weather` tool and asks for reasoning, as real clients do: the
// mock server then thinks first, and calls the tool for a weather question.
//
// For tests: ids and data-testid prompt, send, stop, answer (the latest answer,
// `data-text-length` its raw text's length; inside it answer-thinking, a
// <details> with answer-thinking-body, answer-stable, answer-live and
// answer-tools with a tool-call card per call), status, ttft, metrics, finish,
// usage (`data-output`: output tokens), error, scenario;
// `document.body.dataset.state` is idle | streaming | done | stopped | error.
// Query parameters preset the controls: ?scenario=drop&tps=0&markdown=heal, and
// ?api=URL points the page at another server (it answers CORS).
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);

  // Offered to the model with every request, as a client with tools does.
  const TOOLS = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather forecast for a city, by the hour.',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
            days: { type: 'integer', minimum: 1, maximum: 7 },
          },
          required: ['city'],
        },
      },
    },
  ];

  // The scenario menu: the mock server's headers for each entry.
  const SCENARIO_HEADERS = {
    normal: {},
    'drop-no-ids': { 'X-Mock-Scenario': 'drop', 'X-Mock-Ids': '0' },
  };

  /** The token counts of a usage object, whichever provider spelled it; null if none. */
  function usageCounts(usage) {
    if (!usage) return null;
    const input = usage.prompt_tokens ?? usage.input_tokens ?? usage.inputTokens ?? null;
    const output = usage.completion_tokens ?? usage.output_tokens ?? usage.outputTokens ?? null;
    const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens ?? usage.reasoningTokens ?? null;
    return { input, output, reasoning };
  }

  function startChat(api, options = {}) {
    const markdownit = options.markdownit ?? globalThis.markdownit;
    if (typeof markdownit !== 'function') throw new Error('markdown-it is not loaded (run npm ci in examples/vanilla)');
    if (typeof api?.fetchEventSource !== 'function') throw new Error('the wasm-sse API has no fetchEventSource');
    const md = markdownit({ html: false, linkify: true, typographer: false });
    // Links from the model open in a new tab.
    const defaultLink = md.renderer.rules.link_open ?? ((tokens, i, opts, env, self) => self.renderToken(tokens, i, opts));
    md.renderer.rules.link_open = (tokens, i, opts, env, self) => {
      tokens[i].attrSet('target', '_blank');
      tokens[i].attrSet('rel', 'noopener noreferrer');
      return defaultLink(tokens, i, opts, env, self);
    };

    const query = new URLSearchParams(location.search);
    const endpoint = options.endpoint ?? query.get('api') ?? '/v1/chat/completions';
    const ui = {
      log: $('log'), empty: $('empty'), form: $('composer'), prompt: $('prompt'), send: $('send'), stop: $('stop'),
      status: $('status'), ttft: $('ttft'), metrics: $('metrics'), renders: $('renders'), finish: $('finish'), usage: $('usage'),
      scenario: $('scenario'), markdown: $('markdown'), tps: $('tps'), chips: $('chips'),
    };
    for (const name of ['scenario', 'markdown', 'tps']) {
      const value = query.get(name);
      if (value !== null && [...ui[name].options].some((o) => o.value === value)) ui[name].value = value;
    }

    const messages = [];
    const counts = { stableRenders: 0, liveRenders: 0, flushes: 0 };
    let run = null; // the answer being streamed
    let lastMetrics = null;

    function setState(state) {
      document.body.dataset.state = state;
      const busy = state === 'streaming';
      ui.send.disabled = busy;
      ui.stop.disabled = !busy;
    }

    function setStatus(text, kind = '') {
      ui.status.textContent = text;
      ui.status.dataset.kind = kind;
    }

    function nearBottom() {
      return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
    }

    function scrollDown(force) {
      if (force || nearBottom()) ui.log.scrollTop = ui.log.scrollHeight;
    }

    function bubble(role) {
      ui.empty?.remove();
      const element = document.createElement(role === 'user' ? 'div' : 'article');
      element.className = `msg ${role}`;
      ui.log.append(element);
      return element;
    }

    function note(className, text) {
      const element = document.createElement('div');
      element.className = className;
      element.textContent = text;
      if (className.includes('error-note')) {
        element.id = 'error';
        element.dataset.testid = 'error';
      }
      ui.log.append(element);
    }

    function describe(error) {
      if (!error) return 'unknown error';
      if (error.resumable === false) return 'the stream could not be resumed';
      const status = error.status ? ` ${error.status}` : '';
      return error.type ? `${error.type}${status}` : `${error.name ?? 'Error'}: ${error.message}`;
    }

    function newKey() {
      return globalThis.crypto?.randomUUID?.() ?? `k${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    }

    function showMetrics(r) {
      const m = r.metrics;
      if (!m) return;
      const parts = [`${m.events ?? 0} events`, `${((m.bytes ?? 0) / 1024).toFixed(1)} KiB`, `reconnects: ${m.reconnects ?? 0}`];
      if (m.timeToFirstEventMs != null) parts.push(`first event ${Math.round(m.timeToFirstEventMs)} ms`);
      ui.metrics.textContent = parts.join(' · ');
      ui.metrics.dataset.reconnects = String(m.reconnects ?? 0);
    }

    function showCounts() {
      ui.renders.textContent = `renders: ${counts.stableRenders} stable, ${counts.liveRenders} live`;
    }

    function showFinish(finishReason, usage) {
      ui.finish.textContent = finishReason ?? '–';
      const n = usageCounts(usage);
      if (!n) {
        ui.usage.textContent = '–';
        delete ui.usage.dataset.output;
        return;
      }
      const reasoning = n.reasoning ? ` (${n.reasoning} reasoning)` : '';
      ui.usage.textContent = `${n.input ?? '?'} in · ${n.output ?? '?'} out${reasoning}`;
      ui.usage.dataset.output = String(n.output ?? '');
    }

    // The reasoning is a few sentences: rendered whole, when its display changed.
    function renderReasoning(r, reasoning) {
      if (!reasoning) return;
      const display = reasoning.display;
      if (display === r.renderedReasoning) return;
      r.thinking.hidden = false;
      r.thinkingBody.innerHTML = md.render(display);
      r.renderedReasoning = display;
    }

    // One card per call; a call whose object did not change keeps its card as is.
    function renderTools(r, calls) {
      for (const call of calls) {
        if (r.cards[call.index]?.call === call) continue;
        let card = r.cards[call.index];
        if (!card) {
          const element = document.createElement('section');
          element.className = 'tool-call';
          element.dataset.testid = 'tool-call';
          const head = document.createElement('div');
          head.className = 'tool-head';
          const name = document.createElement('span');
          name.className = 'tool-name';
          const state = document.createElement('span');
          state.className = 'tool-state';
          head.append('Tool call ', name, ' ', state);
          const pre = document.createElement('pre');
          pre.className = 'tool-input';
          const code = document.createElement('code');
          pre.append(code);
          element.append(head, pre);
          r.tools.append(element);
          card = r.cards[call.index] = { call: null, element, name, state, code };
        }
        card.call = call;
        card.element.dataset.index = String(call.index);
        card.element.dataset.done = String(call.done);
        card.name.textContent = call.name ?? '…';
        card.state.textContent = call.done ? 'done' : 'receiving arguments…';
        card.code.textContent = call.input === undefined ? '' : JSON.stringify(call.input, null, 2);
      }
    }

    // The request was sent again with no way to resume it: the flush that says
    // so holds only the new attempt, so everything shown starts over.
    function restartAnswer(r) {
      r.renderedStable = 0;
      r.renderedTail = '';
      r.stable.innerHTML = '';
      r.live.innerHTML = '';
      r.renderedReasoning = '';
      r.thinkingBody.innerHTML = '';
      r.thinking.hidden = true;
      r.tools.replaceChildren();
      r.cards = [];
    }

    function onDelta(r, f) {
      // After Stop nothing more reaches the page, not even the last flush.
      if (r.stopped || run !== r) return;
      if (f.restarted) restartAnswer(r);
      // Something arrived: text, reasoning or a tool call's arguments.
      const fresh = f.delta !== '' || (f.reasoning?.delta ?? '') !== '' || f.toolCalls !== r.frame?.toolCalls;
      r.frame = f;
      r.article.dataset.textLength = String(f.text.length);
      counts.flushes++;
      if (r.firstTokenAt === null && f.text.length > 0) {
        r.firstTokenAt = performance.now();
        ui.ttft.textContent = `${Math.round(r.firstTokenAt - r.startedAt)} ms`;
        ui.ttft.dataset.ms = String(Math.round(r.firstTokenAt - r.startedAt));
      }
      if (fresh && r.reconnecting) {
        r.reconnecting = false;
        setStatus(`streaming (resumed after ${r.metrics?.reconnects ?? 1} reconnect${(r.metrics?.reconnects ?? 1) === 1 ? '' : 's'})`, 'ok');
      } else if (fresh && !r.streamingShown) {
        setStatus('streaming', 'ok');
        r.streamingShown = true;
      }
      if (f.done) {
        renderFinal(r, f.text);
      } else {
        if (f.stableLength > r.renderedStable) {
          r.stable.innerHTML = md.render(f.text.slice(0, f.stableLength));
          r.renderedStable = f.stableLength;
          counts.stableRenders++;
        }
        const tail = f.displayTail;
        if (tail !== r.renderedTail) {
          r.live.innerHTML = tail ? md.render(tail) : '';
          r.renderedTail = tail;
          counts.liveRenders++;
        }
      }
      renderReasoning(r, f.reasoning);
      renderTools(r, f.toolCalls);
      showFinish(f.finishReason, f.usage);
      showCounts();
      scrollDown(false);
    }

    function renderFinal(r, text) {
      if (r.final) return;
      r.final = true;
      r.stable.innerHTML = md.render(text);
      r.live.innerHTML = '';
      r.renderedStable = text.length;
      r.renderedTail = '';
      counts.stableRenders++;
    }

    function finish(r, state, error) {
      if (run === r) run = null;
      r.article.removeAttribute('aria-busy');
      // Open while the answer streams; folded once it ended (a click opens it).
      r.thinking.open = false;
      const text = r.frame?.text ?? '';
      if (state === 'done') {
        renderFinal(r, text);
        const reconnects = r.metrics?.reconnects ?? 0;
        setStatus(reconnects ? `done (after ${reconnects} reconnect${reconnects === 1 ? '' : 's'})` : 'done', 'ok');
      } else if (state === 'stopped') {
        setStatus('stopped', 'warn');
        note('msg stopped-note', 'Stopped.');
      } else if (error?.resumable === false) {
        // A POST whose events had no ID: sending it again would start (and bill)
        // a second answer, so the client stopped. What arrived stays above.
        setStatus(`error: ${describe(error)}`, 'bad');
        note('msg error-note', 'The connection dropped and the stream could not be resumed: the server sent no event IDs, and sending the request again would start a new answer. The partial answer is above.');
      } else {
        setStatus(`error: ${describe(error)}`, 'bad');
        note('msg error-note', `The request failed: ${describe(error)}${error?.message && error.type ? ` (${error.message})` : ''}`);
      }
      if (text) messages.push({ role: 'assistant', content: text });
      setState(state);
      showCounts();
      if (state === 'error') console.error(error);
      ui.prompt.focus();
    }

    async function send(text) {
      text = (text ?? ui.prompt.value).trim();
      if (!text || run) return;
      ui.prompt.value = '';
      messages.push({ role: 'user', content: text });
      bubble('user').textContent = text;

      const oldError = document.getElementById('error');
      oldError?.removeAttribute('id');
      oldError?.removeAttribute('data-testid');
      const previous = document.getElementById('answer');
      if (previous) {
        previous.removeAttribute('id');
        previous.removeAttribute('data-testid');
        for (const part of previous.querySelectorAll('[id]')) part.removeAttribute('id');
        for (const part of previous.querySelectorAll('[data-testid]')) part.removeAttribute('data-testid');
      }
      const article = bubble('assistant');
      article.id = 'answer';
      article.dataset.testid = 'answer';
      article.setAttribute('aria-busy', 'true');
      article.dataset.textLength = '0';
      const thinking = document.createElement('details');
      thinking.className = 'thinking';
      thinking.id = 'answer-thinking';
      thinking.dataset.testid = 'answer-thinking';
      thinking.open = true;
      thinking.hidden = true;
      const summary = document.createElement('summary');
      summary.textContent = 'Thinking';
      const thinkingBody = document.createElement('div');
      thinkingBody.className = 'thinking-body';
      thinkingBody.id = 'answer-thinking-body';
      thinkingBody.dataset.testid = 'answer-thinking-body';
      thinking.append(summary, thinkingBody);
      const stable = document.createElement('div');
      stable.className = 'stable';
      stable.id = 'answer-stable';
      stable.dataset.testid = 'answer-stable';
      const live = document.createElement('div');
      live.className = 'live';
      live.id = 'answer-live';
      live.dataset.testid = 'answer-live';
      const tools = document.createElement('div');
      tools.className = 'tools';
      tools.id = 'answer-tools';
      tools.dataset.testid = 'answer-tools';
      article.append(thinking, stable, live, tools);
      scrollDown(true);

      const controller = new AbortController();
      const r = {
        controller, article, stable, live, thinking, thinkingBody, tools, cards: [], renderedReasoning: '',
        stopped: false, final: false, frame: null, metrics: null,
        renderedStable: 0, renderedTail: '', reconnecting: false, streamingShown: false,
        startedAt: performance.now(), firstTokenAt: null,
      };
      run = r;
      counts.stableRenders = counts.liveRenders = counts.flushes = 0;
      ui.ttft.textContent = '…';
      delete ui.ttft.dataset.ms;
      ui.metrics.textContent = '';
      ui.metrics.dataset.reconnects = '0';
      showFinish(null, null);
      showCounts();
      setStatus('connecting…');
      setState('streaming');

      const headers = {
        'Content-Type': 'application/json',
        'X-Mock-Key': newKey(),
        ...(SCENARIO_HEADERS[ui.scenario.value] ?? { 'X-Mock-Scenario': ui.scenario.value }),
      };
      const url = new URL(endpoint, location.href);
      url.searchParams.set('tps', ui.tps.value);

      try {
        await api.fetchEventSource(url.href, {
          method: 'POST',
          headers,
          // Reasoning, the usage at the end and the tools, asked for as real clients do.
          body: JSON.stringify({
            model: 'mock-gpt',
            stream: true,
            stream_options: { include_usage: true },
            reasoning_effort: 'low',
            tools: TOOLS,
            messages: messages.map(({ role, content }) => ({ role, content })),
          }),
          signal: controller.signal,
          // The demo keeps streaming in a background tab.
          openWhenHidden: true,
          // A stalled connection counts as failed after 4 s of silence: reconnect and resume.
          idleTimeoutMs: 4000,
          maxRetries: 5,
          onerror(error) {
            if (r.stopped) return undefined;
            r.reconnecting = true;
            setStatus(`${describe(error)}: reconnecting…`, 'warn');
            return undefined; // let the retry policy choose the delay (it honours Retry-After)
          },
          onmetrics(metrics) {
            if (r.stopped) return;
            if ((metrics.reconnects ?? 0) > (r.metrics?.reconnects ?? 0)) {
              r.reconnecting = true;
              setStatus(`reconnecting (${metrics.reconnects})…`, 'warn');
            }
            r.metrics = metrics;
            lastMetrics = metrics;
            showMetrics(r);
          },
          delta: {
            format: 'openai',
            flush: 'frame',
            markdown: ui.markdown.value,
            onDelta: (f) => onDelta(r, f),
          },
        });
        if (!r.stopped) finish(r, 'done');
      } catch (error) {
        if (!r.stopped) finish(r, 'error', error);
      }
    }

    function stop() {
      const r = run;
      if (!r) return;
      // Marked first: a flush that the abort itself triggers is dropped too.
      r.stopped = true;
      run = null;
      r.controller.abort();
      finish(r, 'stopped');
    }

    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    ui.prompt.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    ui.stop.addEventListener('click', stop);
    ui.chips.addEventListener('click', (event) => {
      const prompt = event.target.closest('button')?.dataset.prompt;
      if (prompt) send(prompt);
    });

    setState('idle');
    setStatus('ready');
    ui.prompt.focus();
    const chat = {
      send,
      stop,
      messages,
      counts,
      get state() {
        return document.body.dataset.state;
      },
      get metrics() {
        return lastMetrics;
      },
    };
    globalThis.chat = chat;
    return chat;
  }

  async function loadApi() {
    if (globalThis.WasmSse) {
      await globalThis.WasmSse.ready;
      return globalThis.WasmSse;
    }
    // No classic-script build at /pkg/wasm-sse.iife.js: the ES module build.
    return import('/pkg/index.js');
  }

  globalThis.startChat = startChat;
  if (document.currentScript?.dataset.autostart !== 'false') {
    loadApi()
      .then((api) => startChat(api))
      .catch((error) => {
        console.error(error);
        document.body.dataset.state = 'error';
        const status = $('status');
        status.textContent = `cannot start: ${error?.message ?? error}`;
        status.dataset.kind = 'bad';
      });
  }
})();
