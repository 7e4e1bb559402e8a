// The event-stream server of the end-to-end bench: node:http on 127.0.0.1, a
// port the OS picks (read back from the socket), in the bench's own process.
// The bench page is served by lib/browser.mjs on another origin, so responses
// carry CORS headers (the page is cross-origin isolated: CORS responses pass
// its embedder policy); those, the writes and the listening are the server
// kit's (examples/server/kit.mjs). Every path sits under a random prefix, so a
// request that reaches some other server on a stale port gets a 404, never a
// stream.
//
//   GET PREFIX/stream         the whole stream, written as fast as the socket
//                             takes it, in WRITE_SIZE slices
//   GET PREFIX/paced?n=&ms=   n chat events, one every ms milliseconds, each
//                             carrying the server's wall clock at its write
//                             in "t" (ms), then `data: [DONE]`
//   GET PREFIX/clock          the server's wall clock now, as text (ms)
//
// Wall clock: performance.timeOrigin + performance.now(), what the page uses.

import { randomBytes } from 'node:crypto';
import { allowCrossOrigin, listen, write } from '../../examples/server/kit.mjs';

export const WRITE_SIZE = 1 << 20;

const NO_STORE = { 'cache-control': 'no-store' };
const SSE = { 'content-type': 'text/event-stream; charset=utf-8', ...NO_STORE };

export const wallClock = () => performance.timeOrigin + performance.now();

/**
 * A chat-completion chunk like those of the throughput stream (about 200 bytes
 * of JSON, some multi-byte text), with the write time and the index in front.
 */
export function pacedEvent(i, t) {
  const content = ['The', ' café', ' in', ' 東京', ' is', ' open 🚀', ' today', ','][i % 8];
  return JSON.stringify({
    t,
    i,
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
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
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
        return sendAll(res);
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

  // Everything at once, in big slices; waits for the socket only when Node's
  // buffer is full. Chunked transfer encoding, as an SSE endpoint sends.
  async function sendAll(res) {
    res.writeHead(200, SSE);
    for (let at = 0; at < bytes.length; at += WRITE_SIZE) {
      if (!(await write(res, bytes.subarray(at, at + WRITE_SIZE)))) return;
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
