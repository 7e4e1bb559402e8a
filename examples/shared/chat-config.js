// The chat settings the React and Vue examples share: where the mock LLM
// server is, the scenario menu, the request body, and how to show usage and errors.
// The mock LLM server (examples/server): VITE_LLM_URL (its origin) at build
// time, or in the page's URL ?llm=http://host:port (an origin) or ?api=URL (the
// whole endpoint). ?scenario=drop presets the scenario menu.
const query = new URLSearchParams(location.search);
const base = query.get('llm') ?? import.meta.env.VITE_LLM_URL ?? 'http://127.0.0.1:8787';

export const CHAT_URL = query.get('api') ?? `${base.replace(/\/+$/, '')}/v1/chat/completions`;
export const SCENARIOS = ['normal', 'drop', 'drop-no-ids', '429', '500', 'stall'];
export const INITIAL_SCENARIO = SCENARIOS.includes(query.get('scenario')) ? query.get('scenario') : 'normal';

// The mock server's headers for a scenario of the menu (by default, its name).
const SCENARIO_HEADERS = {
  normal: {},
  // No `id:` fields, as the real APIs: a drop cannot be resumed.
  'drop-no-ids': { 'X-Mock-Scenario': 'drop', 'X-Mock-Ids': '0' },
};

/** A fresh conversation key, one per send: the mock server's fault scenarios
 * fail a key's first attempts, so the retries of that send then succeed. */
export function newKey() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Headers for the mock server: the scenario and the send's key. */
export function mockHeaders(scenario, key) {
  return { 'X-Mock-Key': key, ...(SCENARIO_HEADERS[scenario] ?? { 'X-Mock-Scenario': scenario }) };
}

// Offered to the model with every request, as a client with tools does: the mock
// server calls it when the prompt asks for the weather.
export const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather forecast for a city, by the hour.',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer', minimum: 1, maximum: 7 },
        },
        required: ['city'],
      },
    },
  },
];

/** The chat completions body: useChat's default, plus reasoning, the usage at
 * the end and the tools, asked for as real clients do. */
export function chatBody(_messages, body) {
  return { ...body, stream_options: { include_usage: true }, reasoning_effort: 'low', tools: TOOLS };
}

/** The token counts of a usage object, whichever provider spelled it; null if none. */
export function usageCounts(usage) {
  if (!usage) return null;
  const input = usage.prompt_tokens ?? usage.input_tokens ?? usage.inputTokens ?? null;
  const output = usage.completion_tokens ?? usage.output_tokens ?? usage.outputTokens ?? null;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens ?? usage.reasoningTokens ?? null;
  return { input, output, reasoning };
}

/** The usage as a line: `12 in · 150 out (40 reasoning)`, or '—'. */
export function usageText(usage) {
  const n = usageCounts(usage);
  if (!n) return '—';
  return `${n.input ?? '?'} in · ${n.output ?? '?'} out${n.reasoning ? ` (${n.reasoning} reasoning)` : ''}`;
}

/** What to tell the user about a failed turn. */
export function errorText(error) {
  if (error?.resumable === false) {
    // A POST whose events had no ID: sending it again would start (and bill) a
    // second answer, so the client stopped. What arrived stays on screen.
    return 'The connection dropped and the stream could not be resumed: the server sent no event IDs, and sending the request again would start a new answer. The partial answer is above.';
  }
  return error?.message ?? String(error);
}

/** Pretty JSON of a tool call's input so far ('' before it begins). */
export function inputText(input) {
  return input === undefined ? '' : JSON.stringify(input, null, 2);
}

/** The page state for tests and CSS: idle, streaming, done, stopped or error. */
export function pageState(status) {
  if (status === 'connecting' || status === 'streaming' || status === 'retrying') return 'streaming';
  return status;
}
