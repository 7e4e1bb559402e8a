// The wire formats of the mock server, by name, and what a correct client of
// each ends up with (`/mock/expect`). Each module turns a plan (../plan.mjs)
// into frames and knows its provider's spellings:
//
//   path                       the real provider's path
//   frames(plan)               the whole stream, [{ event?, data, piece? }]
//   failure(plan, at, message) the in-stream error after frame `at`: { frames, finishReason, error }
//   finishReason(plan), usage(plan), toolCallId(call)   as the client ends with them
//   body(plan)                 the non-streaming JSON (absent: always streams)
//   httpError(status, message, type, code)              a request-level error body

import * as chat from './openai.mjs';
import * as anthropic from './anthropic.mjs';
import * as responses from './responses.mjs';
import * as aiSdk from './ai-sdk.mjs';
import { fold, parsed } from '../plan.mjs';

export const FORMATS = Object.freeze({ chat, anthropic, responses, 'ai-sdk': aiSdk });

/** format name -> path, for /healthz and the README. */
export const PATHS = Object.freeze(Object.fromEntries(Object.entries(FORMATS).map(([name, m]) => [name, m.path])));

const ALIASES = { openai: 'chat', 'chat-completions': 'chat', messages: 'anthropic', 'ai': 'ai-sdk', vercel: 'ai-sdk' };

/** A format name from a name, an alias or a path (`/v1/messages`); null if none. */
export function formatOf(value) {
  if (!value) return null;
  const v = String(value).toLowerCase();
  if (Object.hasOwn(FORMATS, v)) return v;
  if (Object.hasOwn(ALIASES, v)) return ALIASES[v];
  return Object.keys(FORMATS).find((name) => FORMATS[name].path === v) ?? null;
}

/**
 * What a correct client of `format` ends with after the whole `plan`:
 * `{ text, reasoning, toolCalls: [{ id, name, arguments, input }], finishReason, usage }`,
 * finishReason and usage in the provider's own spelling (usage null where the
 * stream has none). With `fault` ({ scenario, after, message }) also `fault`: what
 * the faulty attempt carries up to its break (null when it has fewer tokens).
 */
export function expect(format, plan, fault = null) {
  const m = FORMATS[format];
  const out = {
    format,
    answer: plan.answer,
    text: plan.text,
    reasoning: plan.reasoning?.text ?? '',
    toolCalls: plan.toolCalls.map((call) => ({ id: m.toolCallId(call), name: call.name, arguments: call.arguments, input: parsed(call.arguments) })),
    finishReason: m.finishReason(plan),
    usage: m.usage(plan),
  };
  if (fault) out.fault = faultOf(m, plan, fault);
  return out;
}

/** The index of the frame carrying token number `after` (0-based), where a fault strikes; -1 if the stream is shorter. */
export function cutIndex(frames, after) {
  let seen = 0;
  for (let i = 0; i < frames.length; i++) {
    if (!frames[i].piece) continue;
    if (seen === after) return i;
    seen++;
  }
  return -1;
}

function faultOf(m, plan, { scenario, after, message }) {
  const frames = m.frames(plan);
  const at = cutIndex(frames, after);
  if (at < 0) return null;
  const sofar = fold(frames.slice(0, at));
  const calls = new Map(plan.toolCalls.map((call) => [call.index, call]));
  const failed = scenario === 'stream-error' ? m.failure(plan, at, message) : null;
  return {
    scenario,
    after,
    text: sofar.text,
    reasoning: sofar.reasoning,
    toolCalls: [...sofar.args].map(([j, args]) => ({ id: m.toolCallId(calls.get(j)), name: calls.get(j).name, arguments: args })),
    finishReason: failed?.finishReason ?? null,
    error: failed?.error ?? null,
  };
}
