// `wasm-sse/slim`: the package without loading anything by itself, for
// library authors and strict Content-Security-Policy setups that fetch or
// compile the wasm their own way. Call `init(source)` or `initSync(bytes)`
// once; `ready` resolves when either has instantiated it.
import * as api from './api.js';
import * as client from './client.js';
import * as delta from './delta.js';
import { load, loadSync, loaded } from './loader.js';

/**
 * Loads the wasm from `source`: a URL (of `wasm_sse_bg.wasm`, shipped next to
 * this file), a Request or Response, its bytes, or a compiled WebAssembly.Module.
 */
export const init = (source) => load(source);
/** Instantiates the wasm synchronously from its bytes or a compiled module. */
export const initSync = (bytes) => loadSync(bytes);
/** Resolves once `init` or `initSync` has instantiated the wasm. */
export const ready = loaded;

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
export const fetchEventSource = client.fetchEventSource;
export const FetchEventSourceError = client.FetchEventSourceError;
export const createDeltaStream = delta.createDeltaStream;
