// The canned answers of the mock LLM server and how they are cut into tokens.
// Node >= 20, no dependencies.
//
// Each answer is a markdown file in ./answers/. It is chosen from the last user
// message: by keyword first (KEYWORDS below), else by a hash of the message, so
// the same prompt always gets the same answer (which is what lets a reconnect
// with Last-Event-ID continue the same answer). Tokens are cut once, with a
// seeded random generator, so they are the same on every run too.

import { readFileSync } from 'node:fs';

/** Answer names, in the order the prompt hash picks from. */
export const ANSWER_NAMES = ['table', 'code', 'math', 'emoji', 'list', 'history'];

/** First match wins; tested against the lower-cased last user message. */
const KEYWORDS = [
  ['table', /\btables?\b|\bcompar/],
  ['code', /\bcode\b|\bprogram|\brust\b|typescript|javascript|\bfunction\b|\bcurl\b/],
  ['math', /\bmath|\bequation|\bformula|latex|\bkatex/],
  ['emoji', /emoji|unicode|\blanguages?\b|\bhello\b|\bcjk\b|chinese|japanese|\bflags?\b/],
  ['list', /\blists?\b|\bsteps?\b|\bplan\b|\bchecklist|\btodo/],
  ['history', /histor|\bmarkdown\b|\bsse\b|server-sent/],
];

/** 32-bit FNV-1a of a string's UTF-16 units. */
export function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_TOKEN = 6; // code points

// GPT-2's pre-tokenizer, more or less: a word with its leading space, a run of
// punctuation (or emoji) with its leading space, whitespace.
const PIECES = / ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Cuts `text` into tokens of 1 to 6 code points, as an LLM's stream does: mostly
 * whole words with their leading space, long words in parts, non-ASCII text in
 * pieces of 1 to 3 code points (so emoji ZWJ sequences and flags get split),
 * punctuation runs such as `**` or "```" sometimes split in two, short pieces
 * sometimes merged (`**Server`). The tokens concatenated are exactly `text`.
 */
export function tokenize(text, seed = hash(text)) {
  const rand = random(seed);
  const chance = (p) => rand() < p;
  const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pieces = [];
  for (const [piece] of text.matchAll(PIECES)) {
    const points = [...piece];
    const ascii = /^[\x00-\x7f]*$/.test(piece);
    const punct = /^ ?[^\s\p{L}\p{M}\p{N}]+$/u.test(piece);
    if (!ascii) {
      for (let at = 0; at < points.length; ) {
        const n = Math.min(points.length - at, between(1, 3));
        pieces.push(points.slice(at, at + n).join(''));
        at += n;
      }
    } else if (punct && points.length >= 2 && points.length <= MAX_TOKEN && chance(0.35)) {
      const cut = between(1, points.length - 1);
      pieces.push(points.slice(0, cut).join(''), points.slice(cut).join(''));
    } else if (points.length > MAX_TOKEN) {
      for (let at = 0; at < points.length; ) {
        const n = Math.min(points.length - at, between(2, MAX_TOKEN));
        pieces.push(points.slice(at, at + n).join(''));
        at += n;
      }
    } else {
      pieces.push(piece);
    }
  }
  // Merge some short neighbours, as BPE vocabularies do (`**Server`, `.\n\n`).
  const tokens = [];
  for (const piece of pieces) {
    const last = tokens.length - 1;
    if (last >= 0 && chance(0.2) && [...tokens[last]].length + [...piece].length <= MAX_TOKEN) tokens[last] += piece;
    else tokens.push(piece);
  }
  return tokens;
}

function load(name) {
  const text = readFileSync(new URL(`./answers/${name}.md`, import.meta.url), 'utf8').trim();
  return Object.freeze({ name, text, tokens: Object.freeze(tokenize(text, hash(name))) });
}

/** name -> { name, text, tokens } */
export const ANSWERS = Object.freeze(Object.fromEntries(ANSWER_NAMES.map((name) => [name, load(name)])));

/** The text of a chat message's `content`: a string or an array of parts. */
export function messageText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** The text of the last user message (or of the last message), '' if none. */
export function lastUserText(messages) {
  if (!Array.isArray(messages) || messages.length === 0) return '';
  const user = [...messages].reverse().find((m) => m?.role === 'user') ?? messages[messages.length - 1];
  return messageText(user?.content);
}

/**
 * The answer for a conversation: `forced` (an answer name) when given and known,
 * else by keyword, else by hash of the last user message.
 */
export function pickAnswer(messages, forced) {
  if (forced && Object.hasOwn(ANSWERS, forced)) return ANSWERS[forced];
  const prompt = lastUserText(messages).toLowerCase();
  for (const [name, pattern] of KEYWORDS) if (pattern.test(prompt)) return ANSWERS[name];
  return ANSWERS[ANSWER_NAMES[hash(prompt) % ANSWER_NAMES.length]];
}
