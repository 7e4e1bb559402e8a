// `wasm-sse/parser` for browsers, workers and bundlers: the parser alone, in its
// own small wasm (built without the client and delta features).
import init from './wasm_sse.js';
import * as api from './api.js';

await init({ module_or_path: new URL('./wasm_sse_bg.wasm', import.meta.url) });

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
