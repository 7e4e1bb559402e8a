#!/usr/bin/env node
// Runs a command beside a fresh local SSE test server (tests/server/sse-server.mjs).
//
//   node scripts/with-sse-server.mjs -- <command> [args...]
//
// Starts the server, waits for the READY line of *this* server (so a stale server
// left on some port can never stand in), runs the command with
// WASM_BINDGEN_TEST_SERVER=http://127.0.0.1:<port> in its environment, stops the
// server when the command ends (also on a failure, SIGINT or SIGTERM), and exits
// with the command's status.
//
// The port is a random free one (0). tests/client_wasm.rs reads the URL at
// compile time (`option_env!`, tracked in rustc's dep-info), so a new port
// recompiles that one test crate, which takes a second or two, nothing else.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../tests/server/sse-server.mjs', import.meta.url));

const dash = process.argv.indexOf('--');
const command = dash === -1 ? process.argv.slice(2) : process.argv.slice(dash + 1);
if (command.length === 0) {
  process.stderr.write('usage: node scripts/with-sse-server.mjs -- <command> [args...]\n');
  process.exit(2);
}

/** Starts the server on `port`; resolves with { child, port } on its own READY line. */
function startServer(port) {
  // stdin is a pipe we hold: the server exits when it closes, so even a SIGKILL
  // of this script does not leave it running.
  const child = spawn(process.execPath, [SERVER, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`sse-server: no READY line in 15 s; stdout so far: ${JSON.stringify(out)}`));
    }, 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      out += text;
      const match = /^READY (\d+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sse-server: exited (${signal ?? code}) before READY`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

let server = null;
let commandChild = null;

function stopServer() {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (commandChild && commandChild.exitCode === null) commandChild.kill(signal);
    stopServer();
    process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
  });
}
process.on('exit', stopServer);

try {
  server = await startServer(0);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// Once running, the server must not die under the command's feet unnoticed.
server.child.on('exit', (code, signal) => {
  if (commandChild && commandChild.exitCode === null) {
    process.stderr.write(`sse-server: exited early (${signal ?? code})\n`);
  }
});

const url = `http://127.0.0.1:${server.port}`;
process.stderr.write(`with-sse-server: ${url}\n`);
commandChild = spawn(command[0], command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, WASM_BINDGEN_TEST_SERVER: url },
});
commandChild.on('error', (error) => {
  process.stderr.write(`with-sse-server: cannot run ${command[0]}: ${error.message}\n`);
  stopServer();
  process.exit(127);
});
commandChild.on('exit', (code, signal) => {
  stopServer();
  process.exit(code ?? 128 + ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 0));
});
