// The value exports of each entry. exports.ts checks this list against the
// types (tsc), and the test against the modules themselves (Node imports each
// entry), so that a declared export exists and a shipped one is declared.
export const valueExports = /** @type {const} */ ({
  'wasm-sse': ['EventSourceParserStream', 'FetchEventSourceError', 'ParseError', 'createDeltaStream', 'createParser', 'fetchEventSource', 'ready'],
  'wasm-sse/parser': ['EventSourceParserStream', 'ParseError', 'createParser', 'ready'],
  'wasm-sse/slim': [
    'EventSourceParserStream',
    'FetchEventSourceError',
    'ParseError',
    'createDeltaStream',
    'createParser',
    'fetchEventSource',
    'init',
    'initSync',
    'ready',
  ],
  'wasm-sse/react': ['useChat', 'useEventSource'],
  'wasm-sse/vue': ['useChat', 'useEventSource'],
});
