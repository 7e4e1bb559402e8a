// A mock LLM server: streams canned markdown answers at a realistic pace, on the
// paths and in the wire formats of four real producers (OpenAI chat completions,
// Anthropic Messages, OpenAI Responses, the Vercel AI SDK UI message stream),
// with reasoning, tool calls and fault scenarios (drop, 429, 500, stall,
// stream-error) for trying a streaming client. Node >= 20, `node:` built-ins
// only. See README.md here for the formats and the scenarios; main.mjs is the
// command line.
//
// The layers: answers.mjs (the canned texts and their tokens) -> plan.mjs (one
// neutral plan per request: reasoning, text, tool calls, finish, usage) ->
// wire/*.mjs (the plan as one provider's frames) -> this file (the request
// options, the key and attempt counting, the pacing, the faults, the transport),
// once for all formats.
//
//   import { startServer } from './server.mjs';
//   const server = await startServer({ port: 0, tps: 50, static: { '/': 'examples/vanilla' } });
//   // server.origin === 'http://127.0.0.1:<port>'
//   await server.close();

import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANSWERS, ANSWER_NAMES, hash, lastUserText, pickAnswer } from './answers.mjs';
import { makePlan } from './plan.mjs';
import { FORMATS, PATHS, expect, formatOf } from './wire/index.mjs';
import { EVENT_STREAM_HEADERS, allowCrossOrigin, drop, listen, openEventStream, readBody, write } from './kit.mjs';

export { ANSWERS, ANSWER_NAMES, pickAnswer, PATHS };

export const DEFAULT_TPS = 50;
export const MIN_TPS = 30;
export const MAX_TPS = 80;
export const DEFAULT_TTFT_MS = 300;
export const SCENARIOS = ['normal', 'drop', '429', '500', 'stall', 'stream-error'];
export const MODEL = 'mock-gpt';

/** Tokens sent before a fault strikes, unless `after=K`. */
const FAULT_AFTER = { drop: 30, stall: 10, 'stream-error': 20 };
/** The parameter that counts the attempts a fault strikes (1 unless given). */
const FAULT_COUNT = { drop: 'drops', stall: 'stalls', 'stream-error': 'errors' };
const STREAM_ERROR_MESSAGE = 'The model stopped mid-answer (mock scenario stream-error).';

const EXPOSED_HEADERS = ['Retry-After', 'X-Attempt', 'X-Mock-Answer', 'X-Mock-Scenario', 'X-Mock-Tokens', 'X-Request-Id', 'Content-Type', 'X-Vercel-AI-UI-Message-Stream'];
const MAX_BODY = 1 << 20;
const MAX_KEYS = 10_000;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** 0 (as fast as possible) or a rate clamped to 30..80 tokens/s; `fallback` if not a number. */
export function clampTps(value, fallback = DEFAULT_TPS) {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) return fallback;
  if (n <= 0) return 0;
  return Math.min(MAX_TPS, Math.max(MIN_TPS, n));
}

function int(value, fallback) {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

const truthy = (value) => value !== undefined && value !== null && !['', '0', 'false', 'no', 'off'].includes(String(value).toLowerCase());

/**
 * The scenario and its parameters: the header `X-Mock-Scenario: drop; after=20`
 * (parameters after `;` or spaces), then the query string (`?scenario=drop&after=20`),
 * which wins.
 */
function scenarioOf(req, query) {
  const params = new Map();
  let name = 'normal';
  const header = req.headers['x-mock-scenario'];
  if (typeof header === 'string' && header.trim()) {
    const [first, ...rest] = header.split(/[;,\s]+/).filter(Boolean);
    name = first.toLowerCase();
    for (const part of rest) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
      else params.set(part.trim().toLowerCase(), '1');
    }
  }
  for (const [k, v] of query) params.set(k.toLowerCase(), v);
  if (params.has('scenario')) name = String(params.get('scenario')).toLowerCase() || 'normal';
  if (name === 'none' || name === 'ok') name = 'normal';
  return { name, params };
}

