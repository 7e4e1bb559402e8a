// A small static file server for the browser tests and benches, on 127.0.0.1
// and a port the OS picks. It serves directories under URL prefixes plus files
// held in memory (bundles and pages built at bench time). With `isolate`, it
// sends the cross-origin isolation headers so that performance.now() in the page
// has its fine resolution (benches) instead of the coarse one given to
// non-isolated pages. No dependencies, so tests and benches can both import it.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * @param {{ mounts?: Record<string, string>, files?: Record<string, string | Uint8Array>, isolate?: boolean, hold?: RegExp }} opts
 *   mounts: URL prefix ("/pkg/") -> directory, a folder's URL serving its index.html;
 *   files: exact URL path -> content; isolate: send the isolation headers;
 *   hold: paths matching it are answered only after `release()` (a slow link).
 * @returns {Promise<{ origin: string, held(): string[], release(): void, close(): Promise<void> }>}
 */
export async function serveStatic({ mounts = {}, files = {}, isolate = false, hold }) {
  let release;
  const gate = new Promise((ok) => (release = ok));
  const held = [];
  const headers = { 'cache-control': 'no-store', ...(isolate ? ISOLATION : {}) };
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (hold?.test(path)) {
      held.push(path);
      await gate;
    }
    const send = (status, body, type) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    if (Object.hasOwn(files, path)) return send(200, files[path], typeOf(path));
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (prefix === undefined) return send(404, 'not found', 'text/plain');
    const root = normalize(mounts[prefix]);
    let file = normalize(join(root, path.slice(prefix.length)));
    if (path.endsWith('/')) file = join(file, 'index.html');
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'outside the served folder', 'text/plain');
    try {
      send(200, await readFile(file), typeOf(file));
    } catch {
      send(404, 'not found', 'text/plain');
    }
  });
  // Browsers keep connections alive; without this close() would wait for them.
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    held: () => [...held],
    release: () => release(),
    close: () =>
      new Promise((ok) => {
        release();
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

const typeOf = (path) => TYPES[extname(path)] ?? 'application/octet-stream';
