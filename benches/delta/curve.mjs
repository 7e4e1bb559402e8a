// Work per flush on one long answer (issue 11: it must not grow with the
// answer). A 200 KB answer, made of the corpus answers one after another, is
// streamed in 20-byte deltas with a flush after each; the time of each step
// (push, flush, and what a UI reads: the display tail for wasm-sse, remend's
// whole healed text) is averaged over the flushes around 1 KB, 50 KB and 200 KB.
// remend re-reads the whole answer at every call, so its cost grows with it.

const DELTA_BYTES = 20;
/** Where the curve is read, in bytes of answer so far. */
export const CURVE_POINTS = [1_000, 50_000, 200_000];
// Flushes averaged up to each point (the first point is 50 flushes in).
const WINDOW = 50;

/** `docs` ([name, text]) joined by blank lines, repeated, cut to `size` characters. */
export function longAnswer(docs, size) {
  let text = '';
  while (text.length < size) for (const [, doc] of docs) text += `${doc}\n\n`;
  return text.slice(0, size);
}

/** Median over `runs` of the mean µs per step in each window; rows per contestant. */
export function measureCurve({ text, createDeltaStream, remend, runs = 3 }) {
  const pieces = [];
  for (let i = 0; i < text.length; i += DELTA_BYTES) pieces.push(text.slice(i, i + DELTA_BYTES));
  const contestants = { remend: () => remendSteps(remend) };
  if (createDeltaStream) {
    for (const markdown of ['hold', 'heal']) contestants[`wasm-sse ${markdown}`] = () => wasmSteps(createDeltaStream, markdown);
  }
  const rows = [];
  for (const [name, start] of Object.entries(contestants)) {
    const perRun = [];
    for (let r = 0; r < runs; r++) perRun.push(windows(time(pieces, start())));
    rows.push({ name, us: CURVE_POINTS.map((_, i) => median(perRun.map((w) => w[i]))) });
  }
  return rows;
}

function wasmSteps(createDeltaStream, markdown) {
  let tail = '';
  const s = createDeltaStream({ format: 'text', markdown, flush: 'manual', onDelta: (f) => (tail = f.displayTail) });
  return {
    step(piece) {
      s.pushText(piece);
      s.flush();
      return tail.length;
    },
    end: () => s.free(),
  };
}

function remendSteps(remend) {
  let text = '';
  return {
    step(piece) {
      text += piece;
      return remend(text).length;
    },
    end() {},
  };
}

/** Seconds per step, and the answer length after each. */
function time(pieces, { step, end }) {
  const us = new Float64Array(pieces.length);
  let sink = 0;
  for (let i = 0; i < pieces.length; i++) {
    const t0 = performance.now();
    sink += step(pieces[i]);
    us[i] = (performance.now() - t0) * 1000;
  }
  end();
  if (sink < 0) throw new Error('unreachable');
  return us;
}

function windows(us) {
  return CURVE_POINTS.map((bytes) => {
    const last = Math.min(us.length, Math.ceil(bytes / DELTA_BYTES));
    let sum = 0;
    for (let i = last - WINDOW; i < last; i++) sum += us[i];
    return sum / WINDOW;
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
