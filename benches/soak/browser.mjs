// Entry of the soak bench page (bundled; wasm-sse imported by URL from the
// served pkg/). index.mjs calls runSoak and, every second meanwhile,
// soakProgress.
import { progress, soakOnce } from './client.mjs';

globalThis.soakProgress = () => ({ ...progress });

globalThis.runSoak = async ({ wasmSseUrl, url, kind }) => {
  const mod = await import(/* the package as shipped, never bundled */ wasmSseUrl);
  await mod.ready;
  globalThis.gc?.();
  return soakOnce(mod.fetchEventSource, { url, kind });
};
