// Entry for browsers, workers and bundlers: fetches the .wasm next to this file.
// Exports are re-declared (not re-exported) so that a bundler honouring
// `sideEffects: false` cannot skip this module and with it the initialisation.
import init from './wasm_sse.js';
import * as api from './api.js';
import * as client from './client.js';
import * as delta from './delta.js';

await init({ module_or_path: new URL('./wasm_sse_bg.wasm', import.meta.url) });

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
export const fetchEventSource = client.fetchEventSource;
export const FetchEventSourceError = client.FetchEventSourceError;
export const createDeltaStream = delta.createDeltaStream;
