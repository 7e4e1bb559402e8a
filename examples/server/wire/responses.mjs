// OpenAI Responses streaming (`POST /v1/responses`): named events whose data
// repeats the name as `type` and carries a `sequence_number` (0, 1, 2… = the
// frame's index), no `id:` fields and no `[DONE]`:
//
//   response.created, response.in_progress
//   per output item (reasoning, message, function_call; `output_index` 0, 1, …):
//     response.output_item.added
//     reasoning:      response.reasoning_summary_part.added, …_text.delta*, …_text.done, …_part.done
//     message:        response.content_part.added, response.output_text.delta*, …done, content_part.done
//     function_call:  response.function_call_arguments.delta*, …done
//     response.output_item.done
//   response.completed (status "completed", usage) or response.incomplete (max_output_tokens)
//
// Parallel function calls are sequential items here, as the API sends them.

import { idOf } from '../plan.mjs';

export const path = '/v1/responses';

export const toolCallId = (call) => `call_${idOf(call.idSeed, 'call')}`;

export const finishReason = (plan) => (plan.finish === 'length' ? 'incomplete' : 'completed');

export const usage = (plan) => ({
  input_tokens: plan.usage.input,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: plan.usage.output,
  output_tokens_details: { reasoning_tokens: plan.usage.reasoning },
  total_tokens: plan.usage.input + plan.usage.output,
});

const itemId = (plan, prefix, label) => `${prefix}_${idOf(`${plan.key}\0${plan.answer}`, label, 40)}`;

/** The response object, as in response.created (in progress) and response.completed. */
function response(plan, status, output, extra = {}) {
  const o = plan.options;
  return {
    id: itemId(plan, 'resp', 'response'),
    object: 'response',
    created_at: o.created,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    max_output_tokens: o.maxOutputTokens ?? null,
    model: plan.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: o.effort ?? null, summary: plan.reasoning ? 'auto' : null },
    store: false,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    usage: status === 'completed' || status === 'incomplete' ? usage(plan) : null,
    ...extra,
  };
}

/** The output items of the plan, complete, with their ids. */
function items(plan) {
  const out = [];
  if (plan.reasoning?.tokens.length) {
    out.push({ id: itemId(plan, 'rs', 'reasoning'), type: 'reasoning', summary: [{ type: 'summary_text', text: plan.reasoning.text }] });
  }
  if (plan.tokens.length) {
    out.push({ id: itemId(plan, 'msg', 'message'), type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: plan.text }], role: 'assistant' });
  }
  for (const call of plan.toolCalls) {
    out.push({ id: `fc_${idOf(call.idSeed, 'item', 40)}`, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: toolCallId(call), name: call.name });
  }
  return out;
}

export function frames(plan) {
  const out = [];
  const emit = (data, piece) => {
    const full = { type: data.type, sequence_number: out.length, ...data };
    out.push({ event: data.type, data: JSON.stringify(full), ...(piece ? { piece } : {}) });
  };
  emit({ type: 'response.created', response: response(plan, 'in_progress', []) });
  emit({ type: 'response.in_progress', response: response(plan, 'in_progress', []) });
  const done = items(plan);
  done.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      emit({ type: 'response.output_item.added', output_index, item: { id: item_id, type: 'reasoning', summary: [] } });
      const where = { item_id, output_index, summary_index: 0 };
      emit({ type: 'response.reasoning_summary_part.added', ...where, part: { type: 'summary_text', text: '' } });
      for (const delta of plan.reasoning.tokens) emit({ type: 'response.reasoning_summary_text.delta', ...where, delta }, { kind: 'reasoning', delta });
      emit({ type: 'response.reasoning_summary_text.done', ...where, text: plan.reasoning.text });
      emit({ type: 'response.reasoning_summary_part.done', ...where, part: { type: 'summary_text', text: plan.reasoning.text } });
    } else if (item.type === 'message') {
      emit({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } });
      const where = { item_id, output_index, content_index: 0 };
      emit({ type: 'response.content_part.added', ...where, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
      for (const delta of plan.tokens) emit({ type: 'response.output_text.delta', ...where, delta, logprobs: [] }, { kind: 'text', delta });
      emit({ type: 'response.output_text.done', ...where, text: plan.text, logprobs: [] });
      emit({ type: 'response.content_part.done', ...where, part: item.content[0] });
    } else if (item.type === 'function_call') {
      const call = plan.toolCalls.find((c) => toolCallId(c) === item.call_id);
      emit({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of call.pieces) emit({ type: 'response.function_call_arguments.delta', item_id, output_index, delta }, { kind: 'tool', call: call.index, delta });
      emit({ type: 'response.function_call_arguments.done', item_id, output_index, arguments: item.arguments });
    }
    emit({ type: 'response.output_item.done', output_index, item });
  });
  const status = finishReason(plan);
  emit({ type: status === 'completed' ? 'response.completed' : 'response.incomplete', response: response(plan, status, done) });
  return out;
}

/**
 * A failure mid-answer: the `error` event, then `response.failed` with the
 * response's status "failed" and its `error`; the stream then ends.
 * `at` is the index of the first frame not sent, so the sequence goes on.
 */
export function failure(plan, at, message) {
  const error = { code: 'server_error', message };
  const frames = [
    { event: 'error', data: JSON.stringify({ type: 'error', sequence_number: at, code: error.code, message, param: null }) },
    { event: 'response.failed', data: JSON.stringify({ type: 'response.failed', sequence_number: at + 1, response: response(plan, 'failed', [], { error }) }) },
  ];
  return { frames, finishReason: 'failed', error };
}

/** The non-streaming response. */
export const body = (plan) => response(plan, finishReason(plan), items(plan));

/** A request-level error in OpenAI's shape. */
export function httpError(status, message, type, code = null) {
  return { error: { message, type, param: null, code } };
}
