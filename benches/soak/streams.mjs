// The soak streams: blocks of whole events, about 64 KiB each, built once and
// written again and again, and what a stream of N blocks holds (so the bench
// can check that every event and all the text arrived).

const BLOCK = 64 * 1024;

/** The events of a block (`count`) and its bytes, whole events only, about BLOCK long. */
function block(makeEvent) {
  const events = [];
  let length = 0;
  for (let n = 0; length < BLOCK; n++) {
    const e = makeEvent(n);
    events.push(e);
    length += e.length;
  }
  return { count: events.length, bytes: Buffer.from(events.join('')) };
}

export const PLAIN = block(() => `data: ${'x'.repeat(1024 - 'data: \n\n'.length)}\n\n`);
/** The tokens of the OpenAI stream, in turn: words, punctuation, multi-byte text. */
export const TOKENS = ['The', ' quick', ' brown', ' fox', ',', ' jumps', ' över', ' the', ' lazy', ' dog', '.', ' 日本', '語', ' ✓', '\n\n'];
const openaiChunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-soak', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
// A whole number of token cycles per block, so every block continues the text the same way.
export const OPENAI = (() => {
  const cycle = TOKENS.map((content) => openaiChunk({ content })).join('');
  const cycles = Math.max(1, Math.round(BLOCK / Buffer.byteLength(cycle)));
  return { count: cycles * TOKENS.length, cycles, bytes: Buffer.from(cycle.repeat(cycles)) };
})();
export const OPENAI_END = openaiChunk({}, 'stop') + 'data: [DONE]\n\n';

/** What a stream of about `bytes` holds: whole blocks, so the client can check the count. */
export function plan(kind, bytes) {
  const b = kind === 'openai' ? OPENAI : PLAIN;
  const blocks = Math.max(1, Math.round(bytes / b.bytes.length));
  return {
    blocks,
    bytes: blocks * b.bytes.length + (kind === 'openai' ? Buffer.byteLength(OPENAI_END) : 0),
    events: blocks * b.count + (kind === 'openai' ? 2 : 0),
    // The text the openai stream adds up to: its length in UTF-16 units.
    textLength: kind === 'openai' ? blocks * OPENAI.cycles * TOKENS.join('').length : 0,
  };
}

