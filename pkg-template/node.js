// Entry for Node: reads the .wasm from disk (Node's fetch cannot load file: URLs).
import { readFileSync } from 'node:fs';
import { initSync } from './wasm_sse.js';
import * as api from './api.js';
import * as client from './client.js';
import * as delta from './delta.js';

initSync({ module: readFileSync(new URL('./wasm_sse_bg.wasm', import.meta.url)) });

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
export const fetchEventSource = client.fetchEventSource;
export const FetchEventSourceError = client.FetchEventSourceError;
export const createDeltaStream = delta.createDeltaStream;
