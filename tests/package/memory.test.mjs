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

test('every stream gives its wasm memory back: 3,000 streams that end, are aborted while a read waits, or stop on a throwing callback, fetch or headers function', async () => {
  const encoder = new TextEncoder();
  // Three events; the body then ends, or stays open (a read waits on it).
  const respond = (ends) => async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (let i = 1; i <= 3; i++) controller.enqueue(encoder.encode(`id: ${i}\ndata: ${i} é\n\n`));
          if (ends) controller.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  const url = 'http://127.0.0.1:9/unused';
  const ways = [
    () => sse.fetchEventSource(url, { fetch: respond(true), onmessage() {} }),
    () => {
      const controller = new AbortController();
      return sse.fetchEventSource(url, {
        fetch: respond(false),
        signal: controller.signal,
        onmessage: (m) => m.id === '3' && setTimeout(() => controller.abort(), 0),
      });
    },
    // @microsoft/fetch-event-source's way to stop: onerror rethrows.
    () =>
      sse
        .fetchEventSource(url, {
          fetch: respond(false),
          onmessage() {
            throw new Error('stop here');
          },
          onerror(error) {
            throw error;
          },
        })
        .catch((error) => assert.equal(error.message, 'stop here')),
    () =>
      sse
        .fetchEventSource(url, {
          fetch: respond(true),
          onopen() {
            throw new Error('not this one');
          },
          onerror(error) {
            throw error;
          },
        })
        .catch((error) => assert.equal(error.message, 'not this one')),
    // A fetch and a headers function that throw rather than reject.
    () =>
      sse
        .fetchEventSource(url, {
          fetch() {
            throw new Error('no network here');
          },
          maxRetries: 0,
        })
        .catch((error) => assert.equal(error.type, 'max-retries')),
    () =>
      sse
        .fetchEventSource(url, {
          fetch: respond(true),
          headers() {
            throw new Error('no token');
          },
          onerror(error) {
            throw error;
          },
        })
        .catch((error) => assert.equal(error.message, 'no token')),
  ];
  const streams = async (n) => {
    for (let k = 0; k < n; k++) await ways[k % ways.length]();
  };
  // The JS values that wasm holds (callbacks, readers, promises) sit in
  // wasm-bindgen's table of references, whose free slots are reused: a value
  // kept per stream makes it longer. Bytes kept show as the memory growing
  // only when the allocator runs out of freed room, so the table is the
  // sharper witness.
  const references = () => wasm.__wbindgen_externrefs.length;
  await streams(300);
  const warm = { memory: wasm.memory.buffer.byteLength, references: references() };
  await streams(3000);
  const end = { memory: wasm.memory.buffer.byteLength, references: references() };
  assert.ok(end.references - warm.references <= 64, `wasm held ${end.references - warm.references} more JS values after 3,000 streams`);
  assert.ok(end.memory - warm.memory <= 1 << 17, `the wasm memory grew from ${warm.memory} to ${end.memory} bytes over 3,000 streams`);
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
