// The timing loops of the channels bench, shared by Node and the browser
// bundle: no Node or DOM APIs here, only performance.now().
//
// Both follow ../parser/measure.mjs: `warmup` unmeasured runs per contestant
// (JIT and wasm tier-up), then `runs` measured runs going round-robin with the
// starting contestant rotating, so slow drift of the machine spreads over all
// of them; garbage is collected before each run, outside the timing, when the
// engine allows it. What each contestant delivered is checked after its last
// run, outside the timing.

import { buildStreams } from '../parser/streams.mjs';
import { AI_SDK, deepEqual, feedAnswer, firstDifference, wasmSseToolInput } from './contestants.mjs';
import { TOOL_DELTAS, anthropicAnswer, cutBytes, openaiReasoningAnswer, toolCallStream, utf8 } from './streams.mjs';

export const CHUNK_SIZES = [16 * 1024, 256];
/** Answers per run for the generated answers: about 100k events, as the chat stream has. */
export const REPEAT = 40;
/** Points of the per-delta curve, as shares of the deltas, and the window around each. */
export const CURVE_POINTS = [0.1, 0.25, 0.5, 0.75, 1];
export const CURVE_WINDOW = 51;
/** Passes over the tool-call stream per run: one pass takes milliseconds, so
 * one run of it would be at the mercy of a single hiccup of the machine; the
 * report takes the median over every pass. */
export const TOOL_PASSES = 4;

const yieldToEventLoop = () => new Promise((ok) => setTimeout(ok, 0));

// ---------------------------------------------------------------- channel cost

/** The 100k-event chat stream of the parser bench, and what it holds. */
function chatAnswer() {
  const [chat] = buildStreams({ docEvents: 0 }).filter((s) => s.name === 'chat-lf');
  const bytes = new Uint8Array(chat.bytes);
  let at = 0;
  for (const c of chat.chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  let text = '';
  for (const block of new TextDecoder().decode(bytes).split('\n\n')) {
    const data = block.startsWith('data: ') ? block.slice(6) : null;
    if (data && data !== '[DONE]') text += JSON.parse(data).choices[0]?.delta?.content ?? '';
  }
  return {
    name: 'chat',
    title: `${chat.title} (the parser bench's stream, text only)`,
    format: 'openai',
    bytes,
    events: chat.expected.events,
    repeat: 1,
    truth: { text, reasoning: null, toolCalls: [], usage: null, finishReason: 'stop' },
  };
}

/** The three answers of the channel-cost table, each cut at every chunk size. */
export function channelCases() {
  const answers = [
    chatAnswer(),
    ...[anthropicAnswer(), openaiReasoningAnswer()].map(({ text, ...a }) => ({ ...a, bytes: utf8(text), repeat: REPEAT })),
  ];
  return answers.flatMap(({ bytes, ...answer }) =>
    CHUNK_SIZES.map((chunkSize) => ({ ...answer, chunkSize, size: bytes.length, chunks: cutBytes(bytes, chunkSize) })),
  );
}

/**
 * @param {{ builds: ({ name: string, createDeltaStream: Function, textOnly: boolean } | { name: string, missing: string })[],
 *   runs: number, warmup: number, gc?: () => void, log?: (line: string) => void }} opts
 * @returns {Promise<object[]>} per case: its description and, per build, the
 *   times in ms, or `missing`, or `failed`; `problems` for what it delivered.
 */
export async function measureChannelCost({ builds, runs, warmup, gc = () => {}, log = () => {} }) {
  const results = [];
  for (const c of channelCases()) {
    const { chunks, truth, ...described } = c;
    const rows = builds.map((b) => ({ name: b.name, times: [], missing: b.missing, problems: [] }));
    const live = builds.map((b, i) => [b, rows[i]]).filter(([b]) => !b.missing);
    const once = (b) => {
      gc();
      const t0 = performance.now();
      let last;
      for (let r = 0; r < c.repeat; r++) last = feedAnswer(b.createDeltaStream, c.format, chunks);
      return { ms: performance.now() - t0, last };
    };
    for (const [b, row] of live) {
      try {
        for (let i = 0; i < warmup; i++) once(b);
      } catch (err) {
        row.failed = String(err?.stack ?? err);
      }
    }
    const ready = live.filter(([, row]) => !row.failed);
    const lasts = new Map();
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < ready.length; k++) {
        const [b, row] = ready[(k + r) % ready.length];
        const { ms, last } = once(b);
        row.times.push(ms);
        lasts.set(b, last);
      }
      await yieldToEventLoop();
    }
    for (const [b, row] of ready) row.problems = checkAnswer(lasts.get(b), truth, b.textOnly);
    const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
    log(`${c.name}/${c.chunkSize} B: ${ready.map(([b, row]) => `${b.name} ${median(row.times).toFixed(1)} ms`).join(', ')}`);
    results.push({ case: { ...described, chunkCount: chunks.length }, rows });
  }
  return results;
}

