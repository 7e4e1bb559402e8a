// fetchEventSource against the local test server (tests/server/sse-server.mjs).
// A plain ES module with no imports, run in Node, a page and a worker, like
// conformance.js. `base` is the server's URL. Returns { passed, failures }.

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * `wires`: the LLM wire fixtures of tests/wire, which the server's /llm serves;
 * `wireMismatches(flushes, want)`: what of a flush sequence differs from one's outcome.
 */
export async function runClientChecks({ fetchEventSource, createParser }, base, wires = [], wireMismatches = () => ['no helper']) {
  const failures = [];
  const seconds = {};
  let passed = 0;
  const check = async (name, body) => {
    let timer;
    const started = Date.now();
    // A check that hangs is a failure with its name, not a silent test timeout.
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('did not settle in 30 s')), 30_000)));
    try {
      await Promise.race([body(), timeout]);
      passed++;
    } catch (error) {
      failures.push({ name, error: String(error?.stack ?? error) });
    } finally {
      clearTimeout(timer);
      seconds[name] = (Date.now() - started) / 1000;
    }
  };
  const expect = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  const unique = () => Math.random().toString(36).slice(2);
  /** The server's record of a /drop stream: { connections, lastEventIds, sent }. */
  const streamStats = async (stream) => (await (await fetch(`${base}/stats?stream=${stream}`)).json()).stream;
  /** A promise and the function that resolves it: for waiting on a callback. */
  const signalled = () => {
    let resolve;
    const promise = new Promise((ok) => (resolve = ok));
    return { promise, resolve };
  };

  await check('events dribbled with delays arrive in order with sticky ids', async () => {
    const got = [];
    await fetchEventSource(`${base}/dribble?n=3&interval=10`, { onmessage: (m) => got.push(`${m.data}@${m.id}`) });
    expect(got.join() === '1@1,2@2,3@3', got.join());
  });

  await check('across 20 forced disconnects over 1,000 events each event arrives exactly once and in order', async () => {
    const ids = [];
    const stream = unique();
    // A connection drops after every 48 events until the 1,000th: at 48, 96, ...,
    // 960, which is 20 drops (50 a connection would be 19: the 20th ends cleanly).
    await fetchEventSource(`${base}/drop?total=1000&every=48&stream=${stream}`, {
      retryDelayMs: 1,
      onmessage: (m) => ids.push(Number(m.id)),
    });
    expect(ids.length === 1000 && ids.every((id, i) => id === i + 1), `${ids.length} events, first wrong at ${ids.findIndex((id, i) => id !== i + 1)}`);
    // A browser that lost bytes before a drop resumes from an earlier ID, so it
    // may need more connections, never fewer.
    const { connections } = await streamStats(stream);
    expect(connections >= 21, `${connections} connections: fewer than 20 disconnects`);
  });

  await check('the POST body and custom headers reach the server on every attempt', async () => {
    const seen = [];
    await fetchEventSource(`${base}/echo?key=${unique()}&drops=2`, {
      method: 'POST',
      headers: { 'X-Test': 'yes' },
      body: JSON.stringify({ a: 1 }),
      retryDelayMs: 1,
      onmessage: (m) => seen.push(JSON.parse(m.data)),
    });
    // The server echoes each attempt as an event, then drops the first two. A
    // browser may lose the bytes that arrived just before a drop (Chromium does),
    // so an attempt's echo can be missing; the last one always arrives.
    expect(seen.at(-1)?.attempt === 3, JSON.stringify(seen.map((s) => s.attempt)));
    for (const attempt of seen) {
      expect(attempt.method === 'POST' && attempt.body === '{"a":1}' && attempt.headers['x-test'] === 'yes', JSON.stringify(attempt));
      expect(attempt.headers.accept === 'text/event-stream', `accept ${attempt.headers.accept}`);
    }
    // Last-Event-ID is the ID of the last event dispatched before that attempt
    // (each echo's ID is its attempt), never one whose event was lost, and
    // absent until an event was dispatched: `seen` is exactly what was dispatched.
    seen.forEach((s, i) => {
      const want = i === 0 ? null : String(seen[i - 1].attempt);
      expect(s.lastEventId === want, `attempt ${s.attempt}: Last-Event-ID ${s.lastEventId}, want ${want}`);
    });
  });

  await check('a one-shot ReadableStream body is sent again intact', async () => {
    const seen = [];
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    await fetchEventSource(`${base}/echo?key=${unique()}&drops=1`, {
      method: 'POST',
      body,
      duplex: 'half',
      retryDelayMs: 1,
      onmessage: (m) => seen.push(JSON.parse(m.data)),
    });
    expect(seen.at(-1)?.attempt === 2 && seen.every((s) => s.body === 'streamed'), JSON.stringify(seen));
  });

  await check('404 rejects with a typed http-status error carrying status and body', async () => {
    let error;
    await fetchEventSource(`${base}/status?code=404&body=nope`).catch((e) => (error = e));
    expect(error?.type === 'http-status' && error.status === 404 && error.body === 'nope', `${error?.type} ${error?.status}`);
  });

  await check('204 resolves without an error and without retrying', async () => {
    let errors = 0;
    await fetchEventSource(`${base}/status?code=204`, { onerror: () => errors++ });
    expect(errors === 0, `${errors} errors`);
  });

  await check('503 with Retry-After retries, then streams', async () => {
    const got = [];
    const errors = [];
    await fetchEventSource(`${base}/fail?code=503&k=2&key=${unique()}&retry_after=0`, {
      onmessage: (m) => got.push(m.data),
      onerror: (e) => void errors.push(e.status),
    });
    expect(errors.join() === '503,503' && got.length === 1, `${errors} ${got}`);
  });

  await check('a wrong content type is a content-type error', async () => {
    let error;
    await fetchEventSource(`${base}/content-type?type=text/plain`).catch((e) => (error = e));
    expect(error?.type === 'content-type', String(error?.type));
    // The message names what came (the shipped wasm has no Debug formatting).
    const message = 'expected content type text/event-stream, got "text/plain"';
    expect(error?.message === message && error.contentType === 'text/plain', `${error?.message} / ${error?.contentType}`);
  });

  await check('an onerror that throws rejects with what it threw', async () => {
    const mine = new Error('mine');
    let error;
    await fetchEventSource(`${base}/status?code=500`, {
      onerror() {
        throw mine;
      },
    }).catch((e) => (error = e));
    expect(error === mine, String(error));
  });

  await check('an already aborted signal resolves without fetching', async () => {
    let fetched = false;
    const controller = new AbortController();
    controller.abort();
    await fetchEventSource(`${base}/dribble`, { signal: controller.signal, fetch: () => ((fetched = true), Promise.reject(new Error('no'))) });
    expect(!fetched, 'fetched');
  });

  await check('an abort while streaming resolves and no callback runs after it', async () => {
    const controller = new AbortController();
    let before = 0;
    let after = 0;
    // Aborted from a timer (not inside a callback) once three events arrived.
    await fetchEventSource(`${base}/dribble?n=1000&interval=5`, {
      signal: controller.signal,
      onmessage: () => {
        if (controller.signal.aborted) after++;
        else if (++before === 3) setTimeout(() => controller.abort(), 0);
      },
      onclose: () => after++,
      onerror: () => void after++,
      onmetrics: () => controller.signal.aborted && after++,
    });
    expect(controller.signal.aborted, 'resolved without the abort');
    expect(before >= 3 && before < 1000, `${before} events before the abort`);
    // Nothing can announce that no callback comes: give a late one a few of the server's intervals.
    await sleep(50);
    expect(after === 0, `${after} callbacks after abort`);
  });

  /** A fetch answering with a body this check writes into: { fetch, body, write(text), end(), cancelled }. */
  const handWrittenBody = () => {
    let controller;
    const source = {
      cancelled: false,
      body: new ReadableStream({
        start: (c) => void (controller = c),
        cancel: () => void (source.cancelled = true),
      }),
    };
    const encoder = new TextEncoder();
    return Object.assign(source, {
      fetch: async () => new Response(source.body, { headers: { 'content-type': 'text/event-stream' } }),
      write: (text) => controller.enqueue(encoder.encode(text)),
      end: () => controller.close(),
    });
  };
  /** Collects unhandled promise rejections (Node, a page or a worker) while `body` runs. */
  const unhandledRejections = async (body) => {
    const seen = [];
    const onNode = (reason) => seen.push(String(reason));
    const onWeb = (event) => seen.push(String(event.reason));
    if (typeof process !== 'undefined' && process.on) process.on('unhandledRejection', onNode);
    else globalThis.addEventListener('unhandledrejection', onWeb);
    try {
      await body();
      // Rejections are reported after the microtasks of the turn.
      await sleep(50);
    } finally {
      if (typeof process !== 'undefined' && process.off) process.off('unhandledRejection', onNode);
      else globalThis.removeEventListener('unhandledrejection', onWeb);
    }
    return seen;
  };

  await check('an abort while a body read waits cancels and releases the body, and what comes after reaches nobody', async () => {
    const source = handWrittenBody();
    const controller = new AbortController();
    const got = [];
    const rejections = await unhandledRejections(async () => {
      const done = fetchEventSource('http://unused.invalid/', {
        fetch: source.fetch,
        signal: controller.signal,
        onmessage: (m) => got.push(m.data),
      });
      source.write('data: one\n\n');
      while (got.length === 0) await sleep(5);
      // The client now waits on a read that nothing settles but the abort.
      controller.abort();
      await done;
      expect(!source.body.locked, 'the body is still locked after the call resolved');
      expect(source.cancelled, 'the body was not cancelled');
      // The body cannot be written to once the reader let go of it (a
      // cancelled stream throws): whatever happens, nothing is delivered.
      try {
        source.write('data: two\n\n');
      } catch {}
    });
    expect(got.join() === 'one', `delivered: ${got.join()}`);
    expect(rejections.length === 0, `unhandled rejections: ${rejections.join('; ')}`);
  });

  await check('a callback that makes the wasm memory grow does not garble the rest of its chunk', async () => {
    const source = handWrittenBody();
    const got = [];
    const done = fetchEventSource('http://unused.invalid/', {
      fetch: source.fetch,
      onmessage(m) {
        got.push(`${m.data}@${m.id}`);
        if (got.length === 1) {
          // 64 MiB of one unfinished line, held by a parser of the same wasm
          // instance: its memory grows (more than the other checks ever made
          // it), and every view of the old memory is gone.
          const parser = createParser({ onEvent() {}, maxBufferSize: Infinity });
          const piece = new Uint8Array(8 << 20).fill(120);
          for (let i = 0; i < 8; i++) parser.feed(piece);
          parser.free();
        }
      },
    });
    // Three events in one chunk: one batch, delivered together.
    source.write('id: 1\ndata: first\n\nid: 2\ndata: second, wider: ü\n\nid: 3\ndata: third\n\n');
    source.end();
    await done;
    expect(got.join('|') === 'first@1|second, wider: ü@2|third@3', got.join('|'));
  });

  await check('an idle timeout counts from the last chunk, not from the first', async () => {
    const source = handWrittenBody();
    const got = [];
    const done = fetchEventSource('http://unused.invalid/', {
      fetch: source.fetch,
      idleTimeoutMs: 400,
      maxRetries: 0,
      onmessage: (m) => got.push(m.data),
    });
    // Twelve chunks 50 ms apart: 600 ms in all, longer than the timeout, while
    // no gap comes near it.
    for (let i = 0; i < 12; i++) {
      source.write(`data: ${i}\n\n`);
      await sleep(50);
    }
    source.end();
    await done;
    expect(got.length === 12, `${got.length} events`);
  });

  await check('an abort while waiting to retry resolves at once', async () => {
    const controller = new AbortController();
    const key = unique();
    const delays = [];
    // The retry waits an hour: if the abort did not end the wait, the call
    // would outlive this check's 30 s limit (`check` above) and fail it.
    await fetchEventSource(`${base}/fail?code=500&k=5&key=${key}`, {
      signal: controller.signal,
      retryDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
      jitter: 0,
      onretry: ({ delayMs }) => {
        delays.push(delayMs);
        setTimeout(() => controller.abort(), 0);
      },
    });
    expect(delays.join() === '3600000', `retries announced: ${delays.join()}`);
    expect((await (await fetch(`${base}/stats?key=${key}`)).json()).attempts.fail === 1, 'the request was sent again');
  });

  await check('an idle stream times out as a network-like error', async () => {
    let error;
    await fetchEventSource(`${base}/stall?events=0`, { idleTimeoutMs: 100, maxRetries: 1, retryDelayMs: 1 }).catch((e) => (error = e));
    expect(error?.type === 'max-retries' && error.cause?.type === 'idle-timeout', `${error?.type} ${error?.cause?.type}`);
  });

  await check('the retry field reaches onmessage and sets the reconnection delay', async () => {
    const retries = [];
    const delays = [];
    // The base delay given is an hour: only the stream's `retry: 5` makes it 5 ms.
    await fetchEventSource(`${base}/retry?ms=5&attempts=2&key=${unique()}`, {
      retryDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
      jitter: 0,
      onmessage: (m) => retries.push(m.retry),
      onretry: ({ delayMs }) => delays.push(delayMs),
    });
    expect(retries.includes(5), JSON.stringify(retries));
    expect(delays.join() === '5', `reconnection delays ${delays.join()}`);
  });

  await check('metrics count events and bytes', async () => {
    let last;
    await fetchEventSource(`${base}/dribble?n=3&interval=1`, { onmetrics: (m) => (last = m) });
    const isTime = (ms) => typeof ms === 'number' && ms >= 0;
    expect(last?.events === 3 && last.bytes > 0 && last.reconnects === 0, JSON.stringify(last));
    expect(isTime(last.timeToHeadersMs) && isTime(last.timeToFirstByteMs) && isTime(last.timeToFirstEventMs), JSON.stringify(last));
  });

  // A hidden tab (pages only: workers and Node have no document).
  if (typeof document !== 'undefined') {
    const own = Object.getOwnPropertyDescriptor(document, 'hidden');
    const setHidden = (hidden) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const restore = () => {
      if (own) Object.defineProperty(document, 'hidden', own);
      else delete document.hidden;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const connections = async (stream) => (await streamStats(stream)).connections;

    await check('a hidden tab keeps its open stream, and a reconnect waits until the tab is visible', async () => {
      const stream = unique();
      const ids = [];
      try {
        setHidden(true);
        const retrying = signalled();
        const done = fetchEventSource(`${base}/drop?total=40&every=20&interval=2&stream=${stream}`, {
          retryDelayMs: 1,
          jitter: 0,
          onmessage: (m) => ids.push(Number(m.id)),
          onretry: retrying.resolve,
        });
        // The first connection streams while hidden, then drops, and the policy
        // decides to retry in 1 ms. A reconnect that did not wait for the tab
        // would come within a few ms: give it a hundred times that.
        await retrying.promise;
        await sleep(100);
        expect(ids.length <= 20, `${ids.length} events while hidden`);
        expect((await connections(stream)) === 1, 'reconnected while hidden');
        setHidden(false);
        await done;
        expect(ids.length === 40 && ids.every((id, i) => id === i + 1), `${ids.length} events`);
        expect((await connections(stream)) === 2, 'not exactly one reconnect');
      } finally {
        restore();
      }
    });

    await check('openWhenHidden reconnects while the tab is hidden', async () => {
      const stream = unique();
      let count = 0;
      try {
        setHidden(true);
        await fetchEventSource(`${base}/drop?total=40&every=20&stream=${stream}`, {
          retryDelayMs: 1,
          openWhenHidden: true,
          onmessage: () => count++,
        });
        expect(count === 40, `${count} events`);
      } finally {
        restore();
      }
    });
  }

  // The delta option: an LLM answer's text out of its events.
  const expectedText = async (url) => decodeURIComponent((await fetch(url)).headers.get('x-expected-text'));
  const sseResponse = (body) => new Response(body, { headers: { 'content-type': 'text/event-stream' } });

  await check('the delta option hands over the whole answer, the last flush done, then onDone', async () => {
    const url = `${base}/openai?n=40&interval=0`;
    const expected = await expectedText(url);
    const flushes = [];
    let doneAt = -1;
    await fetchEventSource(url, {
      delta: { format: 'openai', flush: 'event', markdown: 'hold', onDelta: (f) => flushes.push(f), onDone: () => (doneAt = flushes.length) },
    });
    const joined = flushes.map((f) => f.delta).join('');
    expect(joined === expected, `deltas ${JSON.stringify(joined)} != ${JSON.stringify(expected)}`);
    const last = flushes.at(-1);
    expect(last?.done && last.text === expected && last.display === expected, JSON.stringify(last));
    expect(flushes.slice(0, -1).every((f) => !f.done), 'a flush before the last says done');
    expect(doneAt === flushes.length, `onDone after flush ${doneAt} of ${flushes.length}`);
  });

  await check('the delta option with a format function gets the same text, and onmessage still runs', async () => {
    const url = `${base}/openai?n=25&interval=0`;
    const expected = await expectedText(url);
    let text = '';
    let messages = 0;
    await fetchEventSource(url, {
      onmessage: () => messages++,
      delta: {
        format: (e) => (e.data === '[DONE]' ? null : JSON.parse(e.data).choices[0]?.delta?.content),
        flush: 'event',
        markdown: 'off',
        onDelta: (f) => (text = f.text),
      },
    });
    expect(text === expected, `${JSON.stringify(text)} != ${JSON.stringify(expected)}`);
    expect(messages === 25 + 3, `${messages} messages`);
  });

  await check('an abort during a delta stream flushes the tail in the abort and nothing after it', async () => {
    const controller = new AbortController();
    const flushes = [];
    let afterAbort = 0;
    let aborted = false;
    const url = `${base}/openai?n=200&interval=5`;
    const expected = await expectedText(url);
    const done = fetchEventSource(url, {
      signal: controller.signal,
      delta: {
        format: 'openai',
        flush: { intervalMs: 10 },
        onDelta: (f) => {
          flushes.push(f);
          if (aborted) afterAbort++;
          if (flushes.length === 3) {
            controller.abort();
            aborted = true;
          }
        },
      },
    });
    await done;
    expect(aborted && controller.signal.aborted, 'the stream ended before the third flush: no abort');
    // The abort's own flush is the fourth, delivered inside abort(): none after.
    expect(flushes.length === 4, `${flushes.length} flushes`);
    const last = flushes.at(-1);
    expect(last.done === true, 'the last flush is not done');
    expect(last.text.length < expected.length && expected.startsWith(last.text), `the text after the abort: ${JSON.stringify(last.text)}`);
    await sleep(100);
    expect(afterAbort === 0, `${afterAbort} flushes after the abort returned`);
  });

  await check('an error object inside the stream goes to onerror, never into the text, and rejects', async () => {
    const body = 'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"error":{"type":"overloaded_error","message":"busy"}}\n\n';
    const seen = [];
    let text = '';
    let error;
    await fetchEventSource('http://127.0.0.1:9/unused', {
      fetch: async () => sseResponse(body),
      onerror: (e) => seen.push(e),
      delta: { format: 'openai', flush: 'event', onDelta: (f) => (text = f.text) },
    }).catch((e) => (error = e));
    expect(error?.name === 'DeltaError' && error.type === 'stream-error' && error.code === 'overloaded_error', String(error));
    expect(seen.length === 1 && seen[0] === error, `onerror saw ${seen.length}`);
    expect(text === 'Hi', JSON.stringify(text));
  });

  // Resume or restart, never glue (the LLM wire fixtures through /llm, which
  // drops the first attempt of a key after `drop_after` events).
  const wire = wires.find((w) => w.name === 'openai-reasoning-tools');
  const attempts = async (key) => (await (await fetch(`${base}/stats?key=${key}`)).json()).attempts.llm;
  const deltaRun = async (url, init) => {
    const flushes = [];
    const messages = [];
    let error;
    await fetchEventSource(url, {
      retryDelayMs: 1,
      onmessage: (m) => messages.push(m),
      ...init,
      delta: { format: 'openai', flush: 'event', markdown: 'hold', onDelta: (f) => flushes.push(f) },
    }).catch((e) => (error = e));
    return { flushes, messages, error };
  };

  await check('a POST whose stream had no ids is not sent again after a drop: typed network error, resumable false, the text so far kept', async () => {
    expect(wire, 'the openai-reasoning-tools fixture');
    const key = unique();
    const { flushes, error } = await deltaRun(`${base}/llm?wire=${wire.name}&drop_after=5&key=${key}`, { method: 'POST', body: '{"stream":true}' });
    expect(error?.name === 'FetchEventSourceError' && error.type === 'network' && error.resumable === false, String(error));
    expect(error.cause?.type === 'network', `cause ${error.cause?.type}`);
    const final = flushes.at(-1);
    expect(final?.done === true && final.text.length > 0 && wire.want.text.startsWith(final.text), JSON.stringify(final?.text));
    expect(flushes.every((f) => !f.restarted && wire.want.text.startsWith(f.text)), 'a flush showed other text');
    expect((await attempts(key)) === 1, `sent ${await attempts(key)} times`);
  });

  await check('restartWithoutId sends the POST again, announces the restart, and the answer is never glued', async () => {
    const key = unique();
    const { flushes, error } = await deltaRun(`${base}/llm?wire=${wire.name}&drop_after=5&key=${key}`, { method: 'POST', body: '{}', restartWithoutId: true });
    expect(error === undefined, String(error));
    // The restarted flush holds the new attempt's first events, and nothing of the one before.
    const at = flushes.findIndex((f) => f.restarted);
    expect(at > 0 && flushes[at - 1].text.length > 0, 'no restart after text was shown');
    expect(flushes[at].delta === flushes[at].text && wire.want.text.startsWith(flushes[at].text), JSON.stringify(flushes[at].text));
    const bad = wireMismatches(flushes, wire.want);
    expect(bad.length === 0, JSON.stringify(bad));
    expect((await attempts(key)) === 2, 'not sent twice');
  });

  await check("a GET whose stream had no ids restarts after a drop, as EventSource does, and announces it", async () => {
    const key = unique();
    const { flushes, error } = await deltaRun(`${base}/llm?wire=${wire.name}&drop_after=5&key=${key}`, {});
    expect(error === undefined, String(error));
    expect(flushes.some((f) => f.restarted), 'no restarted flush');
    expect(wireMismatches(flushes, wire.want).length === 0, JSON.stringify(wireMismatches(flushes, wire.want)));
  });

  // replay=none: the server resumes right after Last-Event-ID, as most do.
  for (const replay of ['none', 'all', 'last']) {
    await check(`a resumed delta stream (server replay: ${replay}) has every event once and its text exactly once, never glued`, async () => {
      const key = unique();
      const url = `${base}/llm?wire=${wire.name}&ids=1&replay=${replay}&drop_after=5&key=${key}`;
      const { flushes, messages, error } = await deltaRun(url, { method: 'POST', body: '{}' });
      expect(error === undefined, String(error));
      const ids = messages.map((m) => m.id);
      expect(new Set(ids).size === ids.length && ids.every((id, i) => id === String(i + 1)), ids.join());
      expect(flushes.every((f) => !f.restarted), 'a resume is not a restart');
      expect(wireMismatches(flushes, wire.want).length === 0, JSON.stringify(wireMismatches(flushes, wire.want)));
      expect((await attempts(key)) === 2, 'not resumed once');
    });
  }

  await check('with default options a line that never ends fails with max-buffer at 32 MiB instead of growing', async () => {
    let error;
    let events = 0;
    await fetchEventSource(`${base}/giant?size=${32 * 1024 * 1024 + 1}`, { onmessage: () => events++ }).catch((e) => (error = e));
    expect(error?.type === 'max-buffer' && error.limit === 32 * 1024 * 1024 && events === 0, `${error?.type} ${error?.limit} after ${events} events`);
  });

  await check('retryOnContentType retries a 200 that is not an event stream, up to maxRetries, and is not sent to fetch', async () => {
    let error;
    let init;
    await fetchEventSource(`${base}/content-type?type=text/html`, {
      retryOnContentType: true,
      maxRetries: 1,
      retryDelayMs: 1,
      fetch: (input, requestInit) => ((init = requestInit), fetch(input, requestInit)),
    }).catch((e) => (error = e));
    expect(error?.type === 'max-retries' && error.cause?.type === 'content-type', `${error?.type} / ${error?.cause?.type}`);
    expect(init && !('retryOnContentType' in init) && !('maxRetries' in init), 'our options reached fetch');
  });

  await check('headers may be an async function, called before every attempt (a refreshed token)', async () => {
    let calls = 0;
    const seen = [];
    await fetchEventSource(`${base}/echo?drops=1&key=${unique()}`, {
      retryDelayMs: 1,
      headers: async () => ({ Authorization: `Bearer token-${++calls}` }),
      onmessage: (m) => seen.push(JSON.parse(m.data).headers.authorization),
    });
    expect(calls === 2 && seen.join() === 'Bearer token-1,Bearer token-2', `${calls}: ${seen.join()}`);
  });

  await check('a headers function that throws is an error of that attempt, which onerror sees', async () => {
    const boom = new Error('no token');
    let seen;
    let error;
    await fetchEventSource(`${base}/dribble?n=1&interval=0`, {
      headers: () => {
        throw boom;
      },
      onerror: (e) => {
        seen = e;
        throw e;
      },
    }).catch((e) => (error = e));
    expect(seen === boom && error === boom, String(error));
  });

  // ---- What the README promises of fetchEventSource beyond the checks above.

  const attemptsOf = async (scenario, key) => (await (await fetch(`${base}/stats?key=${key}`)).json()).attempts[scenario] ?? 0;

  // An abort from inside each callback: the call resolves, and no callback
  // runs after the abort() call returned (the JS side stops at once).
  const abortInside = {
    onopen: { url: `${base}/dribble?n=50&interval=5`, init: (abort) => ({ onopen: async () => abort() }) },
    onmessage: { url: `${base}/dribble?n=50&interval=0`, init: (abort, seen) => ({ onmessage: () => seen.messages === 2 && abort() }) },
    // Three events in one write, so in one chunk: the abort stops the batch.
    'onmessage amid one chunk': { url: `${base}/lines?eol=lf`, init: (abort, seen) => ({ onmessage: () => seen.messages === 2 && abort() }) },
    onerror: { url: `${base}/fail?code=500&k=5`, init: (abort) => ({ onerror: () => void abort() }) },
    onmetrics: { url: `${base}/dribble?n=50&interval=5`, init: (abort) => ({ onmetrics: () => abort() }) },
  };
  for (const [where, { url, init }] of Object.entries(abortInside)) {
    await check(`an abort called inside ${where} resolves the call, and no callback runs after it`, async () => {
      const controller = new AbortController();
      const key = unique();
      const seen = { messages: 0, errors: 0, metrics: 0, closes: 0, retries: 0 };
      let afterAbort = 0;
      let abortReturned = false;
      const abort = () => {
        controller.abort();
        abortReturned = true;
      };
      const count = (name) => () => {
        if (abortReturned) afterAbort++;
        seen[name]++;
      };
      const counting = { onmessage: count('messages'), onerror: count('errors'), onmetrics: count('metrics'), onclose: count('closes'), onretry: count('retries') };
      const own = init(abort, seen);
      // Each callback counts, then does what the case asks of it.
      const callbacks = Object.fromEntries(
        Object.entries(counting).map(([name, counter]) => [
          name,
          (...args) => {
            counter();
            return own[name]?.(...args);
          },
        ]),
      );
      await fetchEventSource(`${url}&key=${key}`, { ...callbacks, ...(own.onopen ? { onopen: own.onopen } : {}), signal: controller.signal, retryDelayMs: 1 });
      expect(abortReturned, 'the callback never aborted');
      await sleep(50);
      expect(afterAbort === 0, `${afterAbort} callbacks after the abort: ${JSON.stringify(seen)}`);
      if (where === 'onopen' || where === 'onmetrics') expect(seen.messages === 0, `${seen.messages} messages`);
      if (where.startsWith('onmessage')) expect(seen.messages === 2, `${seen.messages} messages`);
      if (where === 'onerror') {
        expect(seen.errors === 1 && seen.retries === 0, JSON.stringify(seen));
        expect((await attemptsOf('fail', key)) === 1, 'the request was sent again');
      }
    });
  }

  await check('an ID that is not a number and not ASCII is the message id, and goes back as Last-Event-ID, UTF-8 encoded', async () => {
    const id = 'évent-✓-😀 42';
    const key = unique();
    const messages = [];
    const encoded = new TextEncoder().encode(`id: ${id}\ndata: first\n\n`);
    let attempt = 0;
    await fetchEventSource(`${base}/echo?key=${key}`, {
      retryDelayMs: 1,
      // The first attempt is a stream that sends one event and then fails; the
      // second is the real request to /echo, which reports the header it got.
      fetch: (input, init) =>
        ++attempt === 1
          ? Promise.resolve(
              sseResponse(
                new ReadableStream({
                  start(controller) {
                    controller.enqueue(encoded);
                  },
                  pull(controller) {
                    controller.error(new TypeError('dropped'));
                  },
                }),
              ),
            )
          : fetch(input, init),
      onmessage: (m) => messages.push(m),
    });
    expect(messages[0]?.id === id && messages[0].data === 'first', JSON.stringify(messages[0]));
    const echo = JSON.parse(messages.at(-1).data);
    expect(echo.attempt === 1 && echo.lastEventId === id, `Last-Event-ID ${JSON.stringify(echo.lastEventId)}`);
  });

  const bodies = {
    FormData: () => {
      const form = new FormData();
      form.append('prompt', 'héllo ✓');
      form.append('n', '2');
      return form;
    },
    Blob: () => new Blob([new Uint8Array([0, 1, 2, 255, 254])], { type: 'application/x-test' }),
    URLSearchParams: () => new URLSearchParams({ q: 'héllo wörld', n: '2' }),
  };
  const bodyIntact = {
    FormData: (e) => {
      const boundary = /boundary=(.+)$/.exec(e.headers['content-type'] ?? '')?.[1];
      return boundary && e.body.includes(boundary) && /name="prompt"\r\n\r\nhéllo ✓\r\n/.test(e.body) && /name="n"\r\n\r\n2\r\n/.test(e.body);
    },
    Blob: (e) => e.bodyBase64 === 'AAEC//4=' && e.headers['content-type'] === 'application/x-test',
    URLSearchParams: (e) => e.body === 'q=h%C3%A9llo+w%C3%B6rld&n=2' && /^application\/x-www-form-urlencoded/.test(e.headers['content-type']),
  };
  for (const [kind, make] of Object.entries(bodies)) {
    await check(`a ${kind} body is sent again intact on a retry`, async () => {
      const seen = [];
      await fetchEventSource(`${base}/echo?key=${unique()}&drops=1`, {
        method: 'POST',
        body: make(),
        retryDelayMs: 1,
        onmessage: (m) => seen.push(JSON.parse(m.data)),
      });
      // As above, a browser may lose the first attempt's echo; the second always arrives.
      expect(seen.at(-1)?.attempt === 2, JSON.stringify(seen.map((s) => s.attempt)));
      for (const echo of seen) expect(bodyIntact[kind](echo), `attempt ${echo.attempt}: ${echo.headers['content-type']} ${JSON.stringify(echo.body)}`);
    });
  }

  await check('backoffMultiplier grows each retry in a row; jitter 0 makes the delays exact', async () => {
    const delays = [];
    await fetchEventSource(`${base}/fail?code=500&k=3&key=${unique()}`, {
      retryDelayMs: 100,
      backoffMultiplier: 1.5,
      jitter: 0,
      onretry: ({ delayMs }) => delays.push(delayMs),
    });
    expect(delays.join() === '100,150,225', `delays ${delays.join()}`);
  });

  await check('jitter adds up to its fraction of the delay, never less than the delay', async () => {
    const delays = [];
    await fetchEventSource(`${base}/fail?code=500&k=10&key=${unique()}`, {
      retryDelayMs: 100,
      backoffMultiplier: 1,
      jitter: 1,
      onretry: ({ delayMs }) => delays.push(delayMs),
    });
    expect(delays.length === 10 && delays.every((ms) => ms >= 100 && ms <= 200), `delays ${delays.join()}`);
    // The default jitter (0.3) would keep every delay under 130 ms; with 1, ten
    // delays all that low have odds of 0.3^10, about 6 in a million.
    expect(delays.some((ms) => ms > 130), `jitter 1 not applied: ${delays.join()}`);
  });

  await check('maxElapsedMs stops the retries with a max-elapsed error: elapsedMs, and the last error as cause', async () => {
    const key = unique();
    const delays = [];
    let error;
    await fetchEventSource(`${base}/fail?code=500&k=1000&key=${key}`, {
      retryDelayMs: 100,
      backoffMultiplier: 1,
      jitter: 0,
      maxElapsedMs: 250,
      onretry: ({ delayMs }) => delays.push(delayMs),
    }).catch((e) => (error = e));
    expect(error?.name === 'FetchEventSourceError' && error.type === 'max-elapsed', `${error?.name} ${error?.type}`);
    expect(error.cause?.type === 'http-status' && error.cause.status === 500, `cause ${error.cause?.type} ${error.cause?.status}`);
    // How many retries fit depends on how long each request took; each waited
    // 100 ms, and the retry it refused would have ended past 250 ms.
    expect(delays.length >= 1 && delays.every((ms) => ms === 100), `delays ${delays.join()}`);
    expect(typeof error.elapsedMs === 'number' && error.elapsedMs >= 100 * delays.length && error.elapsedMs + 100 > 250, `elapsedMs ${error.elapsedMs} after ${delays.length} retries`);
    expect((await attemptsOf('fail', key)) === delays.length + 1, 'attempts and retries disagree');
  });

  await check("the request's cache mode is no-store unless the caller sets one", async () => {
    const modes = [];
    const recording = (input, init) => {
      modes.push(init?.cache ?? (input instanceof Request ? input.cache : undefined));
      return fetch(input, init);
    };
    await fetchEventSource(`${base}/dribble?n=1&interval=0`, { fetch: recording });
    await fetchEventSource(`${base}/dribble?n=1&interval=0`, { fetch: recording, cache: 'reload' });
    expect(modes.join() === 'no-store,reload', `cache modes ${modes.join()}`);
  });

  return { passed, failures, seconds };
}