/** The request's numeric Last-Event-ID, or null when absent or not a count. */
function lastEventId(req) {
  const raw = req.headers['last-event-id'];
  if (typeof raw !== 'string' || !/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

function json(res, status, value, headers = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(value));
}

/** An OpenAI-style error body. */
function apiError(res, status, message, type, code = null, headers = {}) {
  json(res, status, { error: { message, type, param: null, code } }, headers);
}

/**
 * One frame as event-stream text: `id:` when the format sends ids (the frame's
 * index), `event:` when the frame is named, then its one `data:` line.
 */
function sseFrame(frame, id) {
  return `${id === null ? '' : `id: ${id}\n`}${frame.event ? `event: ${frame.event}\n` : ''}data: ${frame.data}\n\n`;
}

/** The conversation of a request body, as `{ role, content | parts }` messages; null if it has none. */
function conversationOf(format, body) {
  if (format === 'responses') {
    if (typeof body.input === 'string' && body.input) return [{ role: 'user', content: body.input }];
    return Array.isArray(body.input) && body.input.length ? body.input : null;
  }
  return Array.isArray(body.messages) && body.messages.length ? body.messages : null;
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether the request asks for reasoning, the way each provider's clients ask:
 * `?reasoning=1|0` on any path; else chat `reasoning_effort` (or OpenRouter's
 * `reasoning: {…}`, or `?reasoning_as=`), Anthropic `thinking: {type: "enabled"}`,
 * Responses `reasoning: {…}`; an effort of "none" does not count.
 */
function wantsReasoning(format, body, params) {
  if (params.has('reasoning')) return truthy(params.get('reasoning'));
  const effort = (r) => isObject(r) && r.effort !== 'none' && r.enabled !== false;
  if (format === 'chat') return (typeof body.reasoning_effort === 'string' && body.reasoning_effort !== 'none') || effort(body.reasoning) || params.has('reasoning_as');
  if (format === 'anthropic') return ['enabled', 'adaptive'].includes(body.thinking?.type);
  if (format === 'responses') return effort(body.reasoning);
  return false;
}

const REASONING_AS = { reasoning_content: 'reasoning_content', reasoning: 'reasoning', think: 'think' };

/**
 * Starts the server.
 * @param {object} [options]
 * @param {number} [options.port=0] 0: any free port.
 * @param {string} [options.host='127.0.0.1']
 * @param {number} [options.tps=50] default tokens per second (30..80, 0 = as fast as possible); `?tps=` overrides per request.
 * @param {number} [options.ttftMs] default delay before the first token (300 ms, 0 when tps is 0); `?ttft=` overrides.
 * @param {Record<string, string>} [options.static] URL prefix -> directory, such as `{ '/pkg/': 'pkg', '/': 'examples/vanilla' }`.
 * @param {boolean} [options.log=false] log each request to stderr.
 * @returns {Promise<{ server: import('node:http').Server, port: number, origin: string, close(): Promise<void> }>}
 */
export async function startServer({ port = 0, host = '127.0.0.1', tps = DEFAULT_TPS, ttftMs, static: mounts = {}, log = false } = {}) {
  const defaultTps = clampTps(tps);
  const defaultTtft = ttftMs ?? (defaultTps === 0 ? 0 : DEFAULT_TTFT_MS);
  const statics = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const attempts = new Map(); // `${scenario}\0${key}` -> count
  const openStreams = new Map(); // key -> streams of that key still connected
  let requestCount = 0;

  function bump(scenario, key) {
    const id = `${scenario}\0${key}`;
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.delete(id);
    attempts.set(id, n);
    if (attempts.size > MAX_KEYS) attempts.delete(attempts.keys().next().value);
    return n;
  }

  /**
   * What a request asks for, shared by the stream and /mock/expect: the scenario
   * and its parameters, the key, and the plan of the answer. `{ error }` (status,
   * message, type, code) when the body cannot be answered.
   */
  function understand(format, req, query, body) {
    if (!isObject(body)) return { error: [400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_value'] };
    const messages = conversationOf(format, body);
    if (!messages) {
      const what = format === 'responses' ? "'input' must be a string or a non-empty array." : "'messages' must be a non-empty array.";
      return { error: [400, what, 'invalid_request_error', 'invalid_value'] };
    }
    const { name: scenario, params } = scenarioOf(req, query);
    if (!SCENARIOS.includes(scenario)) {
      return { error: [400, `Unknown mock scenario '${scenario}': use one of ${SCENARIOS.join(', ')}.`, 'invalid_request_error', 'unknown_scenario'] };
    }
    const prompt = lastUserText(messages);
    const conversation = JSON.stringify(messages);
    const key = req.headers['x-mock-key'] || params.get('key') || `auto-${hash(conversation).toString(16)}`;
    const toolsRequested = Array.isArray(body.tools) && body.tools.length > 0;
    const calls = params.has('tools') ? int(params.get('tools'), 1) : undefined;
    const turn = pickAnswer(messages, params.get('answer') ?? req.headers['x-mock-answer'], { tools: toolsRequested, calls });
    const idsFlag = params.has('ids') ? params.get('ids') : req.headers['x-mock-ids'];
    const maxTokens = int(
      format === 'responses' ? body.max_output_tokens : format === 'chat' ? (body.max_completion_tokens ?? body.max_tokens) : format === 'anthropic' ? body.max_tokens : null,
      0,
    );
    const plan = makePlan({
      turn,
      reasoning: wantsReasoning(format, body, params),
      maxTokens,
      prompt,
      seed: conversation,
      key,
      model: typeof body.model === 'string' && body.model ? body.model : MODEL,
      options: {
        created: Math.floor(Date.now() / 1000),
        includeUsage: body.stream_options?.include_usage === true,
        reasoningAs: REASONING_AS[params.get('reasoning_as')] ?? 'reasoning_content',
        toolsRequested,
        effort: isObject(body.reasoning) ? (body.reasoning.effort ?? null) : null,
        maxOutputTokens: format === 'responses' && maxTokens > 0 ? maxTokens : null,
      },
    });
    // Only chat completions carry `id:` fields, and only unless ids=0: the real
    // OpenAI API sends none; the others never do.
    const ids = format === 'chat' && (idsFlag === undefined || truthy(idsFlag));
    const faulty = scenario === 'drop' || scenario === 'stall' || scenario === 'stream-error';
    const fault = faulty ? { scenario, after: int(params.get('after'), FAULT_AFTER[scenario]), message: STREAM_ERROR_MESSAGE } : null;
    return { scenario, params, key, plan, ids, fault };
  }

  async function stream(format, req, res, query) {
    const m = FORMATS[format];
    const fail = (status, message, type, code = null, headers = {}) => json(res, status, m.httpError(status, message, type, code), headers);
    let body;
    try {
      body = JSON.parse((await readBody(req, { limit: MAX_BODY })).toString('utf8'));
    } catch (error) {
      fail(error?.status ?? 400, error?.status ? error.message : 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    const ask = understand(format, req, query, body);
    if (ask.error) {
      fail(...ask.error);
      return;
    }
    const { scenario, params, key, plan, ids, fault } = ask;
    const attempt = bump(scenario, key);
    const always = truthy(params.get('always'));
    const headers = {
      'X-Attempt': String(attempt),
      'X-Mock-Answer': plan.answer,
      'X-Mock-Scenario': scenario,
      'X-Request-Id': `req_${hash(`${key}\0${attempt}\0${++requestCount}`).toString(16)}`,
    };

    if (scenario === '429' && (always || attempt <= int(params.get('fails'), 1))) {
      const retryAfter = String(int(params.get('retry_after'), 1));
      fail(429, `Rate limit reached for ${MODEL} (mock scenario 429, attempt ${attempt}). Please try again in ${retryAfter}s.`, 'requests', 'rate_limit_exceeded', { ...headers, 'Retry-After': retryAfter });
      return;
    }
    if (scenario === '500' && (always || attempt <= int(params.get('fails'), 1))) {
      fail(500, `The server had an error while processing your request (mock scenario 500, attempt ${attempt}).`, 'server_error', null, headers);
      return;
    }

    const frames = m.frames(plan);
    headers['X-Mock-Tokens'] = String(frames.filter((f) => f.piece).length);

    if (body.stream !== true && m.body) {
      json(res, 200, m.body(plan), headers);
      return;
    }

    const after = ids ? lastEventId(req) : null;
    const start = after === null ? 0 : after + 1;
    if (start >= frames.length) {
      // Everything was sent already: nothing more (204 tells a client not to reconnect).
      res.writeHead(204, headers).end();
      return;
    }
    const rate = clampTps(params.get('tps'), defaultTps);
    const ttft = int(params.get('ttft'), rate === 0 ? 0 : defaultTtft);
    // drop / stall / stream-error: on the first `drops`/`stalls`/`errors` attempts of a
    // key (every attempt with always=1), after `after` tokens sent on this connection.
    const faultCount = int(params.get(FAULT_COUNT[scenario]), 1);
    const strike = fault && (always || attempt <= faultCount) ? fault : null;

    openEventStream(res, { ...(format === 'ai-sdk' ? FORMATS['ai-sdk'].HEADERS : EVENT_STREAM_HEADERS), ...headers });
    // Counted until the connection closes: a test sees when a client's abort reached the server.
    openStreams.set(key, (openStreams.get(key) ?? 0) + 1);
    res.once('close', () => {
      const left = openStreams.get(key) - 1;
      if (left > 0) openStreams.set(key, left);
      else openStreams.delete(key);
    });

    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const wait = (ms) => (ms > 0 ? sleep(ms, undefined, { signal: gone.signal }) : Promise.resolve());

    try {
      if (params.has('retry')) await write(res, `retry: ${int(params.get('retry'), 1000)}\n\n`);
      await wait(ttft);
      const period = rate === 0 ? 0 : 1000 / rate;
      let due = performance.now();
      let sent = 0; // tokens sent on this connection
      const lastToken = frames.findLastIndex((f) => f.piece);
      for (let i = start; i < frames.length; i++) {
        const frame = frames[i];
        if (frame.piece && strike && sent === strike.after) {
          if (strike.scenario === 'drop') {
            drop(res);
            return;
          }
          if (strike.scenario === 'stream-error') {
            // The provider's in-stream error, then a clean end (no `id:`: it is not part of the answer).
            for (const f of m.failure(plan, i, strike.message).frames) if (!(await write(res, sseFrame(f, null)))) return;
            res.end();
            return;
          }
          // stall: nothing more on this connection (or comments only), until the client goes.
          if (truthy(params.get('heartbeat'))) {
            const every = Math.max(10, int(params.get('heartbeat_ms'), 1000));
            const timer = setInterval(() => write(res, `: keep-alive ${new Date().toISOString()}\n\n`), every);
            res.on('close', () => clearInterval(timer));
          }
          return;
        }
        if (!(await write(res, sseFrame(frame, ids ? i : null)))) return;
        if (frame.piece) {
          sent++;
          if (period > 0 && i < lastToken) {
            // Jitter of +-50% around the rate, on a schedule that does not drift.
            due += period * (0.5 + Math.random());
            await wait(due - performance.now());
          }
        }
      }
      res.end();
    } catch (error) {
      if (error?.name !== 'AbortError') throw error;
    }
  }

  /** POST /mock/expect?format=…: what a correct client ends with for the same body and query. */
  async function expectation(req, res, query) {
    const format = formatOf(query.get('format') ?? query.get('path') ?? 'chat');
    if (!format) {
      apiError(res, 400, `Unknown format '${query.get('format') ?? query.get('path')}': use one of ${Object.keys(FORMATS).join(', ')} or a path.`, 'invalid_request_error', 'unknown_format');
      return;
    }
    let body;
    try {
      body = JSON.parse((await readBody(req, { limit: MAX_BODY })).toString('utf8'));
    } catch (error) {
      apiError(res, error?.status ?? 400, error?.status ? error.message : 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    const ask = understand(format, req, query, body);
    if (ask.error) {
      apiError(res, ...ask.error);
      return;
    }
    json(res, 200, expect(format, ask.plan, ask.fault));
  }

  async function serveStatic(req, res, pathname) {
    let path;
    try {
      path = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    const mount = statics.find(([prefix]) => path.startsWith(prefix) || `${path}/` === prefix);
    if (!mount) return false;
    const [prefix, root] = mount;
    if (`${path}/` === prefix) {
      res.writeHead(301, { Location: prefix }).end();
      return true;
    }
    let file = normalize(join(root, path.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      apiError(res, 403, 'Outside the served folder.', 'invalid_request_error');
      return true;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const content = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', 'Content-Length': content.length });
      res.end(req.method === 'HEAD' ? undefined : content);
    } catch {
      return false;
    }
    return true;
  }

  return listen(async (req, res) => {
    if (log) {
      const extra = ['last-event-id', 'x-mock-scenario', 'x-mock-key'].filter((h) => req.headers[h]).map((h) => `${h}=${req.headers[h]}`);
      process.stderr.write(`${new Date().toISOString()} ${req.method} ${req.url} ${extra.join(' ')}\n`);
    }
    if (allowCrossOrigin(req, res, { expose: EXPOSED_HEADERS })) return;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const format = formatOf(path);
      if (path === '/healthz') {
        json(res, 200, { ok: true, model: MODEL, answers: ANSWER_NAMES, scenarios: SCENARIOS, formats: PATHS, tps: defaultTps });
      } else if (format) {
        if (req.method === 'POST') await stream(format, req, res, url.searchParams);
        else json(res, 405, FORMATS[format].httpError(405, `Use POST for ${path}.`, 'invalid_request_error'), { Allow: 'POST, OPTIONS' });
      } else if (path === '/mock/expect') {
        if (req.method === 'POST') await expectation(req, res, url.searchParams);
        else apiError(res, 405, 'Use POST for /mock/expect, with the body and query of the stream request.', 'invalid_request_error', null, { Allow: 'POST, OPTIONS' });
      } else if (path === '/v1/models') {
        json(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'wasm-sse' }] });
      } else if (path === '/mock/stats') {
        const key = url.searchParams.get('key') ?? '';
        const counts = {};
        for (const [id, n] of attempts) {
          const [scenario, k] = id.split('\0');
          if (k === key) counts[scenario] = n;
        }
        json(res, 200, { key, attempts: counts, open: openStreams.get(key) ?? 0 });
      } else if (path === '/mock/reset') {
        attempts.clear();
        res.writeHead(204).end();
      } else if (!((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, path)))) {
        apiError(res, 404, `Unknown path ${path}: see examples/server/README.md.`, 'invalid_request_error', 'not_found');
      }
    } catch (error) {
      process.stderr.write(`${req.method} ${req.url}: ${error?.stack ?? error}\n`);
      if (!res.headersSent) apiError(res, 500, 'mock server error', 'server_error');
      else res.destroy();
    }
  }, { port, host });
}
