// Bounded memory, through the built package in Node: the wasm's linear memory
// (which only ever grows) stays where it was after a warm-up while a long
// stream goes through fetchEventSource, and the parser's default limit turns
// an endless line into the typed max-buffer error. (fetchEventSource's own
// default limit is one of the client checks, in every environment.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const pkg = join(new URL('../..', import.meta.url).pathname, 'pkg');
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024;

let sse;
let wasm;
before(async () => {
  assert.ok(existsSync(join(pkg, 'node.js')), 'pkg/ is missing: run `make build` first');
  sse = await import(pathToFileURL(join(pkg, 'node.js')).href);
  // node.js has instantiated the wasm already: initSync hands back that
  // instance's exports (its memory among them) and loads nothing.
  const { initSync } = await import(pathToFileURL(join(pkg, 'wasm_sse.js')).href);
  wasm = initSync({ module: readFileSync(join(pkg, 'wasm_sse_bg.wasm')) });
});

/** An event stream of `total` events with ids, types and multi-byte data, made as it is read. */
function longStream(total) {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i >= total) return controller.close();
      let text = '';
      for (let k = 0; k < 500 && i < total; k++) {
        i++;
        text += `id: ${i}\nevent: e${i % 7}\ndata: {"n":${i},"pad":"${'é'.repeat(i % 40)}"}\n\n`;
      }
      controller.enqueue(encoder.encode(text));
      return undefined;
    },
  });
}

test('the wasm memory does not grow over a long stream once warm (200,000 events, about 15 MB)', async () => {
  const total = 200_000;
  const warmAt = 20_000;
  let warm;
  let count = 0;
  await sse.fetchEventSource('http://127.0.0.1:9/unused', {
    fetch: async () => new Response(longStream(total), { headers: { 'content-type': 'text/event-stream' } }),
    onmessage() {
      if (++count === warmAt) warm = wasm.memory.buffer.byteLength;
    },
  });
  assert.equal(count, total);
  const end = wasm.memory.buffer.byteLength;
  // Anything kept per event shows: 16 bytes each would add about 3 MB here.
  assert.ok(end - warm <= 1 << 20, `the wasm memory grew from ${warm} to ${end} bytes over ${total - warmAt} events`);
});

test('createParser with default options drops a line over 32 MiB with a typed max-buffer error', () => {
  const errors = [];
  const events = [];
  const parser = sse.createParser({ onEvent: (e) => events.push(e.data), onError: (e) => errors.push(e) });
  const mebibyte = 'x'.repeat(1 << 20);
  parser.feed('data: ');
  for (let i = 0; i < 33; i++) parser.feed(mebibyte);
  parser.feed('\n\ndata: after\n\n');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].type, 'max-buffer');
  assert.equal(errors[0].limit, DEFAULT_MAX_BUFFER);
  assert.deepEqual(events, ['after']);
});
