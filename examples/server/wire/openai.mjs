// OpenAI chat completions (`POST /v1/chat/completions`), and the OpenAI-compatible
// servers that differ from it only in a field: one `chat.completion.chunk` per
// token, `data: [DONE]` at the end. See shared/WIRE-NOTES.md ("OpenAI chat
// completions, as the official `openai` Python types serialise them").
//
// plan.options (set by server.mjs from the request):
//   reasoningAs   'reasoning_content' (DeepSeek, vLLM, LM Studio, LiteLLM), 'reasoning'
//                 (Ollama, OpenRouter, Groq) or 'think' (a `<think>…</think>` block at the
//                 start of `content`, as DeepSeek-R1 distills served by Ollama)
//   includeUsage  stream_options.include_usage: a last chunk with `"choices": []` and the
//                 usage, and `"usage": null` on every other chunk, as the Python types do
//   toolsRequested the body offered `tools`: text and reasoning deltas carry `"tool_calls": null`
//   created       the chunks' `created`

import { hash } from '../answers.mjs';
import { idOf } from '../plan.mjs';

export const path = '/v1/chat/completions';

const FINISH = { stop: 'stop', length: 'length', tool_calls: 'tool_calls' };

// Go's encoding/json (Ollama) writes <, > and & as \u003c, \u003e, \u0026: still
// the same JSON, but a client must not look for "<think>" in the raw data line.
const goEscape = (json) => json.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

const completionId = (plan) => `chatcmpl-mock${hash(`${plan.key}\0${plan.answer}`).toString(16)}`;

export const toolCallId = (call) => `call_${idOf(call.idSeed, 'call')}`;

export const finishReason = (plan) => FINISH[plan.finish];

function usageOf(plan) {
  const { input, output, reasoning } = plan.usage;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    completion_tokens_details: { accepted_prediction_tokens: null, audio_tokens: null, reasoning_tokens: reasoning, rejected_prediction_tokens: null },
    prompt_tokens_details: null,
  };
}

/** The usage as a client ends with it: only in the stream with `include_usage`. */
export const usage = (plan) => (plan.options.includeUsage ? usageOf(plan) : null);

/** The `<think>` tags as a model emits them: each cut in two or three tokens. */
const THINK_OPEN = ['<th', 'ink>', '\n'];
const THINK_CLOSE = ['\n</', 'think', '>\n\n'];

/** The frames of a whole answer: role chunk, tokens, finish chunk, [usage chunk], [DONE]. */
export function frames(plan) {
  const o = plan.options;
  const think = plan.reasoning !== null && o.reasoningAs === 'think';
  const field = plan.reasoning !== null && !think ? o.reasoningAs || 'reasoning_content' : null;
  const stringify = think ? (value) => goEscape(JSON.stringify(value)) : JSON.stringify;
  const id = completionId(plan);
  const tail = o.includeUsage ? { usage: null } : {};
  const chunk = (choices, extra = tail) => stringify({ id, object: 'chat.completion.chunk', created: o.created, model: plan.model, system_fingerprint: 'fp_mock', choices, ...extra });
  const choice = (delta, finish = null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }];
  // The fields a delta leaves unset, written as null (only those in play, so the
  // default stream stays `{"content":"…"}`).
  const nulls = { ...(field ? { [field]: null } : {}), ...(o.toolsRequested ? { tool_calls: null } : {}) };

  const out = [{ data: chunk(choice({ role: 'assistant', content: '', refusal: null })) }];
  if (think) {
    for (const delta of THINK_OPEN) out.push({ data: chunk(choice({ content: delta })), piece: { kind: 'tag', delta } });
    for (const delta of plan.reasoning.tokens) out.push({ data: chunk(choice({ content: delta })), piece: { kind: 'reasoning', delta } });
    for (const delta of THINK_CLOSE) out.push({ data: chunk(choice({ content: delta })), piece: { kind: 'tag', delta } });
  } else if (field) {
    const rest = o.toolsRequested ? { tool_calls: null } : {};
    for (const delta of plan.reasoning.tokens) out.push({ data: chunk(choice({ content: null, [field]: delta, ...rest })), piece: { kind: 'reasoning', delta } });
  }
  for (const delta of plan.tokens) out.push({ data: chunk(choice({ content: delta, ...nulls })), piece: { kind: 'text', delta } });
  // Tool calls: the first fragment names the call (arguments ""), each next one
  // is `index` + an arguments piece; parallel calls interleave by `index`.
  const calls = new Map(plan.toolCalls.map((call) => [call.index, call]));
  const seen = new Map();
  const noText = field ? { content: null, [field]: null } : { content: null };
  for (const [j] of plan.order) {
    const call = calls.get(j);
    const k = seen.get(j) ?? 0;
    seen.set(j, k + 1);
    if (k === 0) {
      const first = { index: j, id: toolCallId(call), type: 'function', function: { name: call.name, arguments: '' } };
      out.push({ data: chunk(choice({ ...noText, tool_calls: [first] })) });
    }
    const delta = call.pieces[k];
    out.push({ data: chunk(choice({ ...noText, tool_calls: [{ index: j, function: { arguments: delta } }] })), piece: { kind: 'tool', call: j, delta } });
  }
  out.push({ data: chunk(choice({}, finishReason(plan))) });
  if (o.includeUsage) out.push({ data: chunk([], { usage: usageOf(plan) }) });
  out.push({ data: '[DONE]' });
  return out;
}

/**
 * The in-stream error, as the LiteLLM proxy sends an upstream that died
 * mid-answer (WIRE-NOTES): an `error` object with a string `code`, then
 * `[DONE]` and a clean end. No finish_reason reaches the client.
 */
export function failure(plan, at, message) {
  const error = { message, type: 'internal_server_error', code: '500' };
  return { frames: [{ data: JSON.stringify({ error }) }, { data: '[DONE]' }], finishReason: null, error };
}

/** The non-streaming `chat.completion`. */
export function body(plan) {
  const o = plan.options;
  const message = { role: 'assistant', content: plan.text, refusal: null };
  if (plan.reasoning) {
    if (o.reasoningAs === 'think') message.content = `<think>\n${plan.reasoning.text}\n</think>\n\n${plan.text}`;
    else message[o.reasoningAs || 'reasoning_content'] = plan.reasoning.text;
  }
  if (plan.toolCalls.length) {
    message.tool_calls = plan.toolCalls.map((call) => ({ id: toolCallId(call), type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  return {
    id: completionId(plan),
    object: 'chat.completion',
    created: o.created,
    model: plan.model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(plan) }],
    usage: usageOf(plan),
  };
}

/** A request-level error (429, 500) in OpenAI's shape. */
export function httpError(status, message, type, code = null) {
  return { error: { message, type, param: null, code } };
}
