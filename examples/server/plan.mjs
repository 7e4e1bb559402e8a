// The neutral answer plan: what the mock model says in one turn, before any wire
// format. A plan is reasoning tokens, text tokens and tool calls with their
// argument pieces, in the order the model emits them, plus the finish and the
// usage. The modules in ./wire/ turn a plan into one provider's SSE frames;
// server.mjs paces and fails those frames without knowing the format.
//
// A frame is `{ event?, data, piece? }`: `event` the SSE event name (absent for
// unnamed events), `data` the exact `data:` text, `piece` set on the frames that
// carry one model token, which are the ones paced and counted by `after=K`:
//
//   { kind: 'reasoning' | 'text' | 'tag', delta }      (`tag`: the `<think>` tags in content)
//   { kind: 'tool', call, delta }                       (`call`: the call's index in the plan)

import { hash } from './answers.mjs';

/** An id suffix of `len` letters and digits, derived from `seed` and `label`: stable for the same inputs. */
export function idOf(seed, label, len = 24) {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  for (let i = 0; out.length < len; i++) {
    let h = hash(`${seed}\0${label}\0${i}`);
    for (let k = 0; k < 5 && out.length < len; k++) {
      out += alphabet[h % alphabet.length];
      h = Math.floor(h / alphabet.length);
    }
  }
  return out;
}

/**
 * The order in which the pieces of parallel calls are emitted: one call alone in
 * order; two calls interleaved after the first two pieces of call 0, as in
 * `0 0 1 0 1 0 1 … ` (an OpenAI-compatible proxy merging parallel calls).
 */
function interleave(calls) {
  if (calls.length < 2) return calls.flatMap((call, j) => call.pieces.map((_, k) => [j, k]));
  const order = [];
  const next = calls.map(() => 0);
  const take = (j) => next[j] < calls[j].pieces.length && order.push([j, next[j]++]);
  take(0);
  take(0);
  while (next.some((k, j) => k < calls[j].pieces.length)) for (let j = 0; j < calls.length; j++) take(j);
  return order;
}

/**
 * Builds the plan of one turn.
 * @param {object} o
 * @param {{name: string, text: string, tokens: string[], reasoning: {text: string, tokens: string[]}, calls?: {name: string, arguments: string, pieces: string[]}[]}} o.turn from answers.mjs
 * @param {boolean} o.reasoning send the turn's reasoning first
 * @param {number} o.maxTokens 0 = no limit; else the turn is cut after that many tokens (reasoning, text and argument pieces together), finish `length`
 * @param {string} o.prompt the last user text (for the input token count)
 * @param {string} o.seed a stable string of the request (the messages): tool call ids derive from it
 * @param {string} o.key the conversation key: message and response ids derive from it
 * @param {string} o.model
 * @param {object} o.options per-format options, read by the wire modules (see server.mjs)
 */
export function makePlan({ turn, reasoning, maxTokens = 0, prompt = '', seed = '', key = '', model, options = {} }) {
  const calls = turn.calls ?? [];
  const order = interleave(calls);
  const total = (reasoning ? turn.reasoning.tokens.length : 0) + turn.tokens.length + order.length;
  let budget = maxTokens > 0 && maxTokens < total ? maxTokens : Infinity;
  const take = (list) => {
    const n = Math.min(list.length, budget);
    budget -= n;
    return list.slice(0, n);
  };
  const reasoningTokens = reasoning ? take(turn.reasoning.tokens) : null;
  const tokens = take(turn.tokens);
  const kept = take(order);
  const toolCalls = calls
    .map((call, j) => {
      const pieces = kept.filter(([c]) => c === j).map(([, k]) => call.pieces[k]);
      return { index: j, name: call.name, pieces, arguments: pieces.join(''), complete: pieces.length === call.pieces.length, idSeed: `${seed}\0call${j}` };
    })
    .filter((call) => call.pieces.length > 0);
  const cut = maxTokens > 0 && maxTokens < total;
  const input = Math.max(1, Math.ceil(prompt.length / 4));
  const output = (reasoningTokens?.length ?? 0) + tokens.length + kept.length;
  return {
    answer: turn.name,
    model,
    key,
    seed,
    options,
    reasoning: reasoningTokens && { tokens: reasoningTokens, text: reasoningTokens.join('') },
    tokens,
    text: tokens.join(''),
    toolCalls,
    order: kept,
    finish: cut ? 'length' : toolCalls.length > 0 ? 'tool_calls' : 'stop',
    usage: { input, output, reasoning: reasoningTokens?.length ?? 0 },
  };
}

/** The argument text parsed, or null while it is not (yet) valid JSON. */
export function parsed(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * What the frames' pieces add up to: the text, the reasoning, and each call's
 * arguments so far (by plan index). The truth a client should reach after these
 * frames, from the source rather than from the wire.
 */
export function fold(frames) {
  let text = '';
  let reasoning = '';
  const args = new Map();
  for (const { piece } of frames) {
    if (!piece) continue;
    if (piece.kind === 'text') text += piece.delta;
    else if (piece.kind === 'reasoning') reasoning += piece.delta;
    else if (piece.kind === 'tool') args.set(piece.call, (args.get(piece.call) ?? '') + piece.delta);
  }
  return { text, reasoning, args };
}
