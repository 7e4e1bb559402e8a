// The chaos stream: what the server's /chaos route sends and what a client must
// see, both derived from one seed. A plain ES module with no imports, so the
// server (Node), the Node test and the Chromium page share it unchanged.
//
// Each event has an `id:` (1..n), may have an `event:` name, one to three
// `data:` lines of mixed one- to four-byte UTF-8, and sometimes a comment; its
// lines end in LF, CRLF or CR, chosen per event. So a cut at a random byte
// offset lands, sooner or later, inside every kind of place a parser can be in.

/** A seeded 32-bit generator (mulberry32): the same seed, the same numbers. */
export function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** A seed from anything (a run's seed and a connection number, say). */
export function mix(...parts) {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h >>> 0;
}

const EOLS = ['\n', '\r\n', '\r'];
const NAMES = ['tick', 'ünïcode', 'τ', 'update', 'ok'];
// One-, two-, three- and four-byte sequences, and a grapheme made of several.
const WORDS = ['plain', 'é', 'ß', '✓', '€', '日本語', '😀', '👋🏽', 'a b', '{"k":1}'];

/**
 * Event `i` (1-based) of the stream of `seed`: `wire`, the bytes the server
 * sends (as a string), and what `onmessage` must receive.
 */
export function chaosEvent(seed, i) {
  const r = random(mix(seed, i));
  const eol = r.pick(EOLS);
  const name = r.next() < 0.3 ? r.pick(NAMES) : null;
  const lines = Array.from({ length: r.int(1, 3) }, () => Array.from({ length: r.int(1, 6) }, () => r.pick(WORDS)).join(' '));
  const data = [`${i}`, ...lines].join(' ');
  let wire = '';
  if (r.next() < 0.1) wire += `: keep-alive ${r.pick(WORDS)}${eol}`;
  wire += `id: ${i}${eol}`;
  if (name) wire += `event: ${name}${eol}`;
  // `data:` with and without the one space the parser removes.
  const parts = data.split(' ');
  const cut = r.int(1, parts.length);
  const dataLines = [parts.slice(0, cut).join(' '), ...(cut < parts.length ? [parts.slice(cut).join(' ')] : [])];
  for (const line of dataLines) wire += r.next() < 0.5 ? `data: ${line}${eol}` : `data:${line}${eol}`;
  wire += eol;
  return { wire, id: String(i), event: name ?? 'message', data: dataLines.join('\n') };
}

/** The whole stream of `seed` as bytes, with the byte offset at which each event starts. */
export function chaosStream(seed, n) {
  const encoder = new TextEncoder();
  const parts = [];
  const starts = new Array(n + 2);
  let length = 0;
  for (let i = 1; i <= n; i++) {
    starts[i] = length;
    const bytes = encoder.encode(chaosEvent(seed, i).wire);
    parts.push(bytes);
    length += bytes.length;
  }
  starts[n + 1] = length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, starts };
}

/** A seed for this run: `CHAOS_SEED` when given (to replay one), else a fresh one. */
export function pickSeed(given) {
  if (given !== undefined && given !== null && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`CHAOS_SEED must be a non-negative integer, got ${given}`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
