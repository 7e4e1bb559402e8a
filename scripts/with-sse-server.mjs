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
import { startSseServer } from '../tests/support/sse-server.mjs';

const dash = process.argv.indexOf('--');
const command = dash === -1 ? process.argv.slice(2) : process.argv.slice(dash + 1);
if (command.length === 0) {
  process.stderr.write('usage: node scripts/with-sse-server.mjs -- <command> [args...]\n');
  process.exit(2);
}

let server = null;
let commandChild = null;

/** Sends SIGTERM now (also from an 'exit' handler, which cannot wait). */
function stopServer() {
  server?.stop();
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
  // Its stdin is a pipe this script holds: even a SIGKILL of this script ends it.
  server = await startSseServer();
} catch (error) {
  process.stderr.write(`sse-server: ${error.message}\n`);
  process.exit(1);
}
// Once running, the server must not die under the command's feet unnoticed.
server.child.on('exit', (code, signal) => {
  if (commandChild && commandChild.exitCode === null) {
    process.stderr.write(`sse-server: exited early (${signal ?? code})\n`);
  }
});

const url = server.origin;
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
