// Data shared by the test server and the tests that read from it. Importing this
// file starts nothing.

/** The lines of /lines, joined with the requested line end (each line ends with one). */
export const LINES_SCRIPT = [':comment', 'id: 1', 'data: héllo', '', 'event: multi', 'data: a', 'data: ✓ 😀', '', 'data: €uro', ''];

/** The events a client must see from /lines, whatever the line ends, BOM or splits. */
export const LINES_EVENTS = [
  { event: 'message', data: 'héllo', id: '1' },
  { event: 'multi', data: 'a\n✓ 😀', id: '1' },
  { event: 'message', data: '€uro', id: '1' },
];

/** The content deltas of /openai, repeated to fill `n`; multi-byte text and markdown on purpose. */
export const OPENAI_TOKENS = ['Hel', 'lo', ', ', 'wörld', '! ', '👋🏽', ' **bo', 'ld**', ' 日本', '語', ' `co', 'de`', ' ✓', '.'];

/** The joined text /openai?n= streams. */
export function openaiText(n) {
  return Array.from({ length: n }, (_, i) => OPENAI_TOKENS[i % OPENAI_TOKENS.length]).join('');
}
