// The canned answers of the mock LLM server and how they are cut into tokens.
// Node >= 20, no dependencies.
//
// Each answer is a markdown file in ./answers/. It is chosen from the last user
// message: by keyword first (KEYWORDS below), else by a hash of the message, so
// the same prompt always gets the same answer (which is what lets a reconnect
// with Last-Event-ID continue the same answer). Tokens are cut once, with a
// seeded random generator, so they are the same on every run too. Each answer
// also has a few sentences of reasoning, and there is one tool-call turn
// (`weather`: a short text, then one or two `get_weather` calls).

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

/**
 * What the model "thinks" before each answer, for the reasoning channels
 * (`reasoning_content`, `thinking`, reasoning summaries): a few answer-specific
 * sentences with light markdown, tokenized like the answers.
 */
const REASONING = {
  table:
    'The user wants a **comparison**, so a table reads best. I should line up SSE, WebSockets, long polling and `fetch` streaming on direction, reconnection and proxies. Right-aligned columns keep it tidy; a short note after the table can say why SSE wins for chat.',
  code:
    'They asked for code. A short **TypeScript** client first, since most readers are in the browser, then the same loop in Rust. I must show the abort controller and the `[DONE]` check; error handling can stay brief.',
  math:
    'This is about the *math* of streaming. Total time is the time to first token plus n over the rate; then the rendering cost, which is quadratic if every token re-renders everything. I will write both with `$$` display math and plug in 50 tokens per second.',
  emoji:
    'A greeting in several languages, each with its flag. The table needs CJK, Korean and Greek text, and the **emoji** should include a ZWJ family and skin tones so the rendering is really exercised. Keep the prose short.',
  list:
    'The user wants a **plan**. Numbered phases with nested steps work well: wire format, client, rendering, failure handling, then rollout. A task list at the end lets them tick things off.',
  history:
    'A short **history** of Server-Sent Events: WHATWG around 2006, Opera first, then the `EventSource` API everywhere but old IE. I should show the field format in a fenced block and end with why LLM APIs picked it up.',
  weather:
    'The user asks about the **weather**, and a `get_weather` tool is available. Paris, Celsius and three days fit the question; an hourly breakdown helps. Calling the tool beats guessing from memory.',
};

function load(name) {
  const text = readFileSync(new URL(`./answers/${name}.md`, import.meta.url), 'utf8').trim();
  return Object.freeze({ name, text, tokens: Object.freeze(tokenize(text, hash(name))), reasoning: reasoningOf(name) });
}

function reasoningOf(name) {
  const text = REASONING[name];
  return Object.freeze({ text, tokens: Object.freeze(tokenize(text, hash(`reasoning:${name}`))) });
}

/** name -> { name, text, tokens } */
export const ANSWERS = Object.freeze(Object.fromEntries(ANSWER_NAMES.map((name) => [name, load(name)])));

/**
 * The text of a message's `content` or `parts`: a string, or an array of parts
 * (`{type:'text', text}` for OpenAI chat and the AI SDK, `{type:'input_text', text}`
 * for Responses; parts without a string `text`, such as files, count as '').
 */
export function messageText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/**
 * The text of the last user message (or of the last message), '' if none. A
 * message is `{ role, content }` (OpenAI, Anthropic, Responses input items) or
 * `{ role, parts }` (the AI SDK's UI messages, as `useChat` posts them).
 */
export function lastUserText(messages) {
  if (!Array.isArray(messages) || messages.length === 0) return '';
  const user = [...messages].reverse().find((m) => m?.role === 'user') ?? messages[messages.length - 1];
  return messageText(user?.content ?? user?.parts);
}

// ---------------------------------------------------------------- the tool-call turn

/** The prompts that get the tool-call turn when the request offers tools. */
export const TOOL_PROMPT = /weather|forecast/i;

