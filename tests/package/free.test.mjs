// free() and [Symbol.dispose] of the objects that hold wasm memory
// (createParser, createDeltaStream, EventSourceParserStream at its end), on
// the built package (pkg/, from `make build`) in Node. wasm-bindgen registers
// no finalizer, so free() is the only release: the wasm memory after 10,000
// objects created, used and freed must stay where it was (a size, not a time),
// and a control without free() shows that the measure sees a leak.
// Run: node --test tests/package/free.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventSourceParserStream, createDeltaStream, createParser } from '../../pkg/node.js';
// The instance node.js loaded: initSync returns it when there is one.
import { initSync } from '../../pkg/wasm_sse.js';

const memory = initSync().memory;
const wasmBytes = () => memory.buffer.byteLength;

const COUNT = 10_000;
// One wasm page: the allocator may take one more for its own bookkeeping.
const SLACK = 64 * 1024;
// An event, and the start of one that stays in the parser's buffers.
const CHUNK = new TextEncoder().encode(`data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: ${'x'.repeat(200)}`);

/** Wasm memory growth over `count` rounds of `round`, after a warm-up of 100. */
function growth(count, round) {
  for (let i = 0; i < 100; i++) round();
  const before = wasmBytes();
  for (let i = 0; i < count; i++) round();
  return wasmBytes() - before;
}

const parserRound = (free) => () => {
  let events = 0;
  const parser = createParser({ onEvent: () => events++ });
  parser.feed(CHUNK);
  assert.equal(events, 1);
  if (free) parser.free();
};

test('wasm memory stays flat over 10,000 parsers created, fed and freed', () => {
  assert.ok(growth(COUNT, parserRound(true)) <= SLACK);
});

test('wasm memory stays flat over 10,000 parsers disposed with Symbol.dispose', () => {
  const grew = growth(COUNT, () => {
    const parser = createParser({ onEvent() {} });
    parser.feed(CHUNK);
    parser[Symbol.dispose]();
  });
  assert.ok(grew <= SLACK, `grew ${grew} bytes`);
});

test('wasm memory stays flat over 10,000 delta streams freed before their end', () => {
  for (const format of ['openai', ({ data }) => data]) {
    const grew = growth(COUNT, () => {
      const stream = createDeltaStream({ format, flush: 'manual' });
      stream.feed(CHUNK);
      stream.flush();
      stream.free();
    });
    assert.ok(grew <= SLACK, `${typeof format === 'string' ? format : 'a format function'}: grew ${grew} bytes`);
  }
});

test('an EventSourceParserStream frees its parser when the stream ends', async () => {
  const round = async () => {
    const events = [];
    const readable = new Blob([CHUNK, '\n\n']).stream().pipeThrough(new EventSourceParserStream());
    for await (const event of readable) events.push(event);
    assert.equal(events.length, 2);
  };
  for (let i = 0; i < 100; i++) await round();
  const before = wasmBytes();
  for (let i = 0; i < 2_000; i++) await round();
  assert.ok(wasmBytes() - before <= SLACK);
});

test('a freed parser delivers nothing more and refuses to be fed; free twice is harmless', () => {
  const seen = [];
  const parser = createParser({
    onEvent(event) {
      seen.push(event.data);
      if (event.data === 'stop') parser.free();
    },
  });
  parser.feed('data: one\n\ndata: stop\n\ndata: never\n\n');
  assert.deepEqual(seen, ['one', 'stop']);
  assert.throws(() => parser.feed('data: more\n\n'), TypeError);
  assert.throws(() => parser.reset(), TypeError);
  parser.free();
  assert.equal(parser[Symbol.dispose], parser.free);
});

test('a freed delta stream calls nothing afterwards, not even a last onDelta', () => {
  const flushes = [];
  const stream = createDeltaStream({ format: 'openai', flush: 'manual', onDelta: (f) => flushes.push(f.delta), onDone: () => flushes.push('done') });
  stream.feed('data: {"choices":[{"delta":{"content":"held"}}]}\n\n');
  stream.free();
  stream.flush();
  stream.finish();
  stream.free();
  assert.deepEqual(flushes, []);
  assert.equal(stream.closed, true);
  assert.equal(stream[Symbol.dispose], stream.free);
});

// Last: it leaks on purpose.
test('without free() the same parsers grow wasm memory (the measure sees a leak)', () => {
  assert.ok(growth(COUNT, parserRound(false)) > 10 * SLACK);
});
