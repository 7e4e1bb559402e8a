// Checks createDeltaStream through the package's JS API. Plain ES module with no
// imports, so the same file runs in Node, a page, a worker and a Vite app.
// `runDeltaChecks(sse)` takes the package's exports and returns { passed, failures }.

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// Real-shaped events of the three LLM wire formats, for the answer `answer`.
const ANSWER = 'Héllo **wörld**, a `code` span and 👍🏽 👩‍💻.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n';

function pieces(text, size) {
  const chars = Array.from(text);
  const out = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

function openaiEvents(text) {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o-mini' };
  const chunk = (delta, finish = null) => ({ data: JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }) });
  return [
    chunk({ role: 'assistant', content: '', refusal: null }),
    ...pieces(text, 3).map((content) => chunk({ content })),
    chunk({}, 'stop'),
    { data: JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } }) },
    { data: '[DONE]' },
  ];
}

function anthropicEvents(text) {
  const ev = (event, body) => ({ event, data: JSON.stringify({ type: event, ...body }) });
  return [
    ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ...pieces(text, 5).map((t) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } })),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"q": "not text"}' } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }),
    ev('message_stop', {}),
  ];
}

function responsesEvents(text) {
  let seq = 0;
  const ev = (event, body) => ({ event, data: JSON.stringify({ type: event, sequence_number: seq++, ...body }) });
  const response = { id: 'resp_1', object: 'response', status: 'in_progress', output: [] };
  return [
    ev('response.created', { response }),
    ev('response.in_progress', { response }),
    ev('response.output_item.added', { output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } }),
    ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } }),
    ...pieces(text, 4).map((delta) => ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
    ev('response.completed', { response: { ...response, status: 'completed' } }),
  ];
}

