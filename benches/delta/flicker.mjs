// Flicker: over the markdown corpus, streamed with each tokenization and a
// flush after every delta, the share of flushes whose display breaks the
// markdown rule (tests/markdown/markdown-rule.mjs, the one the flicker test uses), for naive accumulation, the `remend`
// package, and wasm-sse's `hold` and `heal`; and how many characters `hold`
// keeps back. A correctness measurement, run in Node.

import { check, render } from '../../tests/markdown/markdown-rule.mjs';
import { TOKENIZATIONS } from '../../tests/markdown/tokenize.mjs';

const codePoints = (s) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Displays of naive accumulation: the text so far after each delta. */
function naive(deltas) {
  const out = [];
  let text = '';
  for (const d of deltas) out.push((text += d));
  return { displays: out, texts: out };
}

/** remend heals the text so far after each delta. */
function healedBy(remend) {
  return (deltas) => {
    const { texts } = naive(deltas);
    return { displays: texts.map((t) => remend(t)), texts };
  };
}

/** wasm-sse's createDeltaStream with a flush after every delta. */
function ours(createDeltaStream, markdown) {
  return (deltas) => {
    const displays = [];
    const texts = [];
    const stream = createDeltaStream({
      format: 'text',
      markdown,
      flush: 'event',
      onDelta: (f) => {
        displays.push(f.display);
        texts.push(f.text);
      },
    });
    for (const d of deltas) stream.pushText(d);
    stream.finish();
    return { displays, texts };
  };
}

/**
 * @param {{ docs: [string, string][], createDeltaStream?: Function, remend?: Function }} opts
 * @returns {{ rows: object[], problems: string[], examples: string[] }}
 */
export function measureFlicker({ docs, createDeltaStream, remend }) {
  const contestants = [['naive', naive]];
  if (remend) contestants.push(['remend', healedBy(remend)]);
  if (createDeltaStream) {
    contestants.push(['wasm-sse hold', ours(createDeltaStream, 'hold')]);
    contestants.push(['wasm-sse heal', ours(createDeltaStream, 'heal')]);
  }
  const problems = [];
  const examples = new Map();
  const rows = TOKENIZATIONS.map((tok) => {
    const tally = Object.fromEntries(contestants.map(([name]) => [name, { flushes: 0, broken: 0 }]));
    let held = 0;
    let holdFlushes = 0;
    for (const [file, doc] of docs) {
      const fin = render(doc);
      const deltas = tok.split(doc);
      for (const [name, run] of contestants) {
        const { displays, texts } = run(deltas);
        const t = tally[name];
        displays.forEach((display, i) => {
          t.flushes++;
          const why = check(display, fin);
          if (why) {
            t.broken++;
            if (!examples.has(name)) examples.set(name, `${name}, ${file} (${tok.name}): ${JSON.stringify(display.slice(-60))}: ${why}`);
          }
          if (name === 'wasm-sse hold') {
            held += codePoints(texts[i]) - codePoints(display);
            holdFlushes++;
          }
        });
        if (name.startsWith('wasm-sse') && (texts[texts.length - 1] !== doc || displays[displays.length - 1] !== doc)) {
          problems.push(`delta · flicker · ${name} · ${file} (${tok.name}): the last flush is not the document`);
        }
      }
    }
    return { tokenization: tok.name, tally, heldBack: holdFlushes ? held / holdFlushes : NaN };
  });
  return { rows, problems, examples: [...examples.values()], contestants: contestants.map(([n]) => n) };
}
