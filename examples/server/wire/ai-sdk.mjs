// The Vercel AI SDK UI message stream (`POST /api/chat`), as `ai` 7.x's
// `toUIMessageStreamResponse()` writes it (WIRE-NOTES, "Vercel AI SDK UI message
// stream"): only `data:` lines of JSON with a `type`, no `event:`, no `id:`,
// `data: [DONE]` at the end, and the header `x-vercel-ai-ui-message-stream: v1`.
//
//   start, start-step
//   reasoning-start, reasoning-delta*, reasoning-end
//   text-start, text-delta*
//   tool-input-start, tool-input-delta*, tool-input-available   (per call; two calls interleave)
//   text-end                      (on flush, after the tool inputs, as a provider closes its text)
//   finish-step, finish {finishReason: "stop" | "length" | "tool-calls"}, [DONE]
//
// Usage is not in the stream (an app adds it with messageMetadata).

import { parsed } from '../plan.mjs';
import { toolCallId } from './openai.mjs';

export { toolCallId };

export const path = '/api/chat';

/** The response headers of toUIMessageStreamResponse(). */
export const HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

const FINISH = { stop: 'stop', length: 'length', tool_calls: 'tool-calls' };

export const finishReason = (plan) => FINISH[plan.finish];

export const usage = () => null;

const frame = (data, piece) => ({ data: JSON.stringify(data), ...(piece ? { piece } : {}) });

export function frames(plan) {
  const out = [frame({ type: 'start' }), frame({ type: 'start-step' })];
  if (plan.reasoning?.tokens.length) {
    const id = 'reasoning-0';
    out.push(frame({ type: 'reasoning-start', id }));
    for (const delta of plan.reasoning.tokens) out.push(frame({ type: 'reasoning-delta', id, delta }, { kind: 'reasoning', delta }));
    out.push(frame({ type: 'reasoning-end', id }));
  }
  const text = plan.tokens.length > 0;
  if (text) {
    out.push(frame({ type: 'text-start', id: '0' }));
    for (const delta of plan.tokens) out.push(frame({ type: 'text-delta', id: '0', delta }, { kind: 'text', delta }));
  }
  const calls = new Map(plan.toolCalls.map((call) => [call.index, call]));
  const seen = new Map();
  for (const [j] of plan.order) {
    const call = calls.get(j);
    const id = toolCallId(call);
    const k = seen.get(j) ?? 0;
    seen.set(j, k + 1);
    if (k === 0) out.push(frame({ type: 'tool-input-start', toolCallId: id, toolName: call.name }));
    const delta = call.pieces[k];
    out.push(frame({ type: 'tool-input-delta', toolCallId: id, inputTextDelta: delta }, { kind: 'tool', call: j, delta }));
    if (k === call.pieces.length - 1 && call.complete) {
      out.push(frame({ type: 'tool-input-available', toolCallId: id, toolName: call.name, input: parsed(call.arguments) }));
    }
  }
  if (text) out.push(frame({ type: 'text-end', id: '0' }));
  out.push(frame({ type: 'finish-step' }), frame({ type: 'finish', finishReason: finishReason(plan) }), { data: '[DONE]' });
  return out;
}

/** The SDK's masked error part, then the stream goes on to its end (WIRE-NOTES). */
export function failure() {
  const error = { errorText: 'An error occurred.' };
  return {
    frames: [frame({ type: 'error', ...error }), frame({ type: 'finish-step' }), frame({ type: 'finish', finishReason: 'error' }), { data: '[DONE]' }],
    finishReason: 'error',
    error,
  };
}

/** A request-level error: what a route handler that throws before streaming answers. */
export function httpError(status, message, type, code = null) {
  return { error: { message, type, param: null, code } };
}
