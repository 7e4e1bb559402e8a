// Anthropic Messages streaming (`POST /v1/messages`): named events whose data
// repeats the name as `type`, content in indexed blocks, no `id:` fields and no
// `[DONE]`:
//
//   message_start                       message with usage.input_tokens
//   content_block_start  (index 0)      then one `ping`, as the API sends it early
//   content_block_delta* (index 0)      thinking_delta… then one signature_delta
//   content_block_stop   (index 0)
//   … a text block (text_delta), one tool_use block per call (input_json_delta) …
//   message_delta                       delta.stop_reason, usage.output_tokens
//   message_stop
//
// Tool calls are sequential blocks here (the API does not interleave them), so
// the plan's interleaved order is not used.

import { idOf } from '../plan.mjs';

export const path = '/v1/messages';

const STOP = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

export const toolCallId = (call) => `toolu_01${idOf(call.idSeed, 'call', 22)}`;

export const finishReason = (plan) => STOP[plan.finish];

/** As a client ends with it: input_tokens from message_start, output_tokens from message_delta. */
// What a client that merges message_start's usage with message_delta's ends with.
export const usage = (plan) => ({ input_tokens: plan.usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: plan.usage.output });

const messageId = (plan) => `msg_01${idOf(`${plan.key}\0${plan.answer}`, 'msg', 22)}`;

// What a thinking block's signature looks like (base64, opaque to clients).
const signature = (plan) => `Eq${Buffer.from(idOf(plan.seed, 'signature', 72)).toString('base64')}`;

const frame = (data, piece) => ({ event: data.type, data: JSON.stringify(data), ...(piece ? { piece } : {}) });

export function frames(plan) {
  const out = [];
  out.push(
    frame({
      type: 'message_start',
      message: {
        id: messageId(plan),
        type: 'message',
        role: 'assistant',
        model: plan.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: plan.usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    }),
  );
  let index = 0;
  const block = (start, deltas, after = []) => {
    out.push(frame({ type: 'content_block_start', index, content_block: start }));
    if (index === 0) out.push(frame({ type: 'ping' }));
    for (const [delta, piece] of deltas) out.push(frame({ type: 'content_block_delta', index, delta }, piece));
    for (const delta of after) out.push(frame({ type: 'content_block_delta', index, delta }));
    out.push(frame({ type: 'content_block_stop', index }));
    index++;
  };
  if (plan.reasoning?.tokens.length) {
    block(
      { type: 'thinking', thinking: '', signature: '' },
      plan.reasoning.tokens.map((t) => [{ type: 'thinking_delta', thinking: t }, { kind: 'reasoning', delta: t }]),
      [{ type: 'signature_delta', signature: signature(plan) }],
    );
  }
  if (plan.tokens.length) block({ type: 'text', text: '' }, plan.tokens.map((t) => [{ type: 'text_delta', text: t }, { kind: 'text', delta: t }]));
  for (const call of plan.toolCalls) {
    // The API's first input_json_delta of a tool_use block is an empty one.
    const deltas = [[{ type: 'input_json_delta', partial_json: '' }], ...call.pieces.map((p) => [{ type: 'input_json_delta', partial_json: p }, { kind: 'tool', call: call.index, delta: p }])];
    block({ type: 'tool_use', id: toolCallId(call), name: call.name, input: {} }, deltas);
  }
  if (index === 0) out.push(frame({ type: 'ping' }));
  out.push(frame({ type: 'message_delta', delta: { stop_reason: finishReason(plan), stop_sequence: null }, usage: { output_tokens: plan.usage.output } }));
  out.push(frame({ type: 'message_stop' }));
  return out;
}

/** The in-stream error the API sends when it is overloaded mid-answer; the stream then ends. */
export function failure(plan, at, message) {
  const error = { type: 'overloaded_error', message: 'Overloaded' };
  return { frames: [frame({ type: 'error', error })], finishReason: null, error };
}

/** The non-streaming message. */
export function body(plan) {
  const content = [];
  if (plan.reasoning?.tokens.length) content.push({ type: 'thinking', thinking: plan.reasoning.text, signature: signature(plan) });
  if (plan.tokens.length) content.push({ type: 'text', text: plan.text });
  for (const call of plan.toolCalls) {
    let input = {};
    try {
      input = JSON.parse(call.arguments);
    } catch {
      // cut by max_tokens: the API would not return half a call either
    }
    content.push({ type: 'tool_use', id: toolCallId(call), name: call.name, input });
  }
  return {
    id: messageId(plan),
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content,
    stop_reason: finishReason(plan),
    stop_sequence: null,
    usage: { input_tokens: plan.usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: plan.usage.output },
  };
}

const ERROR_TYPES = { 400: 'invalid_request_error', 404: 'not_found_error', 405: 'invalid_request_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };

/** A request-level error in Anthropic's shape. */
export function httpError(status, message) {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
}