/** The events as a `text/event-stream` body. */
function wire(events) {
  return events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`).join('');
}

/** Runs a stream to its end and records what the callbacks saw. */
function record(createDeltaStream, options) {
  const seen = { flushes: [], errors: [], done: 0, after: 0 };
  const stream = createDeltaStream({
    ...options,
    onDelta: (f) => seen.flushes.push({ ...f }),
    onError: (e) => seen.errors.push(e),
    onDone: () => seen.done++,
  });
  return { stream, seen };
}

const joined = (seen) => seen.flushes.map((f) => f.delta).join('');

/** Deep equality of JSON values (key order aside). */
export function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * What a flush sequence ended with, against the outcome a wire fixture
 * (tests/wire/*.json) gives: a list of the channels that differ, and of the
 * flushes that showed what the final answer does not start with.
 */
export function wireMismatches(flushes, want) {
  const bad = [];
  const final = flushes[flushes.length - 1];
  if (!final) return ['no flush'];
  if (final.text !== want.text) bad.push({ text: final.text });
  if ((final.reasoning?.text ?? null) !== want.reasoning) bad.push({ reasoning: final.reasoning?.text });
  const calls = final.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments, input: c.input, done: c.done }));
  if (!sameJson(calls, want.toolCalls)) bad.push({ toolCalls: calls });
  if (!sameJson(final.usage, want.usage)) bad.push({ usage: final.usage });
  if (final.finishReason !== want.finishReason) bad.push({ finishReason: final.finishReason });
  // From the last restart on, every flush shows a start of the final texts.
  let from = 0;
  flushes.forEach((f, i) => f.restarted && (from = i));
  for (const f of flushes.slice(from)) {
    if (!want.text.startsWith(f.text)) bad.push({ glued: f.text });
    if (f.reasoning && !(want.reasoning ?? '').startsWith(f.reasoning.text)) bad.push({ gluedReasoning: f.reasoning.text });
    f.toolCalls.forEach((c, i) => !want.toolCalls[i]?.arguments.startsWith(c.arguments) && bad.push({ arguments: c.arguments }));
  }
  return bad;
}
const last = (seen) => seen.flushes[seen.flushes.length - 1];

export async function runDeltaChecks(sse, wires = []) {
  const { createDeltaStream } = sse;
  const failures = [];
  let passed = 0;
  const check = (name, ok, detail) => (ok ? passed++ : failures.push(detail === undefined ? { name } : { name, detail }));
  if (typeof createDeltaStream !== 'function') {
    return { passed, failures: [{ name: 'the package exports createDeltaStream' }] };
  }

  // Presets on real-shaped events, pushed one by one and fed as raw bytes.
  const encoder = new TextEncoder();
  for (const [format, events] of [
    ['openai', openaiEvents(ANSWER)],
    ['anthropic', anthropicEvents(ANSWER)],
    ['openai-responses', responsesEvents(ANSWER)],
  ]) {
    for (const markdown of ['off', 'hold', 'heal']) {
      const { stream, seen } = record(createDeltaStream, { format, markdown, flush: 'event' });
      for (const e of events) stream.pushEvent(e);
      check(`${format} (${markdown}): the deltas add up to the answer`, joined(seen) === ANSWER, joined(seen));
      check(`${format} (${markdown}): the end marker ends the stream once`, seen.done === 1 && last(seen)?.done === true && stream.closed);
      check(`${format} (${markdown}): the display after the end is the text`, last(seen)?.display === ANSWER && stream.text === ANSWER);
      check(
        `${format} (${markdown}): every display starts with the stable part of the text`,
        seen.flushes.every((f) => f.display.startsWith(f.text.slice(0, f.stableLength)) && f.display === f.text.slice(0, f.stableLength) + f.displayTail),
      );
      check(
        `${format} (${markdown}): stableLength never decreases`,
        seen.flushes.every((f, i) => i === 0 || f.stableLength >= seen.flushes[i - 1].stableLength),
      );
    }
    const bytes = encoder.encode(wire(events));
    const { stream, seen } = record(createDeltaStream, { format, flush: 'event' });
    for (let i = 0; i < bytes.length; i += 7) stream.feed(bytes.subarray(i, i + 7));
    check(`${format}: raw bytes fed 7 at a time give the answer`, joined(seen) === ANSWER && seen.done === 1, joined(seen));
    const asText = record(createDeltaStream, { format, flush: 'manual' });
    for (const unit of wire(events)) asText.stream.feed(unit);
    asText.stream.finish();
    check(`${format}: raw text fed one UTF-16 unit at a time gives the answer`, joined(asText.seen) === ANSWER, joined(asText.seen));
  }

  // Every LLM wire fixture (tests/wire), fed as raw text cut three ways, ends with
  // the channels its producer meant, and no flush shows what the end does not start with.
  check('the wire fixtures are there', wires.length >= 10, wires.length);
  for (const { name, sse: body, want } of wires) {
    for (const size of [1, 9, 1 << 20]) {
      const { stream, seen } = record(createDeltaStream, { format: want.format, flush: 'event', markdown: 'hold' });
      for (let i = 0; i < body.length; i += size) stream.feed(body.slice(i, i + size));
      if (!stream.closed) stream.finish();
      const ended = seen.errors.length ? `stream-error` : seen.done ? 'done' : 'none';
      const bad = wireMismatches(seen.flushes, want);
      check(`${name}, fed ${size} UTF-16 units at a time: every channel ends as its producer meant`, bad.length === 0, bad);
      check(`${name}, fed ${size} at a time: it ends with ${want.end}`, ended === want.end && (want.errorCode === undefined || seen.errors[0]?.code === (want.errorCode ?? undefined)), ended);
    }
  }
  // A tool call that did not change keeps its object, and its input, from one flush to the next.
  {
    const fixture = wires.find((w) => w.name === 'openai-reasoning-tools');
    const { stream, seen } = record(createDeltaStream, { format: 'openai', flush: 'event', markdown: 'off' });
    // One event per feed, so that each flush holds one event's change.
    for (const block of fixture?.sse.split('\n\n') ?? []) stream.feed(`${block}\n\n`);
    const pairs = seen.flushes.slice(1).map((f, i) => [seen.flushes[i], f]);
    const kept = pairs.some(([a, b]) => a.toolCalls.length === 2 && b.toolCalls.length === 2 && a.toolCalls[0] === b.toolCalls[0] && a.toolCalls[1] !== b.toolCalls[1]);
    const inputKept = pairs.some(([a, b]) => a.toolCalls[0] && b.toolCalls[0] && a.toolCalls[0] !== b.toolCalls[0] && a.toolCalls[0].input !== undefined && a.toolCalls[0].input !== b.toolCalls[0].input);
    check('a tool call that did not change keeps its object; one that grew gets a new one', kept && inputKept);
    const unchanged = seen.flushes.slice(1).every((f, i) => f.reasoning === null || f.reasoning.delta !== '' || f.reasoning.text === seen.flushes[i].reasoning?.text);
    check('the reasoning of a flush that added none has an empty delta and the same text', unchanged);
  }
  // restart(): the next flush says so, with every channel empty, and the answer starts over.
  {
    const fixture = wires.find((w) => w.name === 'openai-reasoning-tools');
    const { stream, seen } = record(createDeltaStream, { format: 'openai', flush: 'event', markdown: 'off' });
    if (fixture) {
      const half = fixture.sse.indexOf('call_tokyo');
      stream.feed(fixture.sse.slice(0, fixture.sse.lastIndexOf('\n\n', half) + 2));
      stream.restart();
      const r = last(seen);
      check('restart() flushes at once with restarted and every channel empty', r?.restarted === true && r.text === '' && r.reasoning === null && r.toolCalls.length === 0 && r.usage === null);
      stream.feed(fixture.sse);
      const bad = wireMismatches(seen.flushes, fixture.want);
      check('after restart() the stream ends as if it were the only attempt', bad.length === 0 && seen.done === 1, bad);
    }
  }

  // A heal display closes what is open; hold never shows the opener alone.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'heal' });
    stream.pushText('Some **bold te');
    check('heal closes open emphasis in the display', last(seen)?.display === 'Some **bold t**', last(seen)?.display);
    const held = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'hold' });
    held.stream.pushText('Some **bold te');
    check('hold shows only what renders as the final text will', held.seen.flushes.every((f) => !f.display.includes('**')), held.seen.flushes.map((f) => f.display));
    held.stream.finish();
    check('finish delivers what hold kept back', joined(held.seen) === 'Some **bold te' && last(held.seen).display === 'Some **bold te');
  }

  // math: the delimiters the renderer knows wait for their closer; others are text.
  {
    const displays = {};
    for (const math of [undefined, 'dollar', 'latex', 'both']) {
      const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'hold', math });
      stream.pushText('so $x^2 and \\(y ');
      displays[math ?? 'default'] = last(seen)?.display;
    }
    const want = { default: 'so $x^2 and \\(y', dollar: 'so ', latex: 'so $x^2 and ', both: 'so ' };
    check('math holds the delimiters it names until they close; by default $ and \\( are text', sameJson(displays, want), displays);
    let thrown = null;
    try {
      createDeltaStream({ math: true });
    } catch (e) {
      thrown = e;
    }
    check('math must be one of its four names', thrown instanceof TypeError, String(thrown));
  }

  // The last grapheme cluster waits for what may extend it, but not through a
  // pause: after a while without text it is shown.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'off' });
    stream.pushText('a👍');
    const held = last(seen)?.text;
    const until = Date.now() + 5_000;
    while (last(seen)?.text !== 'a👍' && Date.now() < until) await sleep(10);
    check('a held cluster (a lone emoji may still get a skin tone) is shown after a pause', held === 'a' && last(seen)?.text === 'a👍' && !last(seen).done, [held, last(seen)?.text]);
    stream.pushText('🏽!');
    stream.finish();
    check('what extends the shown cluster later still arrives', joined(seen) === 'a👍🏽!', joined(seen));
    const manual = record(createDeltaStream, { format: 'text', flush: 'manual', markdown: 'off' });
    manual.stream.pushText('b👍');
    manual.stream.flush();
    await sleep(300);
    check("with flush: 'manual' nothing is flushed on its own", manual.seen.flushes.length === 1 && last(manual.seen).text === 'b', manual.seen.flushes.map((f) => f.text));
    manual.stream.free();
  }

  // codeFence: the fence the display ends inside, for a highlighter.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'hold' });
    const fenceAfter = (text) => {
      stream.pushText(text);
      return last(seen)?.codeFence;
    };
    // The opening line may still be prose until it ends.
    const outside = fenceAfter('Run:\n```ts title="a.ts"');
    const inside = fenceAfter('\nconst x = 1;\n');
    const closed = fenceAfter('```\nDone ');
    check(
      'codeFence is the open fence (info and language) while the display ends inside it, null outside',
      outside === null && inside?.info === 'ts title="a.ts"' && inside.language === 'ts' && closed === null,
      [outside, inside, closed],
    );
    stream.pushText('\n```\ncode');
    const open = last(seen)?.codeFence;
    stream.finish();
    check('a fence without info has empty info and language; the last flush has none', open?.info === '' && open.language === '' && last(seen).codeFence === null, [open, last(seen).codeFence]);
    const off = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'off' });
    off.stream.pushText('```js\nlet x\n');
    check('with markdown off a flush has no codeFence', last(off.seen)?.codeFence === null);
  }

  // Surrogate pairs split between two pushed texts arrive whole.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'off' });
    const emoji = '😀';
    stream.pushText('a' + emoji[0]);
    stream.pushText(emoji[1] + 'b');
    stream.pushText('\ud83d');
    stream.finish();
    check('a surrogate pair split between texts is joined; a lone half becomes U+FFFD', joined(seen) === `a${emoji}b\ufffd`, joined(seen));
  }

  // The user-function format.
  {
    const { stream, seen } = record(createDeltaStream, {
      format: (e) => (e.event === 'token' ? JSON.parse(e.data).t : undefined),
      flush: 'event',
      markdown: 'off',
    });
    stream.pushEvent({ event: 'token', data: '{"t":"one "}' });
    stream.pushEvent({ event: 'meta', data: '{}' });
    stream.feed('event: token\ndata: {"t":"two 🎉"}\n\nevent: token\ndata: {"t":"!"}\n\n');
    check('a format function picks the text of each event', joined(seen) === 'one two 🎉' && seen.done === 0, joined(seen));
    stream.finish();
    check('a format function stream ends with finish()', joined(seen) === 'one two 🎉!' && seen.done === 1, joined(seen));
  }

  // JSON pointer format.
  {
    const { stream, seen } = record(createDeltaStream, { format: '/out/0/text', flush: 'manual', markdown: 'off' });
    stream.feed('data: {"out":[{"text":"po"}]}\n\ndata: {"out":[{"text":"inter"}]}\n\ndata: [DONE]\n\n');
    check('a JSON pointer format takes the string it names and ends at [DONE]', joined(seen) === 'pointer' && seen.done === 1, joined(seen));
  }

  // An in-stream error reaches onError, after the text so far.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'anthropic', flush: { intervalMs: 5 } });
    const events = anthropicEvents('Partial answer');
    // Up to the second delta: 'Parti', 'al an'.
    for (const e of events.slice(0, 5)) stream.pushEvent(e);
    stream.pushEvent({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' });
    stream.pushEvent(events[5]);
    await sleep(30);
    const [err] = seen.errors;
    check('an error event reaches onError as an Error with a string type', seen.errors.length === 1 && err instanceof Error && err.type === 'stream-error' && err.code === 'overloaded_error', err && { type: err.type, message: err.message });
    check('after an error: one last flush with the text so far, no onDone', last(seen)?.done === true && joined(seen) === 'Partial an' && seen.done === 0, joined(seen));
    const bad = record(createDeltaStream, { format: 'openai', flush: 'event' });
    bad.stream.feed('data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: {"choices" oops}\n\n');
    check('malformed JSON reaches onError as invalid-json', bad.seen.errors[0]?.type === 'invalid-json' && joined(bad.seen) === 'x');
  }

  // Abort: the tail is delivered during abort(), and nothing afterwards.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'openai', flush: 'frame', markdown: 'hold' });
    for (const e of openaiEvents('Stopped **here')) stream.pushEvent(e);
    // Before the first frame: nothing flushed yet.
    const before = seen.flushes.length;
    stream.abort();
    const atAbort = seen.flushes.length;
    stream.pushEvent({ data: JSON.stringify({ choices: [{ delta: { content: 'more' } }] }) });
    stream.pushText('more');
    stream.feed('data: [DONE]\n\n');
    stream.flush();
    stream.finish();
    stream.abort();
    await sleep(50);
    check('pushes are queued until a frame (no synchronous flush)', before === 0);
    check('abort() delivers everything pushed, as the last flush', atAbort === 1 && joined(seen) === 'Stopped **here' && last(seen).done && last(seen).display === 'Stopped **here', joined(seen));
    check('no callback after abort', seen.flushes.length === atAbort && seen.done === 0 && seen.errors.length === 0);
  }

  // Flush policies.
  {
    const { stream, seen } = record(createDeltaStream, { format: 'text', flush: 'event', markdown: 'off' });
    stream.pushText('ab');
    const n1 = seen.flushes.length;
    stream.pushText('cd');
    check("'event' flushes within each push", n1 === 1 && seen.flushes.length === 2 && joined(seen) === 'abc', joined(seen));
    stream.finish();

    const timed = record(createDeltaStream, { format: 'text', flush: { intervalMs: 20 }, markdown: 'off' });
    for (const t of ['a', 'b', 'c', 'd']) timed.stream.pushText(t);
    const sync = timed.seen.flushes.length;
    await sleep(60);
    check('intervalMs coalesces pushes into one later flush', sync === 0 && timed.seen.flushes.length === 1 && joined(timed.seen) === 'abc', joined(timed.seen));
    timed.stream.finish();
    check('finish delivers the rest at once', joined(timed.seen) === 'abcd' && timed.seen.done === 1);

    const framed = record(createDeltaStream, { format: 'text', markdown: 'off' });
    framed.stream.pushText('xy');
    await sleep(100);
    check("the default 'frame' policy flushes without finish()", joined(framed.seen) === 'x', joined(framed.seen));
    framed.stream.abort();

    const manual = record(createDeltaStream, { format: 'text', flush: 'manual', markdown: 'off' });
    manual.stream.pushText('mn');
    await sleep(40);
    const none = manual.seen.flushes.length;
    manual.stream.flush();
    check("'manual' flushes only on flush()", none === 0 && joined(manual.seen) === 'm');
    manual.stream.finish();
  }

  // Options are checked up front.
  for (const [what, options] of [
    ['an unknown format', { format: 'gemini' }],
    ['an invalid JSON pointer', { format: '/a~2' }],
    ['an unknown markdown mode', { markdown: 'full' }],
    ['an unknown flush policy', { flush: 'never' }],
  ]) {
    let threw;
    try {
      createDeltaStream(options);
    } catch (e) {
      threw = e;
    }
    check(`${what} throws a TypeError`, threw instanceof TypeError);
  }

  return { passed, failures };
}
