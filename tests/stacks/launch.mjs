// Starts one stack's server as a child process and waits for its `READY <url>`
// line, then checks that the server answering at that URL is this very child
// (GET /health names the stack and its pid), so that a stale server left on a
// port can never stand in for it. A server that cannot start (a missing
// interpreter or package) fails the suite with its own output, never skips it.
import { spawn } from 'node:child_process';

const READY = /^READY (http:\/\/127\.0\.0\.1:\d+)$/m;
// The output kept for failure messages (a server's traceback, say).
const KEEP_OUTPUT_CHARS = 20_000;
// How long a server may take to exit on SIGTERM (uvicorn waits for open
// streams) before it is killed.
const STOP_GRACE_MS = 5_000;

/**
 * @param {{ name: string, command: string, args: string[], cwd?: string }} spec
 * @returns {Promise<{ name: string, url: string, versions: Record<string, string>, output(): string, stop(): Promise<void> }>}
 */
export async function launch({ name, command, args, cwd }) {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-KEEP_OUTPUT_CHARS);
  };
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      const match = READY.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('error', (error) => reject(new Error(`${name}: cannot start ${command}: ${error.message}`)));
    exited.then(({ code, signal }) => reject(new Error(`${name} exited (${signal ?? code}) before READY:\n${output}`)));
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    }
  };
  try {
    const response = await fetch(new URL('/health', url));
    const health = await response.json();
    if (health.stack !== name || health.pid !== child.pid) {
      throw new Error(`${url}/health answered ${JSON.stringify(health)}, not ${name} with pid ${child.pid}`);
    }
    return { name, url, versions: health.versions, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${name} printed READY ${url} but is not answering there: ${error.message}\n${output}`);
  }
}
