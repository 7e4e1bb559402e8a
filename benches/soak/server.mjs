// The soak bench's stream server: `bytes` of events as fast as the socket takes
// them, on 127.0.0.1, with CORS for the bench page. Run as a child process
// (`node benches/soak/server.mjs`, prints `READY <port>`) so that in the Node
// run the server does not share the client's thread and heap.
//
//   /plain?bytes=N   events of 1 KiB: `id: <n>` and one `data:` line of `x`
//   /openai?bytes=N  OpenAI chat.completion.chunk events, one short token each,
//                    then a finish_reason chunk and `data: [DONE]`
//
// Each stream is written in blocks built once (streams.mjs), so the server
// costs next to nothing beside the client.

import http from 'node:http';
import { OPENAI, OPENAI_END, PLAIN, plan } from './streams.mjs';

function write(res, data) {
  if (res.write(data)) return Promise.resolve(!res.destroyed);
  return new Promise((ok) => {
    const done = (v) => {
      res.off('drain', drained);
      res.off('close', closed);
      ok(v);
    };
    const drained = () => done(true);
    const closed = () => done(false);
    res.on('drain', drained);
    res.on('close', closed);
  });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  res.setHeader('Access-Control-Allow-Origin', '*');
  const kind = url.pathname.slice(1);
  if (kind !== 'plain' && kind !== 'openai') return void res.writeHead(404).end();
  const { blocks } = plan(kind, Number(url.searchParams.get('bytes')));
  const b = kind === 'openai' ? OPENAI : PLAIN;
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
  for (let i = 0; i < blocks; i++) if (!(await write(res, b.bytes))) return;
  res.end(kind === 'openai' ? OPENAI_END : undefined);
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
