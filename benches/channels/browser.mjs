// Entry of the browser bundle: the same streams, contestants and timing loops
// as in Node, with both wasm-sse builds imported by URL at run time (pkg/ at
// /pkg/, the baseline at /baseline/), never bundled.

import { loadDelta } from './contestants.mjs';
import { measureChannelCost, measureToolInput } from './measure.mjs';

globalThis.runChannelsBench = async ({ wasmSseUrl, wasmSseMissing, baselinePath, baselineMissing, runs, warmup }) => {
  const gc = globalThis.gc;
  const fresh = await loadDelta(wasmSseUrl, wasmSseMissing);
  const base = await loadDelta(baselinePath && new URL(baselinePath, location.origin).href, baselineMissing);
  const builds = [
    { name: 'old', textOnly: true, ...base },
    { name: 'new', textOnly: false, ...fresh },
  ];
  console.log('channel cost: generating the streams');
  const cost = await measureChannelCost({ builds, runs, warmup, gc, log: console.log });
  const tool = await measureToolInput({ ...fresh, runs, warmup, gc, log: console.log });
  return { cost, tool, crossOriginIsolated: globalThis.crossOriginIsolated === true, gc: typeof gc === 'function' };
};