/** What the last flush of an answer holds against the truth; a text-only build is checked on the text alone. */
function checkAnswer(last, truth, textOnly) {
  if (!last) return ['no flush at all'];
  const problems = [];
  if (!last.done) problems.push('the last flush is not done');
  if (last.text !== truth.text) problems.push(`text of ${last.text.length} units, expected ${truth.text.length}`);
  if (textOnly) return problems;
  if ((last.reasoning?.text ?? null) !== truth.reasoning) {
    problems.push(`reasoning of ${last.reasoning?.text.length ?? 'null'} units, expected ${truth.reasoning?.length ?? 'null'}`);
  }
  if (last.toolCalls.length !== truth.toolCalls.length) problems.push(`${last.toolCalls.length} tool calls, expected ${truth.toolCalls.length}`);
  truth.toolCalls.forEach((want, i) => {
    const got = last.toolCalls[i];
    if (!got) return;
    if (got.id !== want.id || got.name !== want.name) problems.push(`tool call ${i} is ${got.id} ${got.name}, expected ${want.id} ${want.name}`);
    if (got.arguments !== want.arguments) problems.push(`tool call ${i}: arguments of ${got.arguments.length} units, expected ${want.arguments.length}`);
    if (!got.done) problems.push(`tool call ${i} not done`);
    const diff = firstDifference(got.input, want.input);
    if (diff) problems.push(`tool call ${i}: input differs from JSON.parse(arguments) at ${diff}`);
  });
  if (!deepEqual(last.usage, truth.usage)) problems.push(`usage ${JSON.stringify(last.usage)}, expected ${JSON.stringify(truth.usage)}`);
  if (last.finishReason !== truth.finishReason) problems.push(`finishReason ${last.finishReason}, expected ${truth.finishReason}`);
  return problems;
}

// ---------------------------------------------------------------- tool input

/** Delta ranges [from, to] (inclusive) of CURVE_WINDOW deltas around each curve point. */
export function curveWindows(n = TOOL_DELTAS) {
  return CURVE_POINTS.map((p) => {
    const centre = Math.round(p * n) - 1;
    const from = Math.max(0, Math.min(n - CURVE_WINDOW, centre - (CURVE_WINDOW >> 1)));
    return { share: p, from, to: from + CURVE_WINDOW - 1 };
  });
}

/**
 * The tool-call stream through the AI SDK's way and wasm-sse's.
 * @param {{ createDeltaStream?: Function, missing?: string, runs: number, warmup: number,
 *   gc?: () => void, log?: (line: string) => void }} opts
 * @returns {Promise<{ stream: object, windows: object[], rows: object[], problems: string[], passes: number }>}
 *   per contestant: total ms and ns per delta in each window, per pass.
 */
export async function measureToolInput({ createDeltaStream, missing, runs, warmup, gc = () => {}, log = () => {} }) {
  const stream = toolCallStream();
  const windows = curveWindows();
  const contestants = [AI_SDK, createDeltaStream ? wasmSseToolInput(createDeltaStream) : { name: 'wasm-sse', missing }];
  const rows = contestants.map((c) => ({ name: c.name, totals: [], curves: [], missing: c.missing }));
  const stamps = new Float64Array(stream.chunks.length + 1);
  const once = async (c) => {
    gc();
    const value = await c.run(stream.chunks, stamps);
    const at = (k) => stamps[stream.deltaChunks[k]];
    return {
      value,
      total: stamps[stream.chunks.length] - stamps[0],
      // From before a window's first delta to after its last.
      curve: windows.map((w) => ((stamps[stream.deltaChunks[w.to] + 1] - at(w.from)) * 1e6) / (w.to - w.from + 1)),
    };
  };
  const live = contestants.map((c, i) => [c, rows[i]]).filter(([c]) => !c.missing);
  for (const [c, row] of live) {
    try {
      for (let i = 0; i < warmup; i++) await once(c);
    } catch (err) {
      row.failed = String(err?.stack ?? err);
    }
  }
  const ready = live.filter(([, row]) => !row.failed);
  const finals = new Map();
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < ready.length; k++) {
      const [c, row] = ready[(k + r) % ready.length];
      for (let p = 0; p < TOOL_PASSES; p++) {
        const { value, total, curve } = await once(c);
        row.totals.push(total);
        row.curves.push(curve);
        finals.set(row, value);
      }
    }
    await yieldToEventLoop();
  }
  // Outside the timing: every contestant ends with JSON.parse of the whole
  // arguments, hence with the same value as the others.
  const problems = [];
  for (const [, row] of ready) {
    const diff = firstDifference(finals.get(row), stream.args.value);
    if (diff) problems.push(`${row.name}: final input differs from JSON.parse(arguments) at ${diff}`);
  }
  if (ready.length === 2 && !deepEqual(finals.get(ready[0][1]), finals.get(ready[1][1]))) {
    problems.push(`the two contestants end with different values: ${firstDifference(finals.get(ready[0][1]), finals.get(ready[1][1]))}`);
  }
  log(`tool input: ${ready.map(([, row]) => `${row.name} ${[...row.totals].sort((a, b) => a - b)[row.totals.length >> 1].toFixed(1)} ms`).join(', ')}`);
  return {
    stream: { chunks: stream.chunks.length, bytes: stream.bytes, deltas: TOOL_DELTAS, argumentsBytes: utf8(stream.args.text).length },
    windows,
    rows,
    problems,
    passes: TOOL_PASSES,
  };
}
