// The built package as users install it: `npm pack`, installed into fixtures,
// then imported by name in Node, in a page and a worker in Chromium, and in a
// Vite and a webpack production build, and the classic-script build in a page
// and a classic worker, all in Chromium. Each runs every check in checks.js:
// the parser conformance cases and API, createDeltaStream, and fetchEventSource
// against the local SSE test server (another origin than the pages).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
    'parser/api.js', 'parser/index.d.ts', 'parser/index.js', 'parser/loader.js', 'parser/node.js', 'parser/wasm_sse.js', 'parser/wasm_sse_bg.wasm',
    'partial-json.js', 'react.d.ts', 'react.js', 'slim.d.ts', 'slim.js', 'vue.d.ts', 'vue.js', 'wasm-sse.iife.js', 'wasm_sse.js', 'wasm_sse_bg.wasm',
  ]);
});

test('Node imports the package by name with no init call and passes every case', () => {
  const dir = prepare('node');
  const output = execFileSync(process.execPath, ['check.mjs', sseServer.base], { cwd: dir, encoding: 'utf8' });
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
