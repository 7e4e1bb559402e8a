// 'wasm-sse/slim': the same API as 'wasm-sse', plus `init` and `initSync`.
import * as main from 'wasm-sse';
import {
  EventSourceParserStream,
  FetchEventSourceError,
  ParseError,
  createDeltaStream,
  createParser,
  fetchEventSource,
  init,
  initSync,
  ready,
  type DeltaFlush,
  type FetchEventSourceInit,
  type JsonValue,
} from 'wasm-sse/slim';
import { check, exactly, type Equal } from './expect.js';

check<Equal<typeof fetchEventSource, typeof main.fetchEventSource>>();
check<Equal<typeof createDeltaStream, typeof main.createDeltaStream>>();
check<Equal<typeof createParser, typeof main.createParser>>();
check<Equal<typeof EventSourceParserStream, typeof main.EventSourceParserStream>>();
check<Equal<typeof FetchEventSourceError, typeof main.FetchEventSourceError>>();
check<Equal<typeof ParseError, typeof main.ParseError>>();
check<Equal<FetchEventSourceInit, main.FetchEventSourceInit>>();
check<Equal<DeltaFlush, main.DeltaFlush>>();
check<Equal<JsonValue, main.JsonValue>>();

const wasmUrl = new URL('wasm-sse/wasm_sse_bg.wasm', import.meta.url);
exactly<Promise<void>>()(init(wasmUrl));
await init(wasmUrl.href);
await init(new Request(wasmUrl));
await init(await fetch(wasmUrl));
await init(new Uint8Array(0));
await init(new ArrayBuffer(0));
await init(await WebAssembly.compileStreaming(fetch(wasmUrl)));
exactly<void>()(initSync(new Uint8Array(0)));
initSync(new WebAssembly.Module(new Uint8Array(0)));
exactly<Promise<void>>()(ready);
