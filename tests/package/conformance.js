// Runs the shared parser conformance cases (tests/conformance/cases.json)
// through the package's JS API. Plain ES module with no imports, so the same file
// runs in Node, a page, a worker and a Vite app. Returns { passed, failures }.

function chunkOf(chunk) {
  if (typeof chunk === 'string') return chunk;
  const bytes = new Uint8Array(chunk.hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(chunk.hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

const encoder = new TextEncoder();
const asBytes = (chunk) => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk);

function parseAll(createParser, chunks) {
  const items = [];
  const parser = createParser({
    onEvent: (e) => items.push(['event', e.event, e.data, e.id]),
    onRetry: (ms) => items.push(['retry', ms]),
    onComment: (text) => items.push(['comment', text]),
    onError: (error) => items.push(['error', error.type]),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return items;
}

// Every way a user may hand over the same input.
function variants(chunks) {
  const bytes = chunks.map(asBytes);
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  bytes.reduce((at, b) => (all.set(b, at), at + b.length), 0);
  const out = { 'as given': chunks, 'one byte at a time': [...all].map((b) => Uint8Array.of(b)) };
  out['as ArrayBuffers'] = bytes.map((b) => b.slice().buffer);
  if (chunks.every((c) => typeof c === 'string')) {
    // One UTF-16 unit at a time splits every surrogate pair.
    out['one UTF-16 unit at a time'] = chunks.join('').split('');
  }
  return out;
}

export function runConformance(createParser, cases) {
  const failures = [];
  let passed = 0;
  for (const testCase of cases) {
    const chunks = testCase.chunks.map(chunkOf);
    for (const [how, input] of Object.entries(variants(chunks))) {
      const got = parseAll(createParser, input);
      if (JSON.stringify(got) === JSON.stringify(testCase.items)) passed++;
      else failures.push({ name: `${testCase.name} (${how})`, got, want: testCase.items });
    }
  }
  return { passed, failures };
}

/** Behaviour of the JS layer itself, beyond the cases. */
export async function runApiChecks({ createParser, EventSourceParserStream, ParseError }) {
  const failures = [];
  const check = (name, ok) => (ok ? 0 : failures.push({ name }));

  const seen = [];
  const p = createParser({ onEvent: (e) => seen.push(e.data) });
  p.feed('data: a\n\ndata: b');
  p.reset({ consume: true });
  check('reset({ consume: true }) dispatches the unfinished event', seen.join() === 'a,b');
  p.feed('data: c');
  p.reset();
  p.feed('\n\n');
  check('reset() discards the unfinished event', seen.join() === 'a,b');

  const order = [];
  const thrower = createParser({
    onEvent: (e) => {
      order.push(e.data);
      if (e.data === '1') throw new Error('boom');
    },
  });
  let thrown;
  try {
    thrower.feed('data: 1\n\ndata: 2\n\n');
  } catch (e) {
    thrown = e;
  }
  check('a throwing callback does not lose the rest of the chunk', order.join() === '1,2' && thrown?.message === 'boom');

  const reentrant = [];
  const r = createParser({
    onEvent: (e) => {
      reentrant.push(e.data);
      if (e.data === 'x') r.reset();
    },
  });
  r.feed('data: x\n\ndata: y\n\n');
  check('reset() inside a callback stops the rest of the batch', reentrant.join() === 'x');

  const errors = [];
  const limited = createParser({ onEvent: (e) => errors.push(e.data), onError: (e) => errors.push(e) }, { maxBufferSize: 8 });
  limited.feed('data: far too long\n\ndata: ok\n\n');
  check(
    'maxBufferSize turns a long line into a typed ParseError',
    errors[0] instanceof ParseError && errors[0].type === 'max-buffer' && errors[0].limit === 8 && errors[1] === 'ok',
  );

  // Without the option the limit is the default, 32 MiB: memory stays bounded.
  const bounded = [];
  const byDefault = createParser({ onEvent: (e) => bounded.push(e.data.length), onError: (e) => bounded.push(e) });
  const line = 'x'.repeat(1 << 20);
  byDefault.feed('data: ');
  for (let i = 0; i < 33; i++) byDefault.feed(line);
  byDefault.feed('\n\ndata: ok\n\n');
  check('by default a line past 32 MiB is a max-buffer ParseError', bounded[0]?.type === 'max-buffer' && bounded[0].limit === 32 * 1024 * 1024 && bounded[1] === 2, bounded.map(String));
  const unlimited = [];
  const none = createParser({ onEvent: (e) => unlimited.push(e.data.length) }, { maxBufferSize: 0 });
  none.feed('data: ');
  for (let i = 0; i < 33; i++) none.feed(line);
  none.feed('\n\n');
  check('maxBufferSize: 0 means no limit', unlimited[0] === 33 << 20, unlimited);

  let typeError = false;
  try {
    createParser(() => {});
  } catch (e) {
    typeError = e instanceof TypeError;
  }
  check('createParser rejects a bare function with a TypeError', typeError);

  const body = new ReadableStream({
    start(controller) {
      const bytes = encoder.encode('id: 1\ndata: é🎉\n\nevent: x\ndata: 2\n\ndata: unfinished');
      for (const b of bytes) controller.enqueue(Uint8Array.of(b));
      controller.close();
    },
  });
  const events = [];
  const reader = body.pipeThrough(new EventSourceParserStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    events.push(value);
  }
  check(
    'EventSourceParserStream turns bytes into events and drops an unfinished one',
    JSON.stringify(events) === JSON.stringify([{ id: '1', event: 'message', data: 'é🎉' }, { id: '1', event: 'x', data: '2' }]),
  );

  const terminating = new ReadableStream({
    start(controller) {
      controller.enqueue('data: 123456789\n\n');
      controller.close();
    },
  }).pipeThrough(new EventSourceParserStream({ onError: 'terminate', maxBufferSize: 4 }));
  let streamError;
  try {
    await terminating.getReader().read();
  } catch (e) {
    streamError = e;
  }
  check("onError: 'terminate' errors the stream", streamError?.type === 'max-buffer');

  return { passed: 8 - failures.length, failures };
}
