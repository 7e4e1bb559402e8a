/**
 * `wasm-sse/slim`: the whole package, without loading the wasm by itself, for
 * library authors and strict Content-Security-Policy setups. Call `init` or
 * `initSync` once; everything else is as in `wasm-sse`.
 */
export {
  createParser,
  createDeltaStream,
  EventSourceParserStream,
  fetchEventSource,
  FetchEventSourceError,
  ParseError,
} from './index.js';
export type * from './index.js';

/** A compiled `WebAssembly.Module`, named without needing the DOM lib (a Node
 * project's types may not have it). */
export type CompiledWasm = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

/**
 * Loads the wasm from `source`: the URL of `wasm_sse_bg.wasm` (shipped next to
 * this file), a Request or Response for it, its bytes, or a compiled module.
 * Rejects if it cannot be loaded; it may then be called again.
 */
export declare function init(source: string | URL | Request | Response | ArrayBuffer | ArrayBufferView | CompiledWasm): Promise<void>;

/** Instantiates the wasm synchronously from its bytes or a compiled module. */
export declare function initSync(bytes: ArrayBuffer | ArrayBufferView | CompiledWasm): void;

/** Resolves once `init` or `initSync` has instantiated the wasm (never rejects). */
export declare const ready: Promise<void>;
