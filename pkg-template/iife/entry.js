// Entry for the classic-script build, wasm-sse.iife.js (bundled by
// scripts/build-iife.mjs): `<script src=".../wasm-sse.iife.js">`, or
// importScripts() in a classic worker, sets globalThis.WasmSse. A classic
// script has neither top-level await nor import.meta, so the wasm is fetched
// from next to this script's own URL and `WasmSse.ready` settles once it is
// instantiated. fetchEventSource waits for it; the synchronous functions
// cannot, and throw a clear error if called before it.
import init from '../wasm_sse.js'; // wasm-bindgen's output; build-iife.mjs resolves it
import * as api from '../api.js';
import * as client from '../client.js';
import * as delta from '../delta.js';

// This script's URL, read while it runs: document.currentScript is set only
// then, and is null in a worker, where the first frame of a stack trace names
// the script that importScripts() loaded (as `url:line:column` in the V8,
// SpiderMonkey and JavaScriptCore formats alike; tested in Chromium).
function ownUrl() {
  if (typeof document !== 'undefined' && document.currentScript?.src) return document.currentScript.src;
  const frame = /([a-z][\w+.-]*:[^\s()@]+?):\d+:\d+/i.exec(new Error().stack ?? '');
  return frame?.[1] ?? globalThis.location?.href;
}

let nextToScript;
try {
  nextToScript = new URL('wasm_sse_bg.wasm', ownUrl());
} catch {
  // No usable URL: `ready` says so, and WasmSse.init(source) can load it.
}

let instantiated = false;
let failure; // why the last load failed, for the error thrown by assertReady
let ready;

// Instantiates the wasm from `source`; the script itself calls it with the URL next to it.
function load(source = nextToScript) {
  failure = undefined;
  ready =
    source === undefined
      ? Promise.reject(new Error('wasm-sse: cannot tell where wasm_sse_bg.wasm is; call WasmSse.init(url or bytes)'))
      : init({ module_or_path: source }).then(() => {
          instantiated = true;
          return WasmSse;
        });
  // Handled here so that a page that loads the wasm itself with init() sees
  // no unhandled rejection; whoever awaits `ready` still gets the error.
  ready.catch((error) => {
    failure = error;
  });
  return ready;
}

function assertReady(what) {
  if (instantiated) return;
  if (failure) throw new Error(`wasm-sse: ${what} needs the wasm, which failed to load: ${failure.message}`, { cause: failure });
  throw new Error(`wasm-sse: ${what} was called before the wasm was loaded; await WasmSse.ready first`);
}

function createParser(callbacks, options) {
  assertReady('createParser()');
  return api.createParser(callbacks, options);
}

class EventSourceParserStream extends api.EventSourceParserStream {
  constructor(options) {
    assertReady('new EventSourceParserStream()');
    super(options);
  }
}

async function fetchEventSource(input, init) {
  if (!instantiated) await ready;
  return client.fetchEventSource(input, init);
}

function createDeltaStream(options) {
  assertReady('createDeltaStream()');
  return delta.createDeltaStream(options);
}

const WasmSse = {
  createParser,
  EventSourceParserStream,
  ParseError: api.ParseError,
  fetchEventSource,
  FetchEventSourceError: client.FetchEventSourceError,
  createDeltaStream,
  /**
   * Loads the wasm from `source` (a URL, a Response, bytes or a
   * WebAssembly.Module) if the load from next to the script does not succeed;
   * returns the new `ready`.
   */
  init: (source) => ready.catch(() => {}).then(() => (instantiated ? WasmSse : load(source))),
  /** Resolves to WasmSse once the wasm is instantiated. */
  get ready() {
    return ready;
  },
};

globalThis.WasmSse = WasmSse;
load();
