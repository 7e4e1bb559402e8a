// How a document is cut into deltas: the tokenizations of
// tests/common/streaming.rs, ported so that the cuts are the same as in the
// Rust tests (the seeded one uses the same xorshift64* generator).

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

/** @type {{ name: string, split: (doc: string) => string[] }[]} */
export const TOKENIZATIONS = [
  { name: '1 char', split: (doc) => bySizes(doc, () => 1) },
  { name: '4 chars', split: (doc) => bySizes(doc, () => 4) },
  { name: 'random 1-12', split: (doc) => bySizes(doc, seeded(7)) },
  { name: 'words', split: words },
];
