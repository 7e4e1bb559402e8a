// Starts tests/server/sse-server.mjs as a child process on a free port and
// waits for its own READY line, so that a stale server left on some port can
// never stand in for it. Returns { base, close }.
import { spawn } from 'node:child_process';

const script = new URL('../server/sse-server.mjs', import.meta.url).pathname;

export async function startSseServer() {
  const child = spawn(process.execPath, [script, '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`the SSE test server exited with ${code} before READY`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => child.kill('SIGTERM'),
  };
}
