// Express 5 behind the `compression` middleware (gzip, and brotli since
// compression 1.8.0): the stack-test contract (see stacks.test.mjs), written the
// way an Express app streams SSE: `res.write` of hand-made frames, then
// `res.flush()`, which compression adds so that a frame leaves its zlib buffer
// now instead of when 16 KiB have piled up. The `cors` middleware answers CORS.
// Listens on a port the OS picks on 127.0.0.1 and prints `READY <port>`.
import compression from 'compression';
import cors from 'cors';
import express from 'express';
import { readFileSync } from 'node:fs';
import { PAUSE_BEFORE_DROP_MS, TOKEN, chatChunks, runOf, sleep } from './runs.mjs';

const versionOf = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const app = express();
app.use(
  cors({
    origin: '*',
    methods: ['GET', 'POST'],
    // `*` would not cover Authorization (the Fetch standard exempts it).
    allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    exposedHeaders: ['retry-after', 'content-encoding'],
  }),
);
// `?encoding=gzip|br` narrows the negotiation to one encoding the client offered,
// so that a test can pick one: a browser cannot set Accept-Encoding, and
// Chromium offers both (compression prefers br).
app.use((req, _res, next) => {
  const wanted = req.query.encoding;
  const offered = (req.headers['accept-encoding'] ?? '').split(',').map((e) => e.trim().split(';')[0]);
  if (wanted && offered.includes(wanted)) req.headers['accept-encoding'] = wanted;
  next();
});
app.use(compression());
app.use(express.json());

const record = (req) => {
  const run = runOf(req.query.run ?? '');
  run.record((name) => req.get(name));
  return run;
};

/** Starts an event stream; `send(frame)` writes one SSE frame and flushes it through compression. */
function openStream(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return (frame) => {
    res.write(frame);
    res.flush();
  };
}

const frame = ({ id, event, data }) =>
  `${id === undefined ? '' : `id: ${id}\n`}${event === undefined ? '' : `event: ${event}\n`}${data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;

app.get('/health', (_req, res) => {
  res.json({ stack: 'express', pid: process.pid, versions: { express: versionOf('express'), compression: versionOf('compression'), cors: versionOf('cors') } });
});
app.get('/runs/:run', (req, res) => res.json(runOf(req.params.run).report()));
app.get('/runs/:run/closed', async (req, res) => {
  const run = runOf(req.params.run);
  await run.whenClosed;
  res.json(run.report());
});
app.post('/runs/:run/ack', (req, res) => {
  runOf(req.params.run).ack();
  res.status(204).end();
});

app.post('/v1/chat/completions', (req, res) => {
  record(req);
  if (req.get('authorization') !== TOKEN) {
    res.status(401).set('www-authenticate', 'Bearer').json({ error: { message: 'invalid bearer token', type: 'invalid_request_error' } });
    return;
  }
  const send = openStream(res);
  for (const data of chatChunks(req.body.messages.at(-1).content)) send(frame({ data }));
  res.end();
});

app.get('/numbered', async (req, res) => {
  const run = record(req);
  const last = req.get('last-event-id');
  const first = last ? Number(last) + 1 : 1;
  const count = Number(req.query.count);
  const dropAfter = Number(req.query.dropAfter);
  const send = openStream(res);
  for (let n = first; n <= count; n++) {
    send(frame({ id: String(n), data: `event ${n}` }));
    run.sent++;
    if (last === undefined && n === dropAfter) {
      await sleep(PAUSE_BEFORE_DROP_MS);
      // A cut connection (a crashed process or proxy): no end of the body.
      req.socket.destroy();
      return;
    }
  }
  res.end();
});

app.get('/quiet', async (req, res) => {
  record(req);
  const pingMs = Number(req.query.pingMs);
  const send = openStream(res);
  send(frame({ event: 'first', data: 'before the silence' }));
  const heartbeat = pingMs > 0 ? setInterval(() => send(': heartbeat\n\n'), pingMs) : undefined;
  res.on('close', () => clearInterval(heartbeat));
  await sleep(Number(req.query.silenceMs));
  clearInterval(heartbeat);
  send(frame({ event: 'second', data: 'after the silence' }));
  res.end();
});

app.get('/endless', async (req, res) => {
  const run = record(req);
  let open = true;
  // `close` before the response finished: the client went away.
  res.on('close', () => {
    open = false;
    if (!res.writableFinished) run.markClosed();
  });
  const send = openStream(res);
  while (open) {
    send(frame({ data: `tick ${run.sent}` }));
    run.sent++;
    await sleep(50);
  }
});

app.get('/fail', (req, res) => {
  const run = record(req);
  if (run.requests.length === 1) {
    const status = Number(req.query.status);
    if (status === 429) res.set('retry-after', req.query.retryAfter);
    res.status(status).json({ error: { message: `failing with ${status}` } });
    return;
  }
  openStream(res)(frame({ data: 'recovered' }));
  res.end();
});

app.get('/crash', (req, res) => {
  const run = record(req);
  // Uncaught: Express's default error handler answers the 500.
  if (run.requests.length === 1) throw new Error('the handler crashed');
  openStream(res)(frame({ data: 'recovered' }));
  res.end();
});

app.get('/acked', async (req, res) => {
  const run = record(req);
  const count = Number(req.query.count);
  const send = openStream(res);
  for (let n = 1; n <= count; n++) {
    send(frame({ id: String(n), data: `event ${n}` }));
    run.sent++;
    if (n < count) await run.nextAck();
  }
  res.end();
});

const server = app.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
