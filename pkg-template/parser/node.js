// `wasm-sse/parser` for Node: reads the parser-only wasm from disk.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm_sse.js';
import * as api from './api.js';

initSync({ module: readFileSync(new URL('./wasm_sse_bg.wasm', import.meta.url)) });

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
