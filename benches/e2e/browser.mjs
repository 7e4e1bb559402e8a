// Entry of the browser bundle: the e2e runner of measure.mjs in this page,
// with wasm-sse imported by URL from the served pkg/ and the page's
// main-thread CPU time read through the DevTools protocol (index.mjs exposes
// it as e2eMainThreadSeconds).

import { loadWasmSse } from './contestants.mjs';
import { runE2e } from './measure.mjs';

globalThis.runE2eBench = async ({ wasmSseUrl, wasmSseMissing, ...params }) => {
  const out = await runE2e({
    ...params,
    wasm: await loadWasmSse(wasmSseUrl, wasmSseMissing),
    cpuSeconds: () => globalThis.e2eMainThreadSeconds(),
    gc: typeof globalThis.gc === 'function' ? globalThis.gc : null,
  });
  return { ...out, crossOriginIsolated: globalThis.crossOriginIsolated === true, gc: typeof globalThis.gc === 'function' };
};
