// Every check of the package's JS API, run the same way in each fixture (Node,
// a page, a module worker, a Vite build, ...): the shared parser conformance
// cases, the parser API, createDeltaStream, and fetchEventSource against the
// local test server at `server`. Returns { part: { passed, failures } }.
import { runClientChecks } from './client-checks.js';
import { runApiChecks, runConformance } from './conformance.js';
import { runDeltaChecks, wireMismatches } from './delta-checks.js';

export async function runAllChecks(sse, { cases, wires, server }) {
  return {
    conformance: runConformance(sse.createParser, cases),
    api: await runApiChecks(sse),
    delta: await runDeltaChecks(sse, wires),
    client: await runClientChecks(sse, server, wires, wireMismatches),
  };
}

/** The checks that apply to `wasm-sse/parser`, the parser-only entry. */
export async function runParserChecks(sse, { cases }) {
  return { conformance: runConformance(sse.createParser, cases), api: await runApiChecks(sse) };
}

/**
 * What the package does when used before its wasm is in (call it right after
 * the import, before awaiting `ready`): the synchronous constructors throw the
 * typed not-ready error, and fetchEventSource waits by itself.
 */
export function beforeReady(sse) {
  const early = { readyIsPromise: sse.ready instanceof Promise, errors: {} };
  for (const [name, make] of [
    ['createParser', () => sse.createParser({})],
    ['createDeltaStream', () => sse.createDeltaStream({})],
    ['EventSourceParserStream', () => new sse.EventSourceParserStream()],
  ]) {
    try {
      make();
      early.errors[name] = 'did not throw';
    } catch (error) {
      early.errors[name] = `${error.name} ${error.type}: ${error.message}`;
    }
  }
  return early;
}
