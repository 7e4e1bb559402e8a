// The chaos and hostile-input routes of the SSE test server (registered in
// sse-server.mjs, which adds the CORS headers and answers preflights before a
// route runs). The plumbing (write with drain, drop, the stream's headers) is the kit's.
//
// | path          | query (defaults)                              | behaviour
// |---------------|-----------------------------------------------|-----------------------------------------------
// | /chaos        | seed=1 n=10000 idle=800 stream= span=40000    | the stream of tests/chaos/stream.js for `seed`, resumed after Last-Event-ID, written in random pieces. Each connection, planned from (seed, its number in `stream`), has up to two short stalls (5-40 % of `idle` ms) and ends within `span` bytes of where it started (the first five connections one of each kind, then at random): a drop at a random offset, inside a UTF-8 sequence, between the CR and LF of a CRLF, or inside a field name (the written bytes are left 30 ms to arrive first: Chromium may discard what it has not read when a socket dies), or a long stall that lasts until the client goes (or 20 x `idle`, then a drop); or, past the last event, a clean end.
// | /chaos-stats  | stream=                                       | JSON {connections, stalls, endings: [{connection, from, kind, cut}]} for `stream` (`stalls`: the short ones sat out) (`cut`: the byte offset in the whole stream; kind: clean, drop-any, drop-utf8, drop-crlf, drop-field, long-stall-left (the client went), long-stall-capped).
// | /hostile      | case= key= size= drop=0                       | one hostile response per `case` (below). drop=1: the first attempt of `key` drops after the case's events, and the next attempt sends one event whose data is the hex of the Last-Event-ID header's bytes (`none` when absent).
// | /hostile-stats| key=                                          | JSON {requests, written} for `key`: how many requests reached /hostile, and the bytes written to the last one.
//
// /hostile cases:
//   invalid-utf8   invalid UTF-8 in every field: the id, the event name, data, a comment, a field name, a retry value; then a valid event
//   nul-id         `id: 1` / `data: a`, then `id: 2<NUL>x` / `data: b` (the spec ignores an id with a NUL)
//   retry-lines    10,000 `retry:` lines counting down from 10000 to 1, then `data: after`
//   comment        a comment line of `size` bytes (default 100 MB) after `data: before`, then `data: after`
//   event-name     `event: ` and `size` bytes (default 1 MiB) of `n`, then `data: x`
//   long-id        `id: ` and `size` bytes (default 64 KiB) of `i`, then `data: a` (with drop=1, Node's own
//                  16 KiB header limit answers the reconnect with a 431, before this route and its CORS headers)
//   huge-retry     `retry: ` and 23 nines (past u64), then `data: a`
//   html-as-sse    `Content-Type: text/event-stream` and a proxy's HTML error page as the body
//   json-as-html   `Content-Type: text/html` and a body that is a valid event stream
//   json-error     `Content-Type: application/json`, status 200, `{"error":{"message":"quota exceeded"}}`
//   silent         200 `text/event-stream`, headers flushed, then nothing, until the client goes
//   redirect-loop  302 to itself, forever

import { DROP_PAUSE_MS, drop as dropConnection, isOpen as open, openEventStream, write } from '../../examples/server/kit.mjs';
import { chaosStream, mix, random } from '../chaos/stream.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function int(params, name, fallback) {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : fallback;
}

const startStream = (res, type) => openEventStream(res, type ? { 'Content-Type': type } : {});

// The kit's drop closes the socket after its pause; waiting for that pause
// keeps a route from going on while the connection is being dropped.
async function drop(res) {
  dropConnection(res);
  await sleep(DROP_PAUSE_MS);
}

