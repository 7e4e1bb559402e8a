// A Node script: every entry that runs in Node, typed without the DOM lib.
import { readFile } from 'node:fs/promises';
import {
  EventSourceParserStream,
  FetchEventSourceError,
  createDeltaStream,
  createParser,
  fetchEventSource,
  ready,
  type FetchEventSourceHeaders,
  type FetchEventSourceInit,
} from 'wasm-sse';
import * as parser from 'wasm-sse/parser';
import { init, initSync } from 'wasm-sse/slim';
import { exactly } from '../expect.js';

await ready;
const headers: FetchEventSourceHeaders[] = [{ 'X-Key': 'k' }, new Headers(), [['X-Key', 'k']]];
for (const each of headers) await fetchEventSource('http://127.0.0.1:8080/events', { headers: each });
const options: FetchEventSourceInit = {
  method: 'POST',
  body: JSON.stringify({ stream: true }),
  headers: async () => ({ Authorization: `Bearer ${process.env['TOKEN'] ?? ''}` }),
  signal: AbortSignal.timeout(60_000),
  fetch: (input, init) => fetch(input, init),
  onopen: async (response) => void exactly<Response>()(response),
  onerror(error) {
    if (error instanceof FetchEventSourceError && error.resumable === false) throw error;
  },
  delta: { format: 'openai', flush: 'event', onDelta: ({ delta }) => process.stdout.write(delta) },
};
await fetchEventSource(new URL('http://127.0.0.1:8080/v1/chat/completions'), options);
await fetchEventSource(new Request('http://127.0.0.1:8080/events'));

const response = await fetch('http://127.0.0.1:8080/events');
if (response.body) {
  for await (const { data } of response.body.pipeThrough(new EventSourceParserStream())) console.log(data);
}
createParser({ onEvent: ({ data }) => console.log(data) }).feed(new Uint8Array(0));
parser.createParser({ onError: (error) => console.error(error.type) }).feed(Buffer.from('data: x\n\n'));
const stream = createDeltaStream({ format: '/delta', flush: 'manual' });
stream.feed(Buffer.from('data: {"delta":"x"}\n\n'));
stream.finish();

const wasm = await readFile(new URL(import.meta.resolve('wasm-sse/slim').replace('slim.js', 'wasm_sse_bg.wasm')));
initSync(wasm);
await init(new Uint8Array(wasm));
