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

import { allowCrossOrigin, listen, openEventStream, serveAsCommand, write } from '../../examples/server/kit.mjs';
import { OPENAI, OPENAI_END, PLAIN, plan } from './streams.mjs';

const listening = await listen(async (req, res) => {
  if (allowCrossOrigin(req, res)) return;
  const url = new URL(req.url, 'http://x');
  const kind = url.pathname.slice(1);
  if (kind !== 'plain' && kind !== 'openai') return void res.writeHead(404).end();
  const { blocks } = plan(kind, Number(url.searchParams.get('bytes')));
  const b = kind === 'openai' ? OPENAI : PLAIN;
  openEventStream(res);
  for (let i = 0; i < blocks; i++) if (!(await write(res, b.bytes))) return;
  res.end(kind === 'openai' ? OPENAI_END : undefined);
});
serveAsCommand(listening);
