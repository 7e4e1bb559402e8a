// The event-stream server of the end-to-end bench: node:http on 127.0.0.1, a
// port the OS picks (read back from the socket), in the bench's own process.
// The bench page is served by lib/browser.mjs on another origin, so responses
// carry CORS headers (the page is cross-origin isolated: CORS responses pass
// its embedder policy); those, the writes and the listening are the server
// kit's (examples/server/kit.mjs). Every path sits under a random prefix, so a
// request that reaches some other server on a stale port gets a 404, never a
// stream.
//
//   GET PREFIX/stream?size=N  the whole stream, as a live LLM endpoint writes
//                             it: whole events only, as many as fit in N
//                             bytes per write (at least one), each write
//                             flushed to the socket before the next
//   GET PREFIX/paced?n=&ms=   n chat events, one every ms milliseconds, each
//                             carrying its index and the server's wall clock
//                             at its write (see pacedEvent), then
//                             `data: [DONE]`
//   GET PREFIX/clock          the server's wall clock now, as text (ms)
//
// Wall clock: performance.timeOrigin + performance.now(), what the page uses.

import { randomBytes } from 'node:crypto';
import { allowCrossOrigin, isOpen, listen } from '../../examples/server/kit.mjs';
import { pacedStamp } from './stamps.mjs';
import { eventWrites } from './stream.mjs';

/** The write sizes the bench streams at: one event, about 1 KB, 16 KB. */
export const WRITE_SIZES = [256, 1024, 16 * 1024];

const NO_STORE = { 'cache-control': 'no-store' };
const SSE = { 'content-type': 'text/event-stream; charset=utf-8', ...NO_STORE };

export const wallClock = () => performance.timeOrigin + performance.now();

/**
 * A chat-completion chunk like those of the throughput stream (about 200 bytes
 * of JSON, some multi-byte text). Its text delta ends in a stamp
 * `⟦index@write time⟧`, so that a contestant that only sees text (the delta
 * pipeline, JSON.parse + concat) can be timed like one that sees the data.
 */
export function pacedEvent(i, t) {
  const word = ['The', ' café', ' in', ' 東京', ' is', ' open 🚀', ' today', ','][i % 8];
  const content = `${word}${pacedStamp(i, t)}`;
  return JSON.stringify({
    id: 'chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012',
    object: 'chat.completion.chunk',
    created: 1735689600,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });
}

/**
 * @param {Uint8Array} body the throughput stream
 * @returns {Promise<{ origin: string, prefix: string, requests: Record<string, number>, close(): Promise<void> }>}
 */
export async function startStreamServer(body) {
  const prefix = `/e2e-${randomBytes(8).toString('hex')}`;
  const requests = { stream: 0, paced: 0, clock: 0, preflight: 0, unknown: 0 };
  const timers = new Set();

  const listening = await listen((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (allowCrossOrigin(req, res)) {
      requests.preflight++;
      return;
    }
    switch (url.pathname) {
      case `${prefix}/stream`:
        requests.stream++;
        return sendAll(res, Number(url.searchParams.get('size')));
      case `${prefix}/paced`:
        requests.paced++;
        return sendPaced(res, Number(url.searchParams.get('n')), Number(url.searchParams.get('ms')));
      case `${prefix}/clock`:
        requests.clock++;
        res.writeHead(200, { 'content-type': 'text/plain', ...NO_STORE });
        res.end(String(wallClock()));
        return;
      default:
        requests.unknown++;
        res.writeHead(404, { 'content-type': 'text/plain', ...NO_STORE }).end('not found');
    }
  });

  // One write per slice of whole events, each flushed to the socket (its
  // callback) before the next goes: a live endpoint's schedule, not one big
  // buffer. Chunked transfer encoding, as an SSE endpoint sends.
  const slicings = new Map();
  async function sendAll(res, size) {
    if (!(size >= 1)) {
      res.writeHead(400, { 'content-type': 'text/plain', ...NO_STORE }).end('size');
      return;
    }
    if (!slicings.has(size)) slicings.set(size, eventWrites(body, size));
    res.writeHead(200, SSE);
    for (const slice of slicings.get(size)) {
      if (!isOpen(res)) return;
      await new Promise((ok) => res.write(slice, ok));
    }
    res.end();
  }

  // One event every `ms`, on a schedule fixed at the start (a late timer does
  // not push the later events back). The time is read right before the write.
  function sendPaced(res, n, ms) {
    if (!(n >= 1 && ms >= 0)) {
      res.writeHead(400, { 'content-type': 'text/plain', ...NO_STORE }).end('n, ms');
      return;
    }
    res.writeHead(200, SSE);
    res.flushHeaders();
    const start = performance.now();
    let i = 0;
    const tick = () => {
      timers.delete(timer);
      if (res.destroyed) return;
      res.write(`data: ${pacedEvent(i, wallClock())}\n\n`);
      i++;
      if (i === n) {
        res.end('data: [DONE]\n\n');
        return;
      }
      timer = setTimeout(tick, Math.max(0, start + (i + 1) * ms - performance.now()));
      timers.add(timer);
    };
    let timer = setTimeout(tick, ms);
    timers.add(timer);
  }

  return {
    origin: listening.origin,
    prefix,
    requests,
    close: () => {
      for (const t of timers) clearTimeout(t);
      return listening.close();
    },
  };
}