// Arguments as a model writes them (Python json.dumps spacing), ~400 bytes each,
// with an escaped quote, a \u escape, raw non-ASCII and an astral emoji.
const PARIS = String.raw`{"city": "Paris", "unit": "celsius", "days": 3, "hourly": [{"time": "09:00", "temp": 14.5, "sky": "cloudy"}, {"time": "12:00", "temp": 18, "sky": "sunny"}, {"time": "15:00", "temp": 19.5, "sky": "sunny"}, {"time": "18:00", "temp": 16, "sky": "light rain"}], "note": "The user asked \"do I need an umbrella?\" \u2014 answer like a caf\u00e9 waiter would, in the café, with a 👍 if it stays dry.", "symbol": "\u00b0C"}`;
const TOKYO = String.raw`{"city": "Tokyo", "unit": "celsius", "days": 3, "hourly": [{"time": "09:00", "temp": 21, "sky": "humid"}, {"time": "12:00", "temp": 25.5, "sky": "sunny"}, {"time": "15:00", "temp": 26, "sky": "thunderstorms"}], "note": "東京 \"Tōkyō\": same format as Paris, 👍 for sunny spells; say \"typhoon\" only if the forecast does.", "symbol": "\u00b0C"}`;

/**
 * Cuts a tool call's argument text into pieces of 1 to 12 code points, as
 * providers stream them: anywhere, including inside a key and between the
 * backslash and the rest of an escape (a cut there is forced, so every run has
 * one), never inside a code point.
 */
export function cutArguments(text, seed = hash(text)) {
  const rand = random(seed);
  const points = [...text];
  const cuts = new Set();
  for (let at = 0; at < points.length; ) {
    at += 1 + Math.floor(rand() * 12);
    if (at < points.length) cuts.add(at);
  }
  const backslash = points.indexOf('\\');
  if (backslash >= 0) cuts.add(backslash + 1);
  const key = points.join('').indexOf('"hourly"');
  if (key >= 0) cuts.add([...text.slice(0, key)].length + 4);
  const pieces = [];
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    pieces.push(points.slice(from, at).join(''));
    from = at;
  }
  pieces.push(points.slice(from).join(''));
  return pieces;
}

function toolTurn(cities) {
  const args = { Paris: PARIS, Tokyo: TOKYO };
  const text = `Let me check the weather in ${cities.join(' and ')}.`;
  return Object.freeze({
    name: 'weather',
    text,
    tokens: Object.freeze(tokenize(text, hash(text))),
    reasoning: reasoningOf('weather'),
    calls: Object.freeze(
      cities.map((city) => Object.freeze({ name: 'get_weather', arguments: args[city], pieces: Object.freeze(cutArguments(args[city], hash(`args:${city}`))) })),
    ),
  });
}

/** The tool-call turn with one call (Paris) and with two parallel calls (Paris, Tokyo). */
export const TOOL_TURNS = Object.freeze({ 1: toolTurn(['Paris']), 2: toolTurn(['Paris', 'Tokyo']) });

/**
 * The answer for a conversation: `forced` (an answer name) when given and known,
 * else by keyword, else by hash of the last user message. The tool-call turn
 * (`weather`, with `calls` tool calls, 1 or 2) instead when `calls` > 0, when
 * forced, or when the request offers `tools` and the prompt asks for the weather;
 * `calls: 0` never gives it unless forced.
 */
export function pickAnswer(messages, forced, { tools = false, calls } = {}) {
  if (calls > 0 || forced === 'weather' || (tools && calls !== 0 && TOOL_PROMPT.test(lastUserText(messages)))) {
    return TOOL_TURNS[calls >= 2 ? 2 : 1];
  }
  if (forced && Object.hasOwn(ANSWERS, forced)) return ANSWERS[forced];
  const prompt = lastUserText(messages).toLowerCase();
  for (const [name, pattern] of KEYWORDS) if (pattern.test(prompt)) return ANSWERS[name];
  return ANSWERS[ANSWER_NAMES[hash(prompt) % ANSWER_NAMES.length]];
}
