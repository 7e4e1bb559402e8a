// The wasm instance behind one entry, loaded without ever holding an import:
// no module of the package has a top-level await. The entry starts the load
// (index.js: at import, in the background; node.js: synchronously from disk;
// slim.js: when its caller says). `fetchEventSource` awaits it inside the
// call; the synchronous constructors need it done and throw a typed error
// that says so before. One copy per wasm (the parser entry has its own).
import initAsync, { initSync } from './wasm_sse.js';

let instantiated = false;
let loading = null;
let failure;
let markLoaded;

/** Resolves once the wasm is instantiated, by whichever load; never rejects. */
export const loaded = new Promise((resolve) => (markLoaded = resolve));

/**
 * Instantiates the wasm from `source` (a URL, a Request or Response, bytes, a
 * WebAssembly.Module) unless it already is. The promise rejects when this load
 * fails; a later load may then be tried.
 */
export function load(source) {
  if (instantiated) return Promise.resolve();
  // After the load under way, if any: two instantiations at once would leave
  // objects made in between bound to the instance that lost.
  const before = loading ?? Promise.resolve();
  loading = before
    .catch(() => {})
    .then(() => {
      if (instantiated) return undefined;
      failure = undefined;
      return initAsync({ module_or_path: source }).then(() => {
        instantiated = true;
        markLoaded();
      });
    });
  // Handled here, so that a failed background load is no unhandled rejection;
  // whoever awaits it still gets the error.
  loading.catch((error) => {
    failure = error;
  });
  return loading;
}

/** Instantiates the wasm from its bytes or a compiled module, synchronously. */
export function loadSync(module) {
  if (instantiated) return;
  initSync({ module });
  instantiated = true;
  loading = Promise.resolve();
  markLoaded();
}

/** The error of a call made before the wasm is there. */
function notReady(what) {
  const error = failure
    ? new Error(`wasm-sse: ${what} needs the wasm, which failed to load: ${failure.message}`, { cause: failure })
    : new Error(`wasm-sse: ${what} was called before the wasm was loaded; await ready first (the \`ready\` export, or WasmSse.ready for the classic script)`);
  error.name = 'NotReadyError';
  error.type = 'not-ready';
  return error;
}

/** For the synchronous constructors: throws unless the wasm is instantiated. */
export function assertReady(what) {
  if (!instantiated) throw notReady(what);
}

/** For async calls: waits for the load under way; throws when none was started. */
export async function whenReady(what) {
  if (instantiated) return;
  if (loading === null) throw notReady(what);
  await loading;
}
