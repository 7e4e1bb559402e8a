// `wasm-sse/parser` for Node: reads the parser-only wasm from disk, synchronously.
import { readFileSync } from 'node:fs';
import * as api from './api.js';
import { loadSync } from './loader.js';

loadSync(readFileSync(new URL('./wasm_sse_bg.wasm', import.meta.url)));

/** Already resolved: the wasm is instantiated when this module has run. */
export const ready = Promise.resolve();

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
