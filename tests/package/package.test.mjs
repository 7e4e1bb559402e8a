// The built package as users install it: `npm pack`, installed into fixtures,
// then imported by name in Node, in a page and a worker in Chromium, and in a
// Vite and a webpack production build, and the classic-script build in a page
// and a classic worker, all in Chromium. Each runs every check in checks.js:
// the parser conformance cases and API, createDeltaStream, and fetchEventSource
// against the local SSE test server (another origin than the pages).
// The types are checked too: a TypeScript fixture that uses every entry and
// option compiles with `tsc --strict` against the installed tarball, and
// publint and attw lint the tarball itself.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { launchChromium, pageResult } from '../support/browser.mjs';
import { startSseServer } from '../support/sse-server.mjs';
import { serveStatic } from '../support/static-server.mjs';

const root = new URL('../..', import.meta.url).pathname;
// Under target/ so that installed fixture dependencies survive between runs.
const work = join(root, 'target', 'package-tests');
const here = join(root, 'tests', 'package');
const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

let tarball;
let browser;
let sseServer;

/**
 * The data every fixture checks against: the parser conformance cases, and the
 * LLM wire fixtures of tests/wire (each `.sse` body with its `.json` outcome).
 */
function sharedCases() {
  const { cases } = JSON.parse(readFileSync(join(root, 'tests', 'conformance', 'cases.json'), 'utf8'));
  const wireDir = join(root, 'tests', 'wire');
  const wires = readdirSync(wireDir)
    .filter((f) => f.endsWith('.sse'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -4),
      sse: readFileSync(join(wireDir, f), 'utf8'),
      want: JSON.parse(readFileSync(join(wireDir, `${f.slice(0, -4)}.json`), 'utf8')),
    }));
  assert.ok(wires.length >= 10, 'the wire fixtures are missing');
  return { cases, wires };
}

/** Copies a fixture and the shared test files into target/, and installs the tarball there. */
function prepare(name) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(here, 'fixtures', name), dir, { recursive: true });
  for (const file of ['checks.js', 'conformance.js', 'client-checks.js', 'delta-checks.js']) cpSync(join(here, file), join(dir, file));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(sharedCases()));
  if (existsSync(join(dir, 'node_modules', 'wasm-sse'))) rmSync(join(dir, 'node_modules', 'wasm-sse'), { recursive: true });
  npm(['install', '--no-save', tarball], dir);
  return dir;
}

function assertAllPassed(label, result) {
  assert.ok(result && !result.error, `${label}: ${JSON.stringify(result)}`);
  for (const part of ['conformance', 'api', 'delta', 'client']) {
    assert.deepEqual(result[part].failures, [], `${label} ${part} failures`);
    assert.ok(result[part].passed > 0, `${label} ran no ${part} checks`);
  }
}

before(async () => {
  sseServer = await startSseServer();
  mkdirSync(work, { recursive: true });
  for (const f of readdirSync(work)) if (f.endsWith('.tgz')) rmSync(join(work, f));
  const [{ filename }] = JSON.parse(npm(['pack', join(root, 'pkg'), '--json', '--pack-destination', work], root));
  tarball = join(work, filename);
});

after(async () => {
  await browser?.close();
  sseServer?.close();
});

/** `wasm-sse/parser`, the parser-only entry: the conformance cases and the parser API. */
function assertParserEntryPassed(label, result) {
  assert.ok(result, `${label}: no result for wasm-sse/parser`);
  for (const part of ['conformance', 'api']) {
    assert.deepEqual(result[part].failures, [], `${label} wasm-sse/parser ${part} failures`);
    assert.ok(result[part].passed > 0, `${label} wasm-sse/parser ran no ${part} checks`);
  }
}

const withServer = (url) => `${url}?server=${encodeURIComponent(sseServer.base)}`;
const TIMEOUT = 180_000;

test('the packed tarball ships exactly the files package.json lists', () => {
  const [{ files }] = JSON.parse(npm(['pack', join(root, 'pkg'), '--dry-run', '--json'], root));
  const names = files.map((f) => f.path).sort();
  assert.deepEqual(names, [
    'README.md', 'api.js', 'chat-core.js', 'client.js', 'delta.d.ts', 'delta.js', 'index.d.ts', 'index.js', 'loader.js', 'node.js', 'package.json',
    'parser/api.js', 'parser/index.d.ts', 'parser/index.js', 'parser/loader.js', 'parser/node.js', 'parser/records.js', 'parser/wasm_sse.js',
    'parser/wasm_sse_bg.wasm', 'partial-json.js', 'react.d.ts', 'react.js', 'records.js', 'slim.d.ts', 'slim.js', 'vue.d.ts', 'vue.js', 'wasm-sse.iife.js', 'wasm_sse.js', 'wasm_sse_bg.wasm',
  ]);
});

