// What the chat apps should end with, from the mock server itself: its
// `POST /mock/expect` answers, for the body, query and headers of a stream
// request, the text, reasoning, tool calls, finish reason and usage of the
// answer's plan (the source, not the wire, and not another run). Shared by
// the tests of tests/examples/.

/** The mock server's headers that change the answer or the scenario. */
const MOCK_HEADERS = ['x-mock-key', 'x-mock-scenario', 'x-mock-ids', 'x-mock-answer'];

/** The paths of the mock server's stream formats. */
const STREAM_PATHS = new Set(['/v1/chat/completions', '/v1/messages', '/v1/responses', '/api/chat']);

/**
 * Records every stream request the page sends to the mock server, as
 * `{ url, body, headers }` (header names in lower case), in order.
 */
export function recordStreamRequests(page) {
  const requests = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !STREAM_PATHS.has(new URL(request.url()).pathname)) return;
    // The headers the page set are in `headers()` (a promise only for all of them).
    requests.push({ url: request.url(), body: request.postData(), headers: request.headers() });
  });
  return requests;
}

/** `/mock/expect` for one recorded request: what a correct client of its format ends with. */
export async function expectFor(origin, request) {
  const url = new URL(request.url);
  const query = new URLSearchParams(url.search);
  query.set('format', url.pathname);
  const headers = { 'content-type': 'application/json' };
  for (const name of MOCK_HEADERS) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  const response = await fetch(`${origin}/mock/expect?${query}`, { method: 'POST', headers, body: request.body });
  if (response.status !== 200) throw new Error(`/mock/expect answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** How many attempts the mock server counted for the key of `request`, by scenario. */
export async function attemptsFor(origin, request) {
  const key = request.headers['x-mock-key'] ?? new URL(request.url).searchParams.get('key');
  const response = await fetch(`${origin}/mock/stats?key=${encodeURIComponent(key)}`);
  return (await response.json()).attempts;
}

/**
 * Resolves once the mock server has no stream of `request`'s key connected any
 * more: the page's abort reached the network. Waits as long as that takes (the
 * test's own timeout bounds it); a page that never aborts resolves only when
 * its stream ends on its own, with the whole answer.
 */
export async function streamsClosed(origin, request) {
  const key = request.headers['x-mock-key'] ?? new URL(request.url).searchParams.get('key');
  for (;;) {
    const response = await fetch(`${origin}/mock/stats?key=${encodeURIComponent(key)}`);
    if ((await response.json()).open === 0) return;
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/** The markdown-it of the apps: React and Vue `{ html: false, linkify: true }`;
 * the vanilla page also opens links in a new tab. `markdownit` is the module. */
export function appMarkdown(markdownit, name) {
  const md = markdownit({ html: false, linkify: true, typographer: false, breaks: false });
  if (name !== 'vanilla') return md;
  const link = md.renderer.rules.link_open ?? ((tokens, i, opts, env, self) => self.renderToken(tokens, i, opts));
  md.renderer.rules.link_open = (tokens, i, opts, env, self) => {
    tokens[i].attrSet('target', '_blank');
    tokens[i].attrSet('rel', 'noopener noreferrer');
    return link(tokens, i, opts, env, self);
  };
  return md;
}

/** `html` as the page's DOM serialises it (innerHTML writes `&quot;` as `"`). */
export const asDom = (page, html) =>
  page.evaluate((h) => {
    const div = document.createElement('div');
    div.innerHTML = h;
    return div.innerHTML;
  }, html);

/**
 * Records, on every animation frame, what the latest answer's Thinking block
 * and tool cards show: `{ state, thinking: null | { open, html }, tools:
 * [{ name, done, input }] }`, a new entry only when something changed. Read
 * with `stopProbe`.
 */
export const startProbe = (page) =>
  page.evaluate(() => {
    const frames = [];
    let last = '';
    const tick = () => {
      const details = document.getElementById('answer-thinking');
      const body = document.getElementById('answer-thinking-body');
      const frame = {
        state: document.body.dataset.state,
        thinking: details ? { open: details.open, html: body?.innerHTML ?? '' } : null,
        tools: [...document.querySelectorAll('#answer-tools [data-testid=tool-call]')].map((card) => ({
          name: card.querySelector('.tool-name')?.textContent ?? null,
          done: card.dataset.done === 'true',
          input: card.querySelector('pre')?.textContent ?? '',
        })),
      };
      const json = JSON.stringify(frame);
      if (json !== last) frames.push(frame);
      last = json;
      if (window.__probing) requestAnimationFrame(tick);
    };
    window.__probe = frames;
    window.__probing = true;
    requestAnimationFrame(tick);
  });

export async function stopProbe(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  return page.evaluate(() => {
    window.__probing = false;
    return window.__probe;
  });
}
