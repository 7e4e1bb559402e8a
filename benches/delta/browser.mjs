// Entry of the browser bundle: the chat stream, the contestants and the timing
// loop of the parser bench, with wasm-sse imported by URL from /pkg/.

import { measureAll } from '../parser/measure.mjs';
import { buildStreams } from '../parser/streams.mjs';
import { PEERS, expectedAnswer, loadWasmSse } from './contestants.mjs';

globalThis.runDeltaBench = async ({ wasmSseUrl, wasmSseMissing, runs, warmup }) => {
  const contestants = [...(await loadWasmSse(wasmSseUrl, wasmSseMissing)), ...PEERS];
  const [chat] = buildStreams({ docEvents: 0 }).filter((s) => s.name === 'chat-lf');
  const expected = expectedAnswer(chat.chunks);
  const results = await measureAll({ streams: [chat], contestants, runs, warmup, gc: globalThis.gc, log: console.log });
  return { results, expected, crossOriginIsolated: globalThis.crossOriginIsolated === true, gc: typeof globalThis.gc === 'function' };
};
