// The plumbing every local event-stream server of this repository shares: the
// mock LLM server (./server.mjs), the test server (tests/server/sse-server.mjs)
// and the end-to-end bench server (benches/e2e/server.mjs). Node >= 20, `node:`
// built-ins only, so that the example stays copyable on its own.
//
// Server side: CORS (preflight too), writing with backpressure, an abrupt drop,
// listening on 127.0.0.1, and running as a child process (the READY line, and
// exiting on SIGTERM, SIGINT or the parent's going away). Launcher side:
// spawnUntilReady(), which starts such a server and waits for its READY line.

import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import http from 'node:http';

// ---------------------------------------------------------------- responses

/** The headers every event stream starts with: no caching, and no proxy buffering. */
export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/** Sends the status line and the event-stream headers now, before the first event. */
export function openEventStream(res, headers = {}) {
  res.writeHead(200, { ...EVENT_STREAM_HEADERS, ...headers });
  res.flushHeaders();
}

/** Whether the response can still be written to (the client has not gone, it has not ended). */
export const isOpen = (res) => !res.destroyed && !res.writableEnded;

/** Writes, waiting for the socket to drain when it is full. Resolves false if the client left. */
export function write(res, data) {
  if (!isOpen(res)) return Promise.resolve(false);
  if (res.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * How long a drop waits before closing the socket. Chromium errors a body stream
 * that sees the connection break, and erroring a stream discards the chunks it
 * had queued but the page had not read yet: without the pause the bytes written
 * just before a drop may never reach the client.
 */
export const DROP_PAUSE_MS = 30;

/**
 * Ends the response abruptly, as a network failure would: what was written is
 * flushed, then the socket is closed without the final chunk of the chunked
 * body, so the client's read fails (`TypeError: terminated` in Node,
 * ERR_INCOMPLETE_CHUNKED_ENCODING in Chromium).
 */
export function drop(res) {
  if (!isOpen(res)) return;
  setTimeout(() => isOpen(res) && res.socket?.end(), DROP_PAUSE_MS);
}

/** The whole request body as a Buffer; rejects with `status: 413` past `limit` bytes. */
export function readBody(req, { limit = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- CORS

/**
 * Lets pages on other origins call the server (the test and bench pages are
 * served from another port), credentialed requests included, and read the
 * headers named in `expose`. Sets the headers on `res`; answers a preflight
 * itself and returns true then, so that the caller stops.
 *
 * The request's Origin is echoed with credentials allowed (`*` when it has none):
 * `*` alone would refuse `credentials: 'include'`. `Access-Control-Expose-Headers`
 * lists `*` and the names too, because `*` does not count for credentialed
 * requests. `Cross-Origin-Resource-Policy` lets a cross-origin-isolated page
 * (the benches) load responses even without CORS.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {{ expose?: string[] }} [options]
 * @returns {boolean} true when the request was a preflight, now answered
 */
export function allowCrossOrigin(req, res, { expose = [] } = {}) {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  } else {
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
  res.setHeader('Access-Control-Expose-Headers', ['*', ...expose].join(', '));
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    // Whatever the page asks to send: these servers read no header as a secret.
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '*',
    // No caching of the answer: every request of a test is checked afresh.
    'Access-Control-Max-Age': '0',
  });
  res.end();
  return true;
}

// ---------------------------------------------------------------- listening

/**
 * Listens on `host` (127.0.0.1: never reachable from another machine) and
 * `port` (0: one the OS picks, read back from the socket).
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} handler
 * @param {{ port?: number, host?: string, noDelay?: boolean }} [options]
 * @returns {Promise<{ server: import('node:http').Server, port: number, origin: string, close(): Promise<void> }>}
 */
export async function listen(handler, { port = 0, host = '127.0.0.1', noDelay = true } = {}) {
  const server = http.createServer({ noDelay }, handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address().port;
  let closing;
  return {
    server,
    port: bound,
    origin: `http://${host}:${bound}`,
    /** Stops listening and ends every connection, streams that would never end included. */
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------- as a child process

/** The one line a server prints on stdout once it accepts connections (whole: a port may come in two chunks). */
const READY = /^READY (\d+)\n/m;

/**
 * Runs a listening server as a command: prints `READY <port>` on stdout (the
 * only thing it prints there), and exits 0 on SIGTERM, SIGINT, and when stdin
 * is a pipe that closes, so that a launcher that dies does not leave it running.
 * A terminal or /dev/null as stdin (a shell's `&` job) is not watched: it
 * would end the server at once or never.
 * @param {{ port: number, close(): Promise<void> }} listening what listen() returned
 */
export function serveAsCommand(listening) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    listening.close().then(() => process.exit(0));
    // close() ends every connection; this only guards against a hang in it.
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const stdin = fstatSync(0);
    if (stdin.isFIFO() || stdin.isSocket()) {
      process.stdin.on('end', stop);
      process.stdin.on('close', stop);
      process.stdin.on('error', stop);
      process.stdin.resume();
    }
  } catch {
    // No stdin at all: nothing to watch.
  }
  process.stdout.write(`READY ${listening.port}\n`);
}

/**
 * Starts `node script ...args` and resolves once it printed its READY line: the
 * port comes from that line of *this* child, so a stale server left on some port
 * can never stand in for it. The child's stdin is a pipe this process holds, so
 * the server exits when this process does, even on SIGKILL.
 *
 * Rejects when the child exits first (with its stderr when `stderr: 'pipe'`), or
 * after `readyTimeoutMs`, a guard for launchers that nothing else stops (a test
 * has its own timeout).
 *
 * @param {string} script path of the server's entry
 * @param {string[]} [args]
 * `command` runs the script (Node by default; the real-stack tests start a
 * Python server with their venv's interpreter).
 *
 * @param {{ env?: Record<string, string>, stderr?: 'inherit' | 'pipe', readyTimeoutMs?: number, command?: string, cwd?: string }} [options]
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number, origin: string,
 *   exited: Promise<{ code: number | null, signal: string | null }>, stdout(): string, stderr(): string,
 *   stop(signal?: string): Promise<{ code: number | null, signal: string | null }> }>}
 */
export function spawnUntilReady(script, args = [], { env, stderr = 'inherit', readyTimeoutMs = 60_000, command = process.execPath, cwd } = {}) {
  const child = spawn(command, [script, ...args], {
    cwd,
    stdio: ['pipe', 'pipe', stderr],
    env: env ? { ...process.env, ...env } : process.env,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => (out += text));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text) => (err += text));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const said = () => `${script}: stdout ${JSON.stringify(out)}${stderr === 'pipe' ? `, stderr ${JSON.stringify(err)}` : ''}`;
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no READY line in ${readyTimeoutMs} ms; ${said()}`));
    }, readyTimeoutMs);
    const onData = () => {
      const match = READY.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const port = Number(match[1]);
      resolve({ child, port, origin: `http://127.0.0.1:${port}`, exited, stdout: () => out, stderr: () => err, stop });
    };
    child.stdout.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      // After READY this is a no-op: the promise is settled.
      reject(new Error(`exited (${signal ?? code}) before READY; ${said()}`));
    });
  });
}
