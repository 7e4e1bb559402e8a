// Entry of the browser bundle: the same streams, contestants and timing loop
// as in Node, with wasm-sse imported by URL from the served pkg/ at run time.

import { buildStreams } from './streams.mjs';
import { PEERS, loadWasmSse } from './contestants.mjs';
import { measureAll } from './measure.mjs';

globalThis.runParserBench = async ({ wasmSseUrl, wasmSseMissing, runs, warmup }) => {
  const wasm = await loadWasmSse(wasmSseUrl, wasmSseMissing);
  const contestants = [wasm, ...(wasm.text ? [wasm.text] : []), ...PEERS];
  console.log('generating streams');
  const streams = buildStreams();
  const results = await measureAll({ streams, contestants, runs, warmup, gc: globalThis.gc, log: console.log });
  return {
    results,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    gc: typeof globalThis.gc === 'function',
  };
};
