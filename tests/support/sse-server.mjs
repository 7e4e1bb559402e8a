// Starts the SSE test server (tests/server/sse-server.mjs) as a child process on
// a port the OS picks, and resolves once it printed its own READY line (the
// server kit's spawnUntilReady). Used by the package tests, the server's
// self-test and scripts/with-sse-server.mjs.
import { fileURLToPath } from 'node:url';
import { spawnUntilReady } from '../../examples/server/kit.mjs';

export const SSE_SERVER = fileURLToPath(new URL('../server/sse-server.mjs', import.meta.url));

/**
 * @param {{ port?: number, env?: Record<string, string>, readyTimeoutMs?: number }} [options]
 *   port: 0 (default) for any free one.
 * @returns what spawnUntilReady returns, plus `base` (the origin) and `close()` (stop).
 */
export async function startSseServer({ port = 0, env, readyTimeoutMs } = {}) {
  const server = await spawnUntilReady(SSE_SERVER, [String(port)], { env, readyTimeoutMs });
  return { ...server, base: server.origin, close: () => server.stop() };
}
