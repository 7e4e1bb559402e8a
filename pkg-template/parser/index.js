// `wasm-sse/parser` for browsers, workers and bundlers: the parser alone, in its
// own small wasm (built without the client and delta features). Importing it
// never waits: the load starts in the background; `ready` settles when done.
import * as api from './api.js';
import { load } from './loader.js';

/** Resolves once the wasm is instantiated; rejects if it cannot be loaded. */
export const ready = load(new URL('./wasm_sse_bg.wasm', import.meta.url));

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
