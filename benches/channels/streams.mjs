// The streams of the channels bench, generated from fixed seeds so that Node
// and Chromium (this file runs in both) build the same bytes. Each answer
// comes with its truth: what every channel must hold at the end. No Node or
// DOM APIs here.
//
// - toolArguments(): a tool call's JSON arguments, about 20 KB of a realistic
//   object (nested objects and arrays, long strings with escapes, unicode raw
//   and as \u escapes), cut into 500 deltas anywhere but inside a code point
//   (so also inside an escape, as a model's tokens cut them).
// - anthropicAnswer(): Anthropic Messages with a thinking block, text and a
//   tool_use block whose input streams in those 500 pieces.
// - openaiReasoningAnswer(): OpenAI chat completions with reasoning_content,
//   content and a tool call, then finish_reason and a usage chunk.
// - toolCallStream(): OpenAI chat completions holding only that tool call.

import { rng, token } from '../parser/streams.mjs';

export const TOOL_DELTAS = 500;
export const TOOL_BYTES = 20_000;

const encoder = new TextEncoder();
const utf8Length = (s) => encoder.encode(s).length;

const LATIN = 'report metric latency budget region cluster request owner summary trend quarter target error user cache shard'.split(' ');
const UNICODE = ['café', 'Zürich', 'naïve', 'Ærøskøbing', 'Ελλάδα', 'Кириллица', '日本語', '東京タワー', '한국어', '🚀', '👍🏽', '👩‍💻', '≥ 99.9 %', '±3 σ'];
// What JSON must escape, as it shows up in real arguments.
const ESCAPED = ['"quoted"', 'C:\\Users\\ops', 'line one\nline two', 'tab\there', 'a/b', '\\d+\\.\\d+', '<b>&amp;</b>'];

function words(r, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const x = r.next();
    out.push(x < 0.82 ? r.pick(LATIN) : x < 0.94 ? r.pick(UNICODE) : r.pick(ESCAPED));
  }
  return out.join(' ');
}

function section(r, i) {
  const rows = [];
  for (let k = 3 + r.int(5); k > 0; k--) {
    rows.push([words(r, 1), Math.round(r.next() * 1e5) / 100, r.int(2000) - 1000, r.next() < 0.5, r.next() < 0.1 ? null : r.next() * 1e-3]);
  }
  return {
    id: `sec-${i}`,
    heading: words(r, 3 + r.int(4)),
    body: words(r, 40 + r.int(60)),
    bullets: Array.from({ length: 2 + r.int(4) }, () => words(r, 5 + r.int(8))),
    table: { columns: ['metric', 'value', 'change', 'ok', 'error'], rows },
    refs: Array.from({ length: r.int(3) }, (_, k) => ({ url: `https://example.com/docs/${i}/${k}?q=a%20b&x=1`, title: words(r, 3) })),
    note: r.next() < 0.3 ? null : words(r, 8),
  };
}

/**
 * @returns {{ text: string, value: object, pieces: string[] }} the arguments'
 *   JSON text, the value it holds, and the text cut into TOOL_DELTAS pieces.
 */
export function toolArguments(seed = 0x5eed_0010) {
  const r = rng(seed);
  const value = {
    title: words(r, 8),
    summary: words(r, 60),
    author: { name: 'Zoë Ångström', email: 'zoe@example.com', roles: ['editor', 'reviewer'], active: true },
    sections: [],
    metadata: { version: 3, draft: false, confidence: 0.87, ratio: -1.5e-3, big: 12345678901234, tags: ['q3', 'ops', '日本'], reviewedAt: null },
  };
  // Half the non-ASCII characters as \u escapes, as an ensure_ascii encoder
  // writes them (a pair as two escapes); the other half raw UTF-8.
  const serialize = () => {
    const coin = rng(seed ^ 0xe5c);
    return JSON.stringify(value).replace(/[^\x00-\x7f]/gu, (ch) => (coin.next() < 0.5 ? ch : escapeUnits(ch)));
  };
  let text = serialize();
  while (utf8Length(text) < TOOL_BYTES) {
    value.sections.push(section(r, value.sections.length));
    text = serialize();
  }
  return { text, value: JSON.parse(text), pieces: cutPieces(r, text, TOOL_DELTAS) };
}

