// The throughput stream of the e2e bench: the parser bench's seeded chat
// stream (OpenAI chat-completion chunks, LF), shorter, so that a run at one
// event per read stays short. What every contestant must deliver from it:
// the events' data ('data' contestants) or the answer's text ('text' ones).

import { expectedAnswer } from '../delta/contestants.mjs';
import { buildStreams } from '../parser/streams.mjs';

export const CHAT_EVENTS = 20_000;

export function chatBody() {
  const [chat] = buildStreams({ chatEvents: CHAT_EVENTS, docEvents: 0 }).filter((s) => s.name === 'chat-lf');
  const body = new Uint8Array(chat.bytes);
  let at = 0;
  for (const c of chat.chunks) {
    body.set(c, at);
    at += c.length;
  }
  return {
    chat,
    body,
    expected: {
      data: { events: chat.expected.events, dataLength: chat.expected.dataLength, last: '[DONE]' },
      text: expectedAnswer(chat.chunks),
    },
  };
}

/**
 * The stream cut at whole events into pieces of at most `size` bytes (one
 * event per piece when it is bigger than that): the server's writes, and the
 * reads of the in-memory bodies.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array[]}
 */
export function eventWrites(bytes, size) {
  const pieces = [];
  let from = 0;
  let end = 0;
  for (let at = blankLine(bytes, 0); at !== -1; at = blankLine(bytes, at + 2)) {
    if (at + 2 - from > size && end > from) {
      pieces.push(bytes.subarray(from, end));
      from = end;
    }
    end = at + 2;
  }
  if (end > from) pieces.push(bytes.subarray(from, end));
  if (end < bytes.length) pieces.push(bytes.subarray(end));
  return pieces;
}

// Where the next LF LF starts, or -1.
function blankLine(bytes, from) {
  for (let at = bytes.indexOf(10, from); at !== -1; at = bytes.indexOf(10, at + 1)) {
    if (bytes[at + 1] === 10) return at;
  }
  return -1;
}
