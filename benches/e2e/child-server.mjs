// The stream server in a child process, for the Node run: there the client is
// this process, and a server on its event loop would share its thread (and
// its CPU time). It builds the same stream as index.mjs (seeded), starts
// server.mjs, says `{ origin, prefix }` on the IPC channel, and on the
// message 'close' (or when the parent goes) reports its request counts and
// exits.

import { startStreamServer } from './server.mjs';
import { chatBody } from './stream.mjs';

const server = await startStreamServer(chatBody().body);
process.send({ origin: server.origin, prefix: server.prefix });
const stop = async () => {
  await server.close();
  if (process.connected) process.send({ requests: server.requests }, () => process.exit(0));
  else process.exit(0);
};
process.on('message', (m) => m === 'close' && stop());
process.on('disconnect', stop);
