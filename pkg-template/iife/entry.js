// Entry for the classic-script build, wasm-sse.iife.js (bundled by
// scripts/build-iife.mjs): `<script src=".../wasm-sse.iife.js">`, or
// importScripts() in a classic worker, sets globalThis.WasmSse. A classic
// script has neither top-level await nor import.meta, so the wasm is fetched
// from next to this script's own URL and `WasmSse.ready` settles once it is
// instantiated. fetchEventSource waits for it; the synchronous functions
// cannot, and throw a clear error if called before it (loader.js).
import * as api from '../api.js';
import * as client from '../client.js';
import * as delta from '../delta.js';
import { load, loaded } from '../loader.js';

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

const WasmSse = {
  createParser: api.createParser,
  EventSourceParserStream: api.EventSourceParserStream,
  ParseError: api.ParseError,
  fetchEventSource: client.fetchEventSource,
  FetchEventSourceError: client.FetchEventSourceError,
  createDeltaStream: delta.createDeltaStream,
  /**
   * Loads the wasm from `source` (a URL, a Response, bytes or a
   * WebAssembly.Module) if the load from next to the script does not succeed;
   * returns the new `ready`.
   */
  init: (source) => (ready = load(source).then(() => WasmSse)),
  /** Resolves to WasmSse once the wasm is instantiated. */
  get ready() {
    return ready;
  },
};

let ready =
  nextToScript === undefined
    ? Promise.reject(new Error('wasm-sse: cannot tell where wasm_sse_bg.wasm is; call WasmSse.init(url or bytes)'))
    : load(nextToScript).then(() => WasmSse);
// Handled here, so that a page that loads the wasm itself with init() sees no
// unhandled rejection; whoever awaits `ready` still gets the error.
ready.catch(() => {});
// A load by init() after a failed one settles the awaited `ready` too.
loaded.then(() => (ready = Promise.resolve(WasmSse)));

globalThis.WasmSse = WasmSse;
