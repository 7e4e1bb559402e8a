// Hono's `streamSSE` on @hono/node-server: the stack-test contract (see
// stacks.test.mjs), written the way a Hono app streams: `writeSSE`,
// `stream.onAbort`, `stream.sleep`, `hono/cors`. Hono has no keep-alive of its
// own; apps write a comment on a timer, as /quiet does. Listens on a port the OS
// picks on 127.0.0.1 and prints `READY <port>`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { readFileSync } from 'node:fs';
import { PAUSE_BEFORE_DROP_MS, TOKEN, chatChunks, runOf } from './runs.mjs';

const versionOf = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const app = new Hono();
app.use(
  '*',
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST'],
    // `*` would not cover Authorization (the Fetch standard exempts it).
    allowHeaders: ['authorization', 'content-type', 'last-event-id'],
    exposeHeaders: ['retry-after', 'content-encoding'],
  }),
);

const record = (c) => {
  const run = runOf(c.req.query('run') ?? '');
  run.record((name) => c.req.header(name));
  return run;
};

app.get('/health', (c) => c.json({ stack: 'hono', pid: process.pid, versions: { hono: versionOf('hono'), '@hono/node-server': versionOf('@hono/node-server') } }));
app.get('/runs/:run', (c) => c.json(runOf(c.req.param('run')).report()));
app.get('/runs/:run/closed', async (c) => {
  const run = runOf(c.req.param('run'));
  await run.whenClosed;
  return c.json(run.report());
});
app.post('/runs/:run/ack', (c) => {
  runOf(c.req.param('run')).ack();
  return c.body(null, 204);
});

app.post('/v1/chat/completions', async (c) => {
  record(c);
  if (c.req.header('authorization') !== TOKEN) {
    return c.json({ error: { message: 'invalid bearer token', type: 'invalid_request_error' } }, 401, { 'www-authenticate': 'Bearer' });
  }
  const { messages } = await c.req.json();
  return streamSSE(c, async (stream) => {
    for (const data of chatChunks(messages.at(-1).content)) await stream.writeSSE({ data });
  });
});

app.get('/numbered', (c) => {
  const run = record(c);
  const last = c.req.header('last-event-id');
  const first = last ? Number(last) + 1 : 1;
  const count = Number(c.req.query('count'));
  const dropAfter = Number(c.req.query('dropAfter'));
  return streamSSE(c, async (stream) => {
    for (let n = first; n <= count; n++) {
      await stream.writeSSE({ id: String(n), data: `event ${n}` });
      run.sent++;
      if (last === undefined && n === dropAfter) {
        await stream.sleep(PAUSE_BEFORE_DROP_MS);
        // A cut connection (a crashed process or proxy): no end of the chunked body.
        c.env.incoming.socket.destroy();
        return;
      }
    }
  });
});

app.get('/quiet', (c) => {
  record(c);
  const silenceMs = Number(c.req.query('silenceMs'));
  const pingMs = Number(c.req.query('pingMs'));
  return streamSSE(c, async (stream) => {
    await stream.writeSSE({ event: 'first', data: 'before the silence' });
    const heartbeat = pingMs > 0 ? setInterval(() => stream.write(': heartbeat\n\n'), pingMs) : undefined;
    stream.onAbort(() => clearInterval(heartbeat));
    await stream.sleep(silenceMs);
    clearInterval(heartbeat);
    await stream.writeSSE({ event: 'second', data: 'after the silence' });
  });
});

app.get('/endless', (c) => {
  const run = record(c);
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => run.markClosed());
    while (!stream.aborted) {
      await stream.writeSSE({ data: `tick ${run.sent}` });
      run.sent++;
      await stream.sleep(50);
    }
  });
});

app.get('/fail', (c) => {
  const run = record(c);
  if (run.requests.length === 1) {
    const status = Number(c.req.query('status'));
    const headers = status === 429 ? { 'retry-after': c.req.query('retryAfter') } : {};
    return c.json({ error: { message: `failing with ${status}` } }, status, headers);
  }
  return streamSSE(c, (stream) => stream.writeSSE({ data: 'recovered' }));
});

app.get('/crash', (c) => {
  const run = record(c);
  // Uncaught: Hono's default error handler answers the 500.
  if (run.requests.length === 1) throw new Error('the handler crashed');
  return streamSSE(c, (stream) => stream.writeSSE({ data: 'recovered' }));
});

app.get('/acked', (c) => {
  const run = record(c);
  const count = Number(c.req.query('count'));
  return streamSSE(c, async (stream) => {
    for (let n = 1; n <= count; n++) {
      await stream.writeSSE({ id: String(n), data: `event ${n}` });
      run.sent++;
      if (n < count) await run.nextAck();
    }
  });
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, ({ port }) => console.log(`READY ${port}`));
