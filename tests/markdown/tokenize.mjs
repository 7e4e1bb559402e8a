// How a document is cut into deltas: the five tokenizations of
// tests/common/streaming.rs, ported so that the cuts are the same as in the
// Rust tests (the seeded one uses the same xorshift64* generator, `bpeLike`
// the same classes and piece lengths as `bpe_like`).

const MASK = (1n << 64n) - 1n;

function bySizes(doc, next) {
  const chars = Array.from(doc);
  const out = [];
  for (let i = 0; i < chars.length; ) {
    const n = Math.min(Math.max(next(), 1), chars.length - i);
    out.push(chars.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

function seeded(seed) {
  let x = ((BigInt(seed) * 0x9e3779b97f4a7c15n) & MASK) | 1n;
  return () => {
    x ^= x >> 12n;
    x ^= (x << 25n) & MASK;
    x ^= x >> 27n;
    return Number((((x * 0x2545f4914f6cdd1dn) & MASK) >> 33n) % 12n) + 1;
  };
}

// Words with the whitespace after them.
function words(doc) {
  const out = [];
  let cur = '';
  let inSpace = false;
  for (const c of doc) {
    const space = /\s/u.test(c);
    if (!space && inSpace) {
      out.push(cur);
      cur = '';
    }
    inSpace = space;
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function classOf(c) {
  if (c === ' ') return 'space';
  if (/\s/u.test(c)) return 'break';
  if (/[0-9]/.test(c)) return 'digit';
  if (/\p{Alphabetic}/u.test(c)) return 'letter';
  return 'other';
}

const MAX_PIECE = { letter: 4, digit: 3, other: 2, break: Infinity, space: Infinity };

// Pieces shaped like a BPE tokenizer's: see `bpe_like` in tests/common/streaming.rs.
export function bpeLike(doc) {
  const chars = Array.from(doc);
  const out = [];
  let i = 0;
  while (i < chars.length) {
    const start = i;
    if (chars[i] === ' ') {
      let run = 0;
      while (chars[i + run] === ' ') run++;
      if (run > 1 || i + run === chars.length) {
        const n = i + run === chars.length ? run : run - 1;
        out.push(chars.slice(i, i + n).join(''));
        i += n;
        continue;
      }
      i++;
    }
    const k = classOf(chars[i]);
    let n = 0;
    while (i < chars.length && classOf(chars[i]) === k && n < MAX_PIECE[k]) {
      i++;
      n++;
    }
    out.push(chars.slice(start, i).join(''));
  }
  return out;
}

/** @type {{ name: string, split: (doc: string) => string[] }[]} */
export const TOKENIZATIONS = [
  { name: '1 char', split: (doc) => bySizes(doc, () => 1) },
  { name: '4 chars', split: (doc) => bySizes(doc, () => 4) },
  { name: 'random 1-12', split: (doc) => bySizes(doc, seeded(7)) },
  { name: 'words', split: words },
  { name: 'bpe-like', split: bpeLike },
];
