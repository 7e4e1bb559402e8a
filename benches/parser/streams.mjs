// The streams every parser contestant is fed. Generated at bench time from a
// fixed seed, so Node and Chromium (this file runs in both) build the same
// bytes; a checksum in the report shows it. No Node or DOM APIs here.

export const CHUNK_SIZE = 16 * 1024;

// xorshift32: tiny, deterministic, identical in every JS engine.
export function rng(seed) {
  let x = seed >>> 0 || 1;
  return {
    next() {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 4294967296;
    },
    int(n) {
      return Math.floor(this.next() * n);
    },
    pick(list) {
      return list[this.int(list.length)];
    },
  };
}

// Mostly ASCII, as model output is, with accents, CJK, emoji (one with a skin
// tone, one ZWJ sequence, one with VS16), and text that JSON must escape.
const ASCII = 'the of a to and is in that it for you with on as this are be model stream token answer'.split(' ');
const OTHER = [
  'café', 'naïve', 'déjà vu', 'Zürich', 'façade', 'señor', 'Ærøskøbing', 'Ελλάδα', 'Кириллица',
  '你好', '世界', '日本語', '한국어', '東京タワー', '🚀', '👍🏽', '🎉', '❤️', '👩‍💻',
  '\n\n', '"quoted"', '`code`', '**bold**', 'a\\b',
];

// For space-separated lines: no word that is blank or has outer spaces.
const WORDY = OTHER.map((w) => w.trim()).filter(Boolean);

export function token(r) {
  return r.next() < 0.8 ? r.pick(ASCII) : r.pick(OTHER);
}

/**
 * One OpenAI chat-completion chunk per event, `data: {json}` + blank line,
 * ending with `data: [DONE]` as the real API does. About 200 bytes an event.
 */
function chatText(events, eol) {
  const r = rng(0x5eed_0001);
  const id = 'chatcmpl-' + Array.from({ length: 29 }, () => r.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).join('');
  const parts = [];
  let dataLength = 0;
  for (let i = 0; i < events; i++) {
    let data;
    if (i === events - 1) {
      data = '[DONE]';
    } else {
      const last = i === events - 2;
      let content = '';
      for (let n = 1 + r.int(3); n > 0; n--) content += (content && r.next() < 0.7 ? ' ' : '') + token(r);
      const delta = i === 0 ? { role: 'assistant', content: '' } : last ? {} : { content };
      data = JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: 1735689600 + (i >> 6),
        model: 'gpt-4o-mini',
        choices: [{ index: 0, delta, finish_reason: last ? 'stop' : null }],
      });
    }
    dataLength += data.length;
    parts.push(`data: ${data}${eol}${eol}`);
  }
  return { text: parts.join(''), expected: { events, dataLength, typed: 0, withId: 0 } };
}

/**
 * Large multi-line events, as a server sends a document or a tool result:
 * `event:` and `id:` fields and about 50 KB of data spread over many `data:`
 * lines, some empty, some without the optional space after the colon.
 */
function documentsText(events, bytesPerEvent, eol) {
  const r = rng(0x5eed_0003);
  const enc = new TextEncoder();
  const parts = [];
  let dataLength = 0;
  for (let i = 0; i < events; i++) {
    parts.push(`event: document${eol}id: doc-${i}${eol}`);
    const lines = [];
    let size = 0;
    while (size < bytesPerEvent) {
      let line = '';
      // Blank lines separate paragraphs, never open an event: with an empty
      // first data line, @microsoft/fetch-event-source drops that line's LF
      // (it tests `message.data ?` rather than whether a line was seen), and
      // the event tallies would differ for a reason this bench is not about.
      if (lines.length === 0 || r.next() >= 0.08) {
        const words = 6 + r.int(14);
        for (let w = 0; w < words; w++) line += (w ? ' ' : '') + (r.next() < 0.85 ? r.pick(ASCII) : r.pick(WORDY));
      }
      lines.push(line);
      size += enc.encode(line).length + 7;
      parts.push(r.next() < 0.1 ? `data:${line}${eol}` : `data: ${line}${eol}`);
    }
    parts.push(eol);
    dataLength += lines.join('\n').length;
  }
  return { text: parts.join(''), expected: { events, dataLength, typed: events, withId: events } };
}

/**
 * @typedef {{ events: number, dataLength: number, typed: number, withId: number }} Tally
 *   What a correct parser reports: events dispatched, UTF-16 length of all
 *   data, events whose type is set to something other than "message", events
 *   with a non-empty id.
 * @typedef {{ name: string, title: string, eol: string, bytes: number, chunks: Uint8Array[],
 *   expected: Tally, checksum: string, chunkCount: number, edgesInUtf8: number, edgesInCrlf: number }} Stream
 */

/** @returns {Stream[]} */
export function buildStreams({ chatEvents = 100_000, docEvents = 200, docBytes = 50_000 } = {}) {
  const chat = chatText(chatEvents, '\n');
  const specs = [
    { name: 'chat-lf', title: `${count(chatEvents)} chat-completion chunks, LF`, eol: 'LF', ...chat },
    {
      name: 'chat-crlf',
      title: `${count(chatEvents)} chat-completion chunks, CRLF`,
      eol: 'CRLF',
      // JSON never holds a raw LF, so this changes only the line ends.
      text: chat.text.replaceAll('\n', '\r\n'),
      expected: chat.expected,
    },
    { name: 'docs-50k', title: `${count(docEvents)} events of ${docBytes / 1000} KB multi-line data, LF`, eol: 'LF', ...documentsText(docEvents, docBytes, '\n') },
  ];
  const encoder = new TextEncoder();
  return specs.map(({ text, ...spec }) => {
    const bytes = encoder.encode(text);
    return { ...spec, bytes: bytes.length, checksum: fnv1a(bytes), ...cut(bytes, CHUNK_SIZE) };
  });
}

// Fixed-size chunks, each with its own buffer as fetch() hands them out. Edges
// fall wherever the size puts them; count those that split a UTF-8 sequence or
// a CRLF pair, the cases a parser must carry across feeds.
function cut(bytes, size) {
  const chunks = [];
  let edgesInUtf8 = 0;
  let edgesInCrlf = 0;
  for (let at = 0; at < bytes.length; at += size) {
    if (at > 0) {
      if ((bytes[at] & 0xc0) === 0x80) edgesInUtf8++;
      if (bytes[at - 1] === 13 && bytes[at] === 10) edgesInCrlf++;
    }
    chunks.push(bytes.slice(at, at + size));
  }
  return { chunks, chunkCount: chunks.length, edgesInUtf8, edgesInCrlf };
}

const count = (n) => n.toLocaleString('en-US');

function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