test('Node imports the package by name with no init call and passes every case', () => {
  const dir = prepare('node');
  const output = execFileSync(process.execPath, ['check.mjs', sseServer.base], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  const result = JSON.parse(output);
  assertAllPassed('node', result);
  assertParserEntryPassed('node', result.parserEntry);
});

test('a page with <script type="module"> and a module worker pass every case in Chromium', async () => {
  const dir = prepare('page');
  const server = await serveStatic({ mounts: { '/': dir } });
  try {
    browser ??= await launchChromium();
    const result = await pageResult(browser, withServer(`${server.origin}/index.html`), TIMEOUT);
    assertAllPassed('page', result.page);
    assertParserEntryPassed('page', result.page.parserEntry);
    assertAllPassed('worker', result.worker);
  } finally {
    await server.close();
  }
});

test('a Vite production build imports the package with no plugin and passes every case in Chromium', async () => {
  const dir = prepare('vite');
  if (!existsSync(join(dir, 'node_modules', 'vite'))) npm(['install'], dir);
  npm(['install', '--no-save', tarball], dir);
  execFileSync(join(dir, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir, encoding: 'utf8' });
  const server = await serveStatic({ mounts: { '/': join(dir, 'dist') } });
  try {
    browser ??= await launchChromium();
    assertAllPassed('vite', await pageResult(browser, withServer(`${server.origin}/index.html`), TIMEOUT));
  } finally {
    await server.close();
  }
});

test('a webpack 5 production build imports the package with no plugin and no config and passes every case in Chromium', async () => {
  const dir = prepare('webpack');
  if (!existsSync(join(dir, 'node_modules', 'webpack'))) npm(['install'], dir);
  npm(['install', '--no-save', tarball], dir);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  execFileSync(join(dir, 'node_modules', '.bin', 'webpack'), ['--mode', 'production', '--no-stats'], { cwd: dir, encoding: 'utf8' });
  assert.ok(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'webpack emitted the .wasm as an asset');
  const server = await serveStatic({ mounts: { '/': dir } });
  try {
    browser ??= await launchChromium();
    assertAllPassed('webpack', await pageResult(browser, withServer(`${server.origin}/index.html`), TIMEOUT));
  } finally {
    await server.close();
  }
});

test('the classic script sets WasmSse in a page and a classic worker, and every case passes once WasmSse.ready resolves', async () => {
  const dir = prepare('classic');
  const server = await serveStatic({ mounts: { '/': dir } });
  try {
    browser ??= await launchChromium();
    const result = await pageResult(browser, withServer(`${server.origin}/index.html`), TIMEOUT);
    assertAllPassed('classic page', result.page);
    assertAllPassed('classic worker', result.worker);
    assert.equal(result.early.readyIsPromise, true, 'WasmSse.ready is a promise');
    assert.equal(result.early.same, true, 'WasmSse.ready resolves to WasmSse');
    assert.match(result.early.syncError, /before the wasm was loaded; await ready first/);
    assert.equal(result.early.fetched, '1,2', 'fetchEventSource called before ready waits for it');
  } finally {
    await server.close();
  }
});

test('WasmSse.init(url) in a page and WasmSse.init(bytes) in a classic worker load the wasm when it is not next to the script', async () => {
  const dir = prepare('classic-init');
  // The script alone in its folder: its own load of the wasm next to it fails.
  mkdirSync(join(dir, 'lonely'), { recursive: true });
  cpSync(join(dir, 'node_modules', 'wasm-sse', 'wasm-sse.iife.js'), join(dir, 'lonely', 'wasm-sse.iife.js'));
  const server = await serveStatic({ mounts: { '/': dir } });
  try {
    browser ??= await launchChromium();
    const { page, worker } = await pageResult(browser, withServer(`${server.origin}/index.html`), TIMEOUT);
    for (const [label, result] of [['page', page], ['worker', worker]]) {
      assert.ok(!result.error, `${label}: ${result.error}`);
      assert.match(result.beforeInit, /^rejected: /, `${label}: the wasm next to the script should be missing`);
      assert.equal(result.initResolvesToWasmSse, true, `${label}: init() resolves to WasmSse`);
      assert.equal(result.parsed, 'parsed', `${label}: createParser after init()`);
      assert.equal(result.streamed, '1,2', `${label}: fetchEventSource after init()`);
    }
    assert.equal(page.readyAfterInit, true, 'WasmSse.ready resolves to WasmSse after init()');
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------- types

/** Runs a command to its end: its exit code and everything it printed (for the failure message). */
async function run(command, args, cwd) {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, output: `${error.stdout}${error.stderr}` };
  }
}

let typesDir;
/**
 * tests/package/types in target/, with its devDependencies (TypeScript, the
 * React and Vue types...) installed only when its package.json changed, and
 * the tarball installed afresh, as `wasm-sse`, as a user's project has it.
 */
function prepareTypes() {
  if (typesDir) return typesDir;
  const dir = join(work, 'types');
  mkdirSync(dir, { recursive: true });
  // A file removed from the fixture must not stay behind and be compiled.
  for (const entry of readdirSync(dir)) if (entry !== 'node_modules' && entry !== 'package-lock.json') rmSync(join(dir, entry), { recursive: true });
  cpSync(join(here, 'types'), dir, { recursive: true });
  const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
  const installed = join(dir, 'node_modules', '.fixture-package.json');
  if (!existsSync(installed) || readFileSync(installed, 'utf8') !== manifest) {
    npm(['install'], dir);
    writeFileSync(installed, manifest);
  }
  rmSync(join(dir, 'node_modules', 'wasm-sse'), { recursive: true, force: true });
  npm(['install', '--no-save', tarball], dir);
  typesDir = dir;
  return dir;
}

const tsc = (typescript, args, cwd) => run(process.execPath, [join(cwd, 'node_modules', typescript, 'bin', 'tsc'), ...args], cwd);

test('a TypeScript project that uses every entry and every option compiles with tsc --strict against the installed tarball', async () => {
  const dir = prepareTypes();
  const [latest, ts5] = await Promise.all([
    // TypeScript 7 also checks every .d.ts the program loads (skipLibCheck is
    // false): the package's own, and wasm-sse/vue's against Vue's.
    tsc('typescript', ['--noEmit', '--strict', '-p', 'tsconfig.json'], dir),
    // TypeScript 5.9, the line many projects still pin (TypeScript 7 has no
    // JavaScript API, so vue-tsc and typescript-eslint run a 5.x or 6.x),
    // checks the fixture's uses and @ts-expect-error lines against the same
    // types; skipping the .d.ts checks TypeScript 7 made saves it seconds.
    tsc('typescript-5', ['--noEmit', '--strict', '--skipLibCheck', '-p', 'tsconfig.json'], dir),
  ]);
  assert.equal(latest.code, 0, `tsc (TypeScript 7):\n${latest.output}`);
  assert.equal(ts5.code, 0, `tsc (TypeScript 5.9):\n${ts5.output}`);
});

test('the types fixture uses no `any`, so that nothing in it escapes the checks', () => {
  for (const file of readdirSync(join(here, 'types'), { recursive: true })) {
    if (!/\.(ts|tsx|js)$/.test(file)) continue;
    const code = readFileSync(join(here, 'types', file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, '');
    assert.doesNotMatch(code, /\bany\b/, `tests/package/types/${file} uses any`);
  }
});

test('a Node project without the DOM lib compiles the package with tsc --strict (fetch typed by @types/node alone)', async () => {
  // Node projects often leave "DOM" out of `lib` (@tsconfig/node20 does): the
  // package's types may name only globals that @types/node declares as well,
  // not DOM-only names such as HeadersInit, RequestInfo, BufferSource or WebAssembly.
  const dir = prepareTypes();
  const { code, output } = await tsc('typescript', ['--noEmit', '--strict', '-p', 'tsconfig.node.json'], dir);
  assert.equal(code, 0, `tsc (TypeScript 7, tsconfig.node.json):\n${output}`);
});

test('each entry exports at run time exactly the values its types declare', async () => {
  const dir = prepareTypes();
  // exports.js is the list; the fixture's exports-typed.ts checks it against the types.
  const { valueExports } = await import(join(here, 'types', 'exports.js'));
  const script = `const names = {};
for (const entry of ${JSON.stringify(Object.keys(valueExports))}) names[entry] = Object.keys(await import(entry)).sort();
console.log(JSON.stringify(names));`;
  const runtime = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' }));
  for (const [entry, names] of Object.entries(valueExports)) assert.deepEqual(runtime[entry], [...names].sort(), `the exports of ${entry}`);
});

test('publint finds no problem in the packed tarball', async () => {
  const { code, output } = await run(join(root, 'node_modules', '.bin', 'publint'), ['run', '--strict', tarball], root);
  assert.equal(code, 0, `publint:\n${output}`);
});

test('attw finds no problem with the types of any entry in the packed tarball', async () => {
  const { code, output } = await run(
    join(root, 'node_modules', '.bin', 'attw'),
    [
      tarball,
      '--no-color',
      // The package is ESM only, on purpose ("type": "module", and no
      // "require" condition in "exports"), so a require() from CommonJS
      // resolves to ESM: attw's cjs-resolves-to-esm. (Node >= 20.19 and 22.12
      // load it all the same, as no module has a top-level await; older ones
      // need import().) Only that rule is ignored: `--profile esm-only` would
      // skip whole resolution modes, node10 too, which the package passes.
      '--ignore-rules',
      'cjs-resolves-to-esm',
      // `wasm-sse/iife` is the classic script: it sets `globalThis.WasmSse` and
      // exports nothing, so it has no module types to resolve (it is there to be
      // resolved as a file, e.g. to copy it next to its .wasm).
      '--exclude-entrypoints',
      './iife',
    ],
    root,
  );
  assert.equal(code, 0, `attw:\n${output}`);
});
