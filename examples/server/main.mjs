#!/usr/bin/env node
// The mock LLM server on the command line (see README.md here).
//
//   node examples/server/main.mjs [--port 8787] [--tps 50] [--ttft 300]
//        [--static /prefix=dir]... [--demo] [--log]
//
// Listens on 127.0.0.1 only and prints exactly one line, `READY <port>`, on stdout
// once it accepts connections (everything else goes to stderr). Exits on SIGTERM,
// SIGINT, and when its stdin is a pipe that closes, so a test runner that dies
// does not leave it running (serveAsCommand in ./kit.mjs).

import { fileURLToPath } from 'node:url';
import { serveAsCommand } from './kit.mjs';
import { DEFAULT_TPS, MAX_TPS, MIN_TPS, PATHS, startServer } from './server.mjs';

const USAGE = `usage: node examples/server/main.mjs [options]
  --port N            port on 127.0.0.1 (default 8787; 0 = any free port)
  --tps N             tokens per second, ${MIN_TPS}..${MAX_TPS} (default ${DEFAULT_TPS}); 0 = as fast as possible
  --ttft MS           delay before the first token (default 300; 0 with --tps 0)
  --static /p=DIR     serve DIR under the URL prefix /p (repeatable)
  --demo              same as --static /=examples/vanilla --static /pkg=pkg (paths from the repository root)
  --log               log each request to stderr
Prints "READY <port>" on stdout when listening.`;

function fail(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const options = { port: 8787, tps: DEFAULT_TPS, static: {}, log: false };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  let [flag, value] = args[i].split(/=(.*)/s, 2);
  const takeValue = () => {
    if (value !== undefined) return value;
    if (i + 1 >= args.length) fail(`${flag} needs a value`);
    return args[++i];
  };
  const number = () => {
    const v = takeValue();
    const n = Number(v);
    if (v === '' || !Number.isFinite(n) || n < 0) fail(`${flag}: not a number: ${v}`);
    return n;
  };
  switch (flag) {
    case '--port':
      options.port = number();
      break;
    case '--tps':
      options.tps = number();
      if (options.tps !== 0 && (options.tps < MIN_TPS || options.tps > MAX_TPS)) {
        process.stderr.write(`--tps ${options.tps} is outside ${MIN_TPS}..${MAX_TPS}; clamped\n`);
      }
      break;
    case '--ttft':
      options.ttftMs = number();
      break;
    case '--static': {
      const spec = takeValue();
      const eq = spec.indexOf('=');
      if (eq < 1 || !spec.startsWith('/')) fail(`--static wants /prefix=dir, got ${spec}`);
      options.static[spec.slice(0, eq)] = spec.slice(eq + 1);
      break;
    }
    case '--demo': {
      const root = fileURLToPath(new URL('../../', import.meta.url));
      options.static['/pkg/'] ??= `${root}pkg`;
      options.static['/'] ??= `${root}examples/vanilla`;
      break;
    }
    case '--log':
      options.log = true;
      break;
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
      break;
    default:
      fail(`unknown argument ${args[i]}`);
  }
}

let server;
try {
  server = await startServer(options);
} catch (error) {
  process.stderr.write(`cannot listen on 127.0.0.1:${options.port}: ${error.message}\n`);
  process.exit(1);
}

const endpoints = Object.values(PATHS).map((path) => `${server.origin}${path}`).join(', ');

serveAsCommand(server);
if (Object.keys(options.static).length) {
  const pages = Object.entries(options.static).map(([prefix, dir]) => `  ${server.origin}${prefix.endsWith('/') ? prefix : `${prefix}/`}  ->  ${dir}`);
  process.stderr.write(`mock LLM server on ${endpoints}; serving:\n${pages.join('\n')}\n`);
} else {
  process.stderr.write(`mock LLM server on ${endpoints}\n`);
}
