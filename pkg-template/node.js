// Entry for Node: reads the .wasm from disk and instantiates it synchronously
// (Node's fetch cannot load file: URLs), so `ready` is settled at once.
import { readFileSync } from 'node:fs';
import * as api from './api.js';
import * as client from './client.js';
import * as delta from './delta.js';
import { loadSync } from './loader.js';

loadSync(readFileSync(new URL('./wasm_sse_bg.wasm', import.meta.url)));

/** Already resolved: the wasm is instantiated when this module has run. */
export const ready = Promise.resolve();

export const createParser = api.createParser;
export const EventSourceParserStream = api.EventSourceParserStream;
export const ParseError = api.ParseError;
export const fetchEventSource = client.fetchEventSource;
export const FetchEventSourceError = client.FetchEventSourceError;
export const createDeltaStream = delta.createDeltaStream;