const untilClosed = (res, ms) =>
  new Promise((resolve) => {
    if (!open(res)) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/** The numeric Last-Event-ID of the request, or 0. */
function resumeAfter(req) {
  const id = Number(req.headers['last-event-id']);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

// ---------------------------------------------------------------- /chaos

const streamCache = new Map(); // `${seed}/${n}` -> chaosStream(seed, n)
const chaosStates = new Map(); // stream -> { connections, endings }

const KINDS = ['drop-any', 'drop-utf8', 'drop-crlf', 'drop-field', 'drop-any', 'drop-utf8', 'drop-crlf', 'drop-field', 'long-stall'];
const EVERY_KIND = ['drop-utf8', 'long-stall', 'drop-crlf', 'drop-field', 'drop-any'];
const isLineStart = (bytes, at) => at === 0 || bytes[at - 1] === 0x0a || bytes[at - 1] === 0x0d;
const FIELD_NAMES = ['data', 'event', 'id'].map((name) => new TextEncoder().encode(name));

/** The first offset at or after `from` where a cut of `kind` lands, or -1. */
function findCut(bytes, from, kind, r) {
  for (let at = from; at < bytes.length; at++) {
    if (kind === 'drop-any' || kind === 'long-stall') return at;
    // Inside a multi-byte sequence: before one of its continuation bytes.
    if (kind === 'drop-utf8' && (bytes[at] & 0xc0) === 0x80) return at;
    // Between the CR and the LF of a CRLF.
    if (kind === 'drop-crlf' && bytes[at] === 0x0a && bytes[at - 1] === 0x0d) return at;
    if (kind === 'drop-field' && isLineStart(bytes, at)) {
      const name = FIELD_NAMES.find((f) => f.every((b, k) => bytes[at + k] === b));
      if (name) return at + r.int(1, name.length - 1);
    }
  }
  return -1;
}

async function chaos(req, res, q) {
  const seed = int(q, 'seed', 1) >>> 0;
  const n = Math.max(1, int(q, 'n', 10_000));
  const idle = Math.max(1, int(q, 'idle', 800));
  const span = Math.max(1, int(q, 'span', 40_000));
  const key = `${seed}/${n}`;
  if (!streamCache.has(key)) streamCache.set(key, chaosStream(seed, n));
  const { bytes, starts } = streamCache.get(key);
  const name = q.get('stream') ?? '';
  const state = chaosStates.get(name) ?? { connections: 0, endings: [], stalls: 0 };
  chaosStates.set(name, state);
  const connection = ++state.connections;
  const from = Math.min(resumeAfter(req) + 1, n + 1);

  // The plan of this connection: where it ends and how, and its short stalls.
  const r = random(mix(seed, connection));
  const start = starts[from];
  // The first connections go through every kind once, so that every run has each.
  let kind = connection <= EVERY_KIND.length ? EVERY_KIND[connection - 1] : r.pick(KINDS);
  let cut = findCut(bytes, start + r.int(1, span), kind, r);
  if (cut < 0) {
    kind = 'clean';
    cut = bytes.length;
  }
  const stalls = Array.from({ length: r.int(0, 2) }, () => ({ at: r.int(start, cut), ms: r.int(Math.ceil(idle * 0.05), Math.floor(idle * 0.4)) })).sort(
    (a, b) => a.at - b.at,
  );
  const ending = { connection, from, kind, cut };
  state.endings.push(ending);

  startStream(res);
  for (let at = start; at < cut; ) {
    const stall = stalls[0];
    let end = Math.min(cut, at + r.int(1, 8192));
    if (stall && stall.at < end) end = Math.max(at + 1, stall.at);
    if (!(await write(res, bytes.subarray(at, end)))) return;
    at = end;
    while (stalls.length && stalls[0].at <= at) {
      state.stalls++;
      await sleep(stalls.shift().ms);
    }
  }
  if (kind === 'clean') {
    res.end();
  } else if (kind === 'long-stall') {
    if (!(await untilClosed(res, idle * 20))) {
      ending.kind = 'long-stall-capped';
      await drop(res);
    } else {
      ending.kind = 'long-stall-left';
    }
  } else {
    await drop(res);
  }
}

function chaosStats(req, res, q) {
  const state = chaosStates.get(q.get('stream') ?? '') ?? { connections: 0, endings: [] };
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(state));
}

// ---------------------------------------------------------------- /hostile

const hostileStates = new Map(); // key -> { requests, written }

const latin1 = (text) => Buffer.from(text, 'latin1');
const utf8 = (text) => Buffer.from(text, 'utf8');

/** Each case: the body's bytes (a Buffer, or an async writer) and its Content-Type. */
const CASES = {
  'invalid-utf8': () =>
    Buffer.concat([
      latin1(': comment \xff\xfe\n'),
      latin1('id: \xff1\n'),
      latin1('event: \xc3(\n'),
      latin1('data: a\xe2\x82b\n'),
      latin1('data: \xf0\x9f\x98\n'),
      latin1('\xffdata: not a field we know\n'),
      latin1('retry: 1\xff\n'),
      latin1('\n'),
      utf8('data: ok ✓\n\n'),
    ]),
  'nul-id': () => latin1('id: 1\ndata: a\n\nid: 2\x00x\ndata: b\n\n'),
  'retry-lines': () => {
    const lines = [];
    for (let ms = 10_000; ms >= 1; ms--) lines.push(`retry: ${ms}\n`);
    return utf8(`${lines.join('')}data: after\n\n`);
  },
  comment: (q) => async (res, state) => {
    const size = int(q, 'size', 100_000_000);
    const block = Buffer.alloc(64 * 1024, 'x');
    if (!(await counted(res, state, 'data: before\n\n:'))) return false;
    for (let left = size; left > 0; left -= block.length) {
      if (!(await counted(res, state, left >= block.length ? block : block.subarray(0, left)))) return false;
    }
    return counted(res, state, '\ndata: after\n\n');
  },
  'long-id': (q) => utf8(`id: ${'i'.repeat(int(q, 'size', 64 * 1024))}\ndata: a\n\n`),
  'huge-retry': () => utf8('retry: 99999999999999999999999\ndata: a\n\n'),
  'event-name': (q) => utf8(`event: ${'n'.repeat(int(q, 'size', 1 << 20))}\ndata: x\n\n`),
  'html-as-sse': () => utf8('<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n'),
  'json-as-html': () => utf8('data: this is not an event stream\n\n'),
  'json-error': () => utf8('{"error":{"message":"quota exceeded"}}'),
};
const TYPES = { 'json-as-html': 'text/html; charset=utf-8', 'json-error': 'application/json' };

async function counted(res, state, data) {
  const ok = await write(res, data);
  if (ok) state.written += data.length;
  return ok;
}

async function hostile(req, res, q) {
  const name = q.get('case') ?? '';
  const key = q.get('key') ?? '';
  const state = hostileStates.get(key) ?? { requests: 0, written: 0 };
  hostileStates.set(key, state);
  state.requests++;
  state.written = 0;
  if (name === 'redirect-loop') {
    res.writeHead(302, { Location: req.url, 'Content-Type': 'text/plain' }).end('again');
    return;
  }
  if (name === 'silent') {
    startStream(res);
    await untilClosed(res, 10 * 60_000);
    return;
  }
  if (q.get('drop') === '1' && state.requests > 1) {
    const id = req.headers['last-event-id'];
    startStream(res);
    // Node reads header bytes as latin1: back to the bytes the client sent.
    res.end(`data: ${id === undefined ? 'none' : latin1(id).toString('hex')}\n\n`);
    return;
  }
  const make = Object.hasOwn(CASES, name) ? CASES[name] : null;
  if (!make) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`unknown case ${name}; see tests/server/chaos.mjs`);
    return;
  }
  const body = make(q);
  startStream(res, TYPES[name]);
  if (typeof body === 'function') {
    if (!(await body(res, state))) return;
  } else if (!(await counted(res, state, body))) {
    return;
  }
  if (q.get('drop') === '1') await drop(res);
  else res.end();
}

function hostileStats(req, res, q) {
  const state = hostileStates.get(q.get('key') ?? '') ?? { requests: 0, written: 0 };
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(state));
}

export const scenarios = { chaos, 'chaos-stats': chaosStats, hostile, 'hostile-stats': hostileStats };
