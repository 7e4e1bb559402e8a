/**
 * `wasm-sse/parser`: the WHATWG event-stream parser alone, in a wasm module of
 * its own that is a fraction of the size of the main entry's.
 */
export {
  ready,
  createParser,
  EventSourceParserStream,
  ParseError,
  type EventSourceMessage,
  type EventSourceParser,
  type NotReadyError,
  type ParseErrorType,
  type ParserCallbacks,
  type ParserOptions,
  type ResetOptions,
  type StreamOptions,
} from '../index.js';
