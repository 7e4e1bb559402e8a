// Entry for browsers, workers and bundlers. Importing it never waits for the
// wasm: the load starts here, in the background, from the .wasm next to this
// file; `ready` settles when it is done. Exports are re-declared (not
// re-exported) so that a bundler honouring `sideEffects: false` cannot skip
// this module and with it the load.
import * as api from './api.js';
import * as client from './client.js';
import * as delta from './delta.js';
import { load } from './loader.js';

/** Resolves once the wasm is instantiated; rejects if it cannot be loaded. */
export const ready = load(new URL('./wasm_sse_bg.wasm', import.meta.url));

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
export const fetchEventSource = client.fetchEventSource;
export const FetchEventSourceError = client.FetchEventSourceError;
export const createDeltaStream = delta.createDeltaStream;
