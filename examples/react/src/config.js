// The mock LLM server (examples/server): VITE_LLM_URL (its origin) at build
// time, or in the page's URL ?llm=http://host:port (an origin) or ?api=URL (the
// whole endpoint). ?scenario=drop presets the scenario menu.
const query = new URLSearchParams(location.search);
const base = query.get('llm') ?? import.meta.env.VITE_LLM_URL ?? 'http://127.0.0.1:8787';

export const CHAT_URL = query.get('api') ?? `${base.replace(/\/+$/, '')}/v1/chat/completions`;
export const SCENARIOS = ['normal', 'drop', '429', '500', 'stall'];
export const INITIAL_SCENARIO = SCENARIOS.includes(query.get('scenario')) ? query.get('scenario') : 'normal';

/** Headers for the mock server: the scenario, and a fresh key per request so
 * that its fault scenarios (which fail a key's first attempts) apply again. */
export function mockHeaders(scenario) {
  const key = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return scenario === 'normal' ? { 'X-Mock-Key': key } : { 'X-Mock-Scenario': scenario, 'X-Mock-Key': key };
}

/** The page state for tests and CSS: idle, streaming, done, stopped or error. */
export function pageState(status) {
  if (status === 'connecting' || status === 'streaming' || status === 'retrying') return 'streaming';
  return status;
}
