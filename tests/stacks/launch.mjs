// Starts one stack's server with the kit's spawnUntilReady (its `READY <port>`
// line), then checks that the server answering there is this very child (GET
// /health names the stack and its pid), so that a stale server left on a port
// can never stand in for it. A server that cannot start (a missing interpreter
// or package) fails the suite with its own output, never skips it.
import { spawnUntilReady } from '../../examples/server/kit.mjs';

// How long a server may take to exit on SIGTERM (uvicorn waits for open
// streams) before it is killed.
const STOP_GRACE_MS = 5_000;

/**
 * @param {{ name: string, command: string, args: string[], cwd?: string }} spec
 * @returns {Promise<{ name: string, url: string, versions: Record<string, string>, output(): string, stop(): Promise<void> }>}
 */
export async function launch({ name, command, args: [script, ...args], cwd }) {
  let server;
  try {
    server = await spawnUntilReady(script, args, { command, cwd, stderr: 'pipe' });
  } catch (error) {
    throw new Error(`${name}: ${error.message}`);
  }
  const output = () => `${server.stdout()}${server.stderr()}`;
  const stop = async () => {
    const grace = setTimeout(() => server.stop('SIGKILL'), STOP_GRACE_MS);
    await server.stop('SIGTERM');
    clearTimeout(grace);
  };
  try {
    const health = await (await fetch(new URL('/health', server.origin))).json();
    if (health.stack !== name || health.pid !== server.child.pid) {
      throw new Error(`${server.origin}/health answered ${JSON.stringify(health)}, not ${name} with pid ${server.child.pid}`);
    }
    return { name, url: server.origin, versions: health.versions, output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${name} printed READY ${server.port} but is not answering there: ${error.message}\n${output()}`);
  }
}
