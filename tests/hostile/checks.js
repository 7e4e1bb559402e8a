// Hostile input through the package's fetchEventSource, against the test
// server's /hostile route (tests/server/chaos.mjs). A plain ES module with no
// imports, run in Node and, for the checks marked `browser`, in a page in
// Chromium. Each check's name says what the user sees; `run` throws if not.

const unique = () => Math.random().toString(36).slice(2);

/** Calls fetchEventSource and records everything the user's callbacks see. */
async function watch(fetchEventSource, url, options = {}) {
  const seen = { messages: [], errors: [], retries: [], closes: 0, error: null };
  try {
    await fetchEventSource(url, {
      retryDelayMs: 1,
      jitter: 0,
      // A check that goes wrong ends with max-retries instead of retrying forever.
      maxRetries: 3,
      onmessage: (m) => seen.messages.push({ id: m.id, event: m.event, data: m.data, retry: m.retry }),
      onerror: (e) => void seen.errors.push(e),
      onretry: (r) => seen.retries.push(r.delayMs),
      onclose: () => seen.closes++,
      ...options,
    });
  } catch (error) {
    seen.error = error;
  }
  return seen;
}

const stats = async (base, key) => (await fetch(`${base}/hostile-stats?key=${key}`)).json();

function expect(ok, what) {
  if (!ok) throw new Error(what);
}
const show = (value) => JSON.stringify(value, (k, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 40)}... (${v.length} chars)` : v));

/** The hex of a string's UTF-8 bytes (what the server echoes of Last-Event-ID). */
const utf8Hex = (text) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');

export const hostileChecks = [
  {
    name: 'invalid UTF-8 in every field becomes U+FFFD where the field is kept, the event still arrives, and a reconnect sends the id back as UTF-8',
    browser: true,
    async run(fetchEventSource, base) {
      const key = unique();
      const seen = await watch(fetchEventSource, `${base}/hostile?case=invalid-utf8&drop=1&key=${key}`);
      const [first, second, echo] = seen.messages;
      // The WHATWG decoder: one U+FFFD per maximal invalid subpart; the field
      // named `\xffdata` is unknown and the `retry: 1\xff` value is not all digits:
      // both ignored.
      expect(first?.id === '\ufffd1' && first.event === '\ufffd(' && first.data === 'a\ufffdb\n\ufffd' && first.retry === undefined, show(first));
      expect(second?.data === 'ok ✓' && second.id === '\ufffd1', show(second));
      expect(echo?.data === utf8Hex('\ufffd1'), `Last-Event-ID bytes ${echo?.data}, want ${utf8Hex('\ufffd1')}`);
      expect(seen.error === null && seen.closes === 1 && seen.messages.length === 3, show(seen));
    },
  },
  {
    name: 'an id with a NUL is ignored: the event keeps the last id, and the reconnect sends that one',
    browser: true,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=nul-id&drop=1&key=${unique()}`);
      const ids = seen.messages.map((m) => `${m.data}@${m.id}`).join();
      // The echo event's data is the hex of Last-Event-ID: "31" is "1".
      expect(ids === 'a@1,b@1,31@1', ids);
      expect(seen.error === null, String(seen.error));
    },
  },
  {
    name: '10,000 retry lines: one event, carrying the last value, and the reconnect waits that long',
    browser: false,
    async run(fetchEventSource, base) {
      // The lines count down from 10000 to 1; the base delay of 1000 ms is
      // replaced by the last one, 1 ms.
      const seen = await watch(fetchEventSource, `${base}/hostile?case=retry-lines&drop=1&key=${unique()}`, { retryDelayMs: 1000 });
      const [after, echo] = seen.messages;
      expect(after?.data === 'after' && after.retry === 1, show(after));
      expect(seen.retries.join() === '1', `onretry delays ${seen.retries.join()}`);
      expect(echo?.data === 'none' && seen.messages.length === 2 && seen.error === null, show(seen.messages));
    },
  },
  {
    name: 'a 100 MB comment is a max-buffer error at 32 MiB, after the events before it, and the client stops reading it',
    browser: false,
    async run(fetchEventSource, base) {
      // The spec ignores comments, but a line's length is known only at its end,
      // and the README counts a comment as a line: one longer than maxBufferSize
      // fails the call (not retried) instead of growing memory.
      const key = unique();
      const size = 100_000_000;
      const seen = await watch(fetchEventSource, `${base}/hostile?case=comment&size=${size}&key=${key}`);
      expect(seen.error?.type === 'max-buffer' && seen.error.limit === 32 * 1024 * 1024, show(seen.error?.type));
      expect(seen.messages.map((m) => m.data).join() === 'before', show(seen.messages));
      expect(seen.errors.length === 1 && seen.retries.length === 0, `${seen.errors.length} errors, ${seen.retries.length} retries`);
      // The server writes as fast as the client reads: it could not send it all.
      const { written } = await stats(base, key);
      expect(written < size, `the server wrote ${written} of ${size} bytes: the client read the whole comment`);
    },
  },
  {
    name: 'a retry value past 64 bits saturates, and the reconnect waits maxDelayMs, not forever',
    browser: false,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=huge-retry&drop=1&key=${unique()}`, { maxDelayMs: 50 });
      expect(seen.messages[0]?.retry === 18446744073709552000 && seen.retries.join() === '50', show({ messages: seen.messages, retries: seen.retries }));
      expect(seen.messages[1]?.data === 'none' && seen.error === null, show(seen.messages));
    },
  },
  {
    name: 'a 64 KiB id is delivered and sent on the reconnect, where a server that refuses so large a header stops the call (Node: http-status 431; a browser: the 431 has no CORS headers, so network errors)',
    browser: true,
    async run(fetchEventSource, base) {
      const key = unique();
      const seen = await watch(fetchEventSource, `${base}/hostile?case=long-id&size=${64 * 1024}&drop=1&key=${key}`);
      expect(seen.messages.length === 1 && seen.messages[0].id === 'i'.repeat(64 * 1024), show(seen.messages));
      const e = seen.error;
      if (typeof document === 'undefined') {
        expect(e?.type === 'http-status' && e.status === 431 && seen.retries.length === 1, show(e && { type: e.type, status: e.status, retries: seen.retries }));
      } else {
        expect(e?.type === 'max-retries' && e.cause?.type === 'network', show(e && { type: e.type, cause: e.cause?.type }));
      }
      // Node's server refused the reconnect before the route saw it.
      expect((await stats(base, key)).requests === 1, 'the reconnect reached the route');
    },
  },
  {
    name: 'a 1 MiB event name is delivered whole (it is under maxBufferSize)',
    browser: false,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=event-name&size=${1 << 20}&key=${unique()}`);
      const [m] = seen.messages;
      expect(m?.event === 'n'.repeat(1 << 20) && m.data === 'x' && seen.messages.length === 1 && seen.closes === 1, show(seen.messages));
    },
  },
  {
    name: 'a 1 MiB event name over a 64 KiB maxBufferSize is a max-buffer error, and no event',
    browser: false,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=event-name&size=${1 << 20}&key=${unique()}`, { maxBufferSize: 64 * 1024 });
      expect(seen.error?.type === 'max-buffer' && seen.error.limit === 64 * 1024 && seen.messages.length === 0, show({ type: seen.error?.type, messages: seen.messages }));
    },
  },
  {
    name: 'a proxy error page sent as text/event-stream delivers no event and resolves (its lines are unknown fields)',
    browser: true,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=html-as-sse&key=${unique()}`);
      expect(seen.error === null && seen.messages.length === 0 && seen.errors.length === 0 && seen.closes === 1, show(seen));
    },
  },
  {
    name: 'an event stream sent as text/html is a content-type error with the body, no event, no retry',
    browser: true,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=json-as-html&key=${unique()}`);
      const e = seen.error;
      expect(e?.type === 'content-type' && e.status === 200 && /^text\/html/.test(e.contentType) && e.body.startsWith('data: this is not'), show(e && { type: e.type, status: e.status, contentType: e.contentType, body: e.body }));
      expect(seen.messages.length === 0 && seen.retries.length === 0, show(seen.messages));
    },
  },
  {
    name: "a JSON error answered with status 200 is a content-type error whose body is the server's message",
    browser: true,
    async run(fetchEventSource, base) {
      const seen = await watch(fetchEventSource, `${base}/hostile?case=json-error&key=${unique()}`);
      const e = seen.error;
      expect(e?.type === 'content-type' && e.contentType === 'application/json' && JSON.parse(e.body).error.message === 'quota exceeded', show(e && { type: e.type, body: e.body }));
      expect(seen.retries.length === 0, 'retried');
    },
  },
  {
    name: 'a 200 that then sends nothing forever is an idle-timeout error (after maxRetries, max-retries with it as the cause)',
    browser: true,
    async run(fetchEventSource, base) {
      const key = unique();
      const seen = await watch(fetchEventSource, `${base}/hostile?case=silent&key=${key}`, { idleTimeoutMs: 300, maxRetries: 1 });
      const e = seen.error;
      expect(e?.type === 'max-retries' && e.cause?.type === 'idle-timeout' && e.cause.timeoutMs === 300, show(e && { type: e.type, cause: e.cause?.type }));
      expect(seen.errors.length === 2 && seen.errors.every((x) => x.type === 'idle-timeout'), seen.errors.map((x) => x.type).join());
      expect((await stats(base, key)).requests === 2, 'not one request per attempt');
    },
  },
  {
    name: "a redirect loop stops at the runtime's limit of 20 redirects and is a network error (after maxRetries, max-retries)",
    browser: true,
    async run(fetchEventSource, base) {
      const key = unique();
      const seen = await watch(fetchEventSource, `${base}/hostile?case=redirect-loop&key=${key}`, { maxRetries: 1 });
      const e = seen.error;
      expect(e?.type === 'max-retries' && e.cause?.type === 'network', show(e && { type: e.type, cause: e.cause?.type, message: e.cause?.message }));
      expect(seen.errors.length === 2 && seen.messages.length === 0, show(seen.errors.map((x) => x.type)));
      // Fetch follows 20 redirects, then fails: 21 requests per attempt, two attempts.
      const { requests } = await stats(base, key);
      expect(requests === 42, `${requests} requests, want 2 attempts x 21`);
    },
  },
];

/** Runs one check by name: null when it passed, else what went wrong. */
export async function runHostileCheck(fetchEventSource, base, name) {
  const check = hostileChecks.find((c) => c.name === name);
  if (!check) return `no check named ${name}`;
  try {
    await check.run(fetchEventSource, base);
    return null;
  } catch (error) {
    return String(error?.stack ?? error);
  }
}