function escapeUnits(ch) {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

// n non-empty pieces, cut at random places but never between the two halves
// of a surrogate pair (a JSON string in an event cannot hold half a pair raw).
function cutPieces(r, text, n) {
  const cuts = new Set();
  while (cuts.size < n - 1) {
    let at = 1 + r.int(text.length - 1);
    const c = text.charCodeAt(at - 1);
    if (c >= 0xd800 && c <= 0xdbff) at++;
    if (at < text.length) cuts.add(at);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  let from = 0;
  for (const at of [...sorted, text.length]) {
    pieces.push(text.slice(from, at));
    from = at;
  }
  return pieces;
}

/** Markdown-ish model text cut into `n` deltas of one to three tokens. */
function textDeltas(r, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    for (let k = 1 + r.int(3); k > 0; k--) t += (t && r.next() < 0.7 ? ' ' : '') + token(r);
    out.push(i ? ` ${t}` : t);
  }
  return out;
}

/**
 * @typedef {{ text: string, reasoning: string | null, toolCalls: { id: string, name: string, arguments: string, input: unknown }[],
 *   usage: object | null, finishReason: string | null }} Truth
 * @typedef {{ name: string, title: string, format: string, text: string, events: number, truth: Truth }} Answer
 */

const sse = (event, data) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** @returns {Answer} */
export function anthropicAnswer({ thinking = 800, text = 1200, seed = 0x5eed_0020 } = {}) {
  const r = rng(seed);
  const args = toolArguments();
  const thoughts = textDeltas(r, thinking);
  const answer = textDeltas(r, text);
  const parts = [];
  const block = (index, delta) => parts.push(sse('content_block_delta', { type: 'content_block_delta', index, delta }));
  const startUsage = { input_tokens: 2143, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024, output_tokens: 1 };
  parts.push(sse('message_start', {
    type: 'message_start',
    message: { id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: startUsage },
  }));
  parts.push(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }));
  parts.push(sse('ping', { type: 'ping' }));
  for (const t of thoughts) block(0, { type: 'thinking_delta', thinking: t });
  block(0, { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' });
  parts.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
  parts.push(sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }));
  for (const t of answer) block(1, { type: 'text_delta', text: t });
  parts.push(sse('content_block_stop', { type: 'content_block_stop', index: 1 }));
  const id = 'toolu_01T1x1fJ34qAmk2tNTrN7Up6';
  parts.push(sse('content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id, name: 'create_report', input: {} } }));
  block(2, { type: 'input_json_delta', partial_json: '' });
  for (const p of args.pieces) block(2, { type: 'input_json_delta', partial_json: p });
  parts.push(sse('content_block_stop', { type: 'content_block_stop', index: 2 }));
  const outputTokens = thinking + text + TOOL_DELTAS;
  parts.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: outputTokens } }));
  parts.push(sse('message_stop', { type: 'message_stop' }));
  return {
    name: 'anthropic',
    title: `Anthropic: thinking (${thinking} deltas), text (${text}), a tool_use of ${(args.text.length / 1000).toFixed(1)} K chars in ${TOOL_DELTAS} pieces`,
    format: 'anthropic',
    text: parts.join(''),
    events: parts.length,
    truth: {
      text: answer.join(''),
      reasoning: thoughts.join(''),
      toolCalls: [{ id, name: 'create_report', arguments: args.text, input: args.value }],
      usage: { ...startUsage, output_tokens: outputTokens },
      finishReason: 'tool_use',
    },
  };
}

// A chat-completion chunk as the official Python types serialise it (unset fields null).
function chatChunk(delta, { finish = null, choices, usage = null } = {}) {
  return {
    id: 'chatcmpl-BZ4f3sL0b9oYtOe4vJ3qXWc1mZk2P',
    object: 'chat.completion.chunk',
    created: 1735689600,
    model: 'deepseek-reasoner',
    choices: choices ?? [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage,
  };
}

/** @returns {Answer} */
export function openaiReasoningAnswer({ reasoning = 800, text = 1200, seed = 0x5eed_0030 } = {}) {
  const r = rng(seed);
  const args = toolArguments();
  const thoughts = textDeltas(r, reasoning);
  const answer = textDeltas(r, text);
  const id = 'call_8f3kQ2nV7xR1bT5yZ0aLmW4e';
  const usage = { prompt_tokens: 2143, completion_tokens: reasoning + text + TOOL_DELTAS, total_tokens: 2143 + reasoning + text + TOOL_DELTAS, completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: null }, prompt_tokens_details: null };
  const parts = [sse('', chatChunk({ role: 'assistant', content: null, reasoning_content: '', tool_calls: null }))];
  for (const t of thoughts) parts.push(sse('', chatChunk({ content: null, reasoning_content: t, tool_calls: null })));
  for (const t of answer) parts.push(sse('', chatChunk({ content: t, reasoning_content: null, tool_calls: null })));
  parts.push(...toolCallEvents(id, 'create_report', args.pieces));
  parts.push(sse('', chatChunk({}, { finish: 'tool_calls' })));
  parts.push(sse('', chatChunk(null, { choices: [], usage })));
  parts.push(sse('', '[DONE]'));
  return {
    name: 'openai',
    title: `OpenAI: reasoning_content (${reasoning} deltas), content (${text}), a tool call of ${(args.text.length / 1000).toFixed(1)} K chars in ${TOOL_DELTAS} pieces, usage`,
    format: 'openai',
    text: parts.join(''),
    events: parts.length,
    truth: {
      text: answer.join(''),
      reasoning: thoughts.join(''),
      toolCalls: [{ id, name: 'create_report', arguments: args.text, input: args.value }],
      usage,
      finishReason: 'tool_calls',
    },
  };
}

function toolCallEvents(id, name, pieces) {
  const call = (fn, head) => sse('', chatChunk({ content: null, tool_calls: [{ index: 0, ...(head ? { id, type: 'function' } : {}), function: fn }] }));
  return [call({ name, arguments: '' }, true), ...pieces.map((p) => call({ arguments: p }, false))];
}

/**
 * OpenAI chat completions holding one tool call whose arguments arrive in
 * TOOL_DELTAS deltas, one event per chunk as a network delivers tokens.
 * `deltaChunks[k]` is the index in `chunks` of the k-th arguments delta.
 */
export function toolCallStream() {
  const args = toolArguments();
  const events = [
    sse('', chatChunk({ role: 'assistant', content: null })),
    ...toolCallEvents('call_8f3kQ2nV7xR1bT5yZ0aLmW4e', 'create_report', args.pieces),
    sse('', chatChunk({}, { finish: 'tool_calls' })),
    sse('', '[DONE]'),
  ];
  const chunks = events.map((e) => encoder.encode(e));
  // Events 0 and 1 open the answer and the call; the deltas follow.
  const deltaChunks = args.pieces.map((_, k) => k + 2);
  return { chunks, deltaChunks, args, bytes: chunks.reduce((n, c) => n + c.length, 0) };
}

/** The bytes of `text` in chunks of `size`, each with its own buffer as fetch() hands them out. */
export function cutBytes(bytes, size) {
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
  return chunks;
}

export const utf8 = (text) => encoder.encode(text);
