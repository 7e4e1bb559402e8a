// The three example chat apps (examples/vanilla, examples/react, examples/vue)
// end to end, as a user gets them: the package is `npm pack`ed from pkg/, each
// app is copied to target/examples-e2e/<name> and installs that tarball (the
// React and Vue apps are then built with `vite build`), and each runs in
// headless Chromium against the mock LLM server (examples/server), which also
// serves the pages, so everything is same-origin.
//
//   node --test tests/examples/          (after make build and make setup-browser)
//
// Each app's node_modules is kept between runs (first run seeds it from the
// example's own node_modules when there is one, then `npm install` reconciles),
// but wasm-sse is reinstalled from the fresh tarball every run.
// Skips, saying why, when pkg/ or Chromium is missing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../examples/server/server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.mjs';

const run = promisify(execFile);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here('../../');
const PKG = `${ROOT}pkg/`;
const WORK = `${ROOT}target/examples-e2e/`;
const ARTIFACTS = `${ROOT}target/artifacts/`;
const APPS = ['vanilla', 'react', 'vue'];

const missing = [
  !existsSync(`${PKG}package.json`) && 'pkg/ is not built (make build)',
  !existsSync(CHROMIUM_PATH) && `no Chromium at ${CHROMIUM_PATH} (make setup-browser)`,
].filter(Boolean);
const skip = missing.length ? missing.join('; ') : false;

// Prompts picking the mock server's canned answers (examples/server/answers).
// No single answer has a fenced code block, a table and bold text, so the normal
// run is two turns' worth of pages: `code` (pre > code, strong) and `table`
// (table, strong, strikethrough, a link).
const PROMPT = {
  code: 'Show me some code for a streaming client',
  table: 'Compare streaming transports in a table',
};

// Raw markdown that must never be on screen (outside pre/code).
const RAW = [
  ['**', (t) => t.includes('**')],
  ['```', (t) => t.includes('```')],
  ['a table delimiter row', (t) => /\|\s?:?-{3}/.test(t)],
  ['](', (t) => t.includes('](')],
  ['a "# " heading line', (t) => /^\s*#{1,6} /m.test(t)],
  ['~~', (t) => t.includes('~~')],
];

let tarball;
let server;
let browser;

async function sh(cmd, args, cwd) {
  try {
    return await run(cmd, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const npm = (args, cwd) => sh('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], cwd);

/** Copies examples/<name> to target/examples-e2e/<name>, installs the tarball, builds. */
async function prepare(name) {
  const src = `${ROOT}examples/${name}/`;
  const dir = `${WORK}${name}/`;
  await mkdir(dir, { recursive: true });
  // The app's own files, fresh every run (node_modules and dist are not copied).
  for (const entry of await readdir(dir)) {
    if (entry !== 'node_modules') await rm(`${dir}${entry}`, { recursive: true, force: true });
  }
  for (const entry of await readdir(src)) {
    if (['node_modules', 'dist'].includes(entry) || entry.endsWith('.test.mjs')) continue;
    await cp(`${src}${entry}`, `${dir}${entry}`, { recursive: true });
  }
  // First run: seed node_modules from the example's (same lockfile, saves the download).
  if (!existsSync(`${dir}node_modules`) && existsSync(`${src}node_modules`)) {
    await cp(`${src}node_modules`, `${dir}node_modules`, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (from) => !from.startsWith(`${src}node_modules/wasm-sse`),
    });
  }
  // wasm-sse always comes again from this run's tarball.
  await rm(`${dir}node_modules/wasm-sse`, { recursive: true, force: true });
  await rm(`${dir}node_modules/.package-lock.json`, { force: true });
  const manifest = JSON.parse(await readFile(`${dir}package.json`, 'utf8'));
  if (manifest.dependencies?.['wasm-sse']) {
    manifest.dependencies['wasm-sse'] = `file:${tarball}`;
    await writeFile(`${dir}package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    await npm(['install'], dir);
  } else {
    await npm(['install', tarball], dir);
  }
  // Installed from the tarball: a real folder (not a link to pkg/) with pkg/'s files.
  const installed = `${dir}node_modules/wasm-sse/`;
  assert.ok(existsSync(`${installed}package.json`), `${name}: wasm-sse was not installed`);
  const same = async (f) => (await readFile(`${installed}${f}`)).equals(await readFile(`${PKG}${f}`));
  assert.ok(await same('wasm_sse_bg.wasm'), `${name}: the installed wasm is not pkg/'s`);
  assert.ok(await same('index.js'), `${name}: the installed index.js is not pkg/'s`);
  if (name !== 'vanilla') await sh(process.execPath, [`${dir}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], dir);
}

before(
  async () => {
    if (skip) return;
    await mkdir(WORK, { recursive: true });
    await mkdir(ARTIFACTS, { recursive: true });
    for (const f of await readdir(WORK)) if (f.endsWith('.tgz')) await rm(`${WORK}${f}`);
    const { stdout } = await npm(['pack', PKG, '--pack-destination', WORK, '--json'], WORK);
    tarball = `${WORK}${JSON.parse(stdout)[0].filename}`;
    const t0 = performance.now();
    for (const name of APPS) await prepare(name);
    console.log(`# installed the tarball and built the apps in ${Math.round(performance.now() - t0)} ms (${tarball})`);
    server = await startServer({
      port: 0,
      tps: 80,
      static: {
        '/pkg/': `${WORK}vanilla/node_modules/wasm-sse/`,
        '/vanilla/': `${WORK}vanilla/`,
        '/react/': `${WORK}react/dist/`,
        '/vue/': `${WORK}vue/dist/`,
      },
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
});

function pageUrl(name, { tps, scenario = 'normal' }) {
  if (name === 'vanilla') return `${server.origin}/vanilla/?tps=${tps}&scenario=${scenario}`;
  const api = `${server.origin}/v1/chat/completions?tps=${tps}`;
  return `${server.origin}/${name}/?api=${encodeURIComponent(api)}&scenario=${scenario}`;
}

async function openApp(name, options) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Failed loads are reported by URL below (the browser's own /favicon.ico aside).
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (res.status() >= 400 && url.pathname !== '/favicon.ico') errors.push(`${res.status()} ${url.pathname}`);
  });
  await page.goto(pageUrl(name, options));
  try {
    await page.waitForFunction(
      () => document.body.dataset.state === 'idle' && document.getElementById('send')?.disabled === false,
      null,
      { timeout: 20_000 },
    );
  } catch (e) {
    throw new Error(`${name} did not start: ${e.message}\npage errors: ${errors.join('\n')}`);
  }
  return { page, errors };
}

/** Records the answer's visible text, pre and code left out, on every animation frame. */
const startSampling = (page) =>
  page.evaluate(() => {
    const samples = [];
    let last = null;
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:-20000px;top:0;width:900px;';
    box.setAttribute('aria-hidden', 'true');
    document.body.append(box);
    const tick = () => {
      const answer = document.getElementById('answer');
      if (answer) {
        const clone = answer.cloneNode(true);
        for (const el of [clone, ...clone.querySelectorAll('[id]')]) el.removeAttribute('id');
        clone.removeAttribute('hidden');
        for (const el of clone.querySelectorAll('pre, code')) el.remove();
        box.replaceChildren(clone);
        const text = box.innerText; // laid out, so line starts are real
        box.replaceChildren();
        if (text !== last) samples.push((last = text));
      }
      if (window.__sampling) requestAnimationFrame(tick);
    };
    window.__samples = samples;
    window.__sampling = true;
    requestAnimationFrame(tick);
  });

async function stopSampling(page) {
  // Let the sampler see the final frame too.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  return page.evaluate(() => {
    window.__sampling = false;
    return window.__samples;
  });
}

async function ask(page, prompt) {
  await page.fill('#prompt', prompt);
  await page.click('#send');
}

const settled = (page, timeout = 45_000) =>
  page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.body.dataset.state), null, { timeout });

const readAnswer = (page) =>
  page.evaluate(() => {
    const reconnects = document.getElementById('reconnects')?.textContent ?? document.getElementById('metrics')?.dataset.reconnects;
    return {
      state: document.body.dataset.state,
      status: document.getElementById('status')?.textContent,
      text: document.getElementById('answer').innerText,
      stableHtml: document.getElementById('answer-stable').innerHTML,
      live: document.getElementById('answer-live').innerHTML,
      reconnects: Number(reconnects),
      codeBlocks: document.querySelectorAll('#answer pre > code').length,
      tables: document.querySelectorAll('#answer table').length,
      strong: document.querySelectorAll('#answer strong').length,
      strike: document.querySelectorAll('#answer s, #answer del').length,
      links: document.querySelectorAll('#answer a[href]').length,
    };
  });

function checkNoRawSyntax(name, samples) {
  assert.ok(samples.length > 10, `${name}: the answer grew in steps (${samples.length} distinct frames)`);
  for (const text of samples) {
    for (const [what, found] of RAW) {
      assert.ok(!found(text), `${name}: raw ${what} on screen while streaming: …${JSON.stringify(text.slice(-160))}`);
    }
  }
}

const normalTable = {};

for (const name of APPS) {
  describe(name, { skip }, () => {
    test('normal, code answer: pre > code and bold, never raw markdown while streaming', { timeout: 60_000 }, async () => {
      const { page, errors } = await openApp(name, { tps: 80 });
      await startSampling(page);
      await ask(page, PROMPT.code);
      await settled(page);
      const samples = await stopSampling(page);
      const r = await readAnswer(page);
      assert.equal(r.state, 'done', r.status);
      assert.ok(r.codeBlocks >= 3, `code blocks rendered (${r.codeBlocks})`);
      assert.ok(r.strong >= 1, `bold rendered (${r.strong})`);
      assert.equal(r.live, '', 'nothing left in the live tail');
      assert.match(r.text, /Happy hacking!/);
      checkNoRawSyntax(name, samples);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test('normal, table answer: table, bold, strikethrough, link; never raw markdown; screenshot', { timeout: 60_000 }, async () => {
      const { page, errors } = await openApp(name, { tps: 80 });
      await startSampling(page);
      await ask(page, PROMPT.table);
      await settled(page);
      const samples = await stopSampling(page);
      const r = await readAnswer(page);
      assert.equal(r.state, 'done', r.status);
      assert.equal(r.tables, 2, 'tables rendered');
      assert.ok(r.strong >= 1, `bold rendered (${r.strong})`);
      assert.ok(r.strike >= 1, `strikethrough rendered (${r.strike})`);
      assert.ok(r.links >= 1, `link rendered (${r.links})`);
      assert.equal(r.live, '', 'nothing left in the live tail');
      assert.equal(r.reconnects, 0);
      checkNoRawSyntax(name, samples);
      normalTable[name] = r;
      const shot = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`# ${name}: screenshot ${shot}`);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test('Stop: the state is stopped by the next frame and the text no longer changes', { timeout: 60_000 }, async () => {
      const { page, errors } = await openApp(name, { tps: 30 });
      await ask(page, PROMPT.code);
      await page.waitForFunction(() => document.getElementById('answer')?.innerText.length > 60, null, { timeout: 20_000 });
      const atStop = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const answer = () => document.getElementById('answer').innerText;
            const stateBefore = document.body.dataset.state;
            let changedAt = null;
            const observer = new MutationObserver(() => {
              if (changedAt === null && document.body.dataset.state === 'stopped') changedAt = performance.now();
            });
            observer.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
            const clickedAt = performance.now();
            document.getElementById('stop').click();
            if (document.body.dataset.state === 'stopped') changedAt = performance.now(); // set within the click
            requestAnimationFrame(() => {
              observer.disconnect();
              resolve({
                stateBefore,
                stateAtFrame: document.body.dataset.state,
                ms: changedAt === null ? null : changedAt - clickedAt,
                text: answer(),
              });
            });
          }),
      );
      assert.equal(atStop.stateBefore, 'streaming');
      assert.equal(atStop.stateAtFrame, 'stopped', 'stopped by the next animation frame after the click');
      console.log(`# ${name}: Stop click -> state 'stopped' in ${atStop.ms?.toFixed(1)} ms`);
      assert.ok(atStop.text.length > 0);
      await page.waitForTimeout(1000);
      const later = await readAnswer(page);
      assert.equal(later.state, 'stopped');
      assert.equal(later.text, atStop.text, 'the answer did not change after Stop');
      assert.ok(!/Happy hacking!/.test(later.text), 'stopped before the end');
      assert.equal(await page.evaluate(() => document.getElementById('send').disabled), false, 'Send is enabled again');
      assert.deepEqual(errors, []);
      await page.close();
    });

    test('forced disconnect (drop): reconnects and shows exactly the normal answer', { timeout: 60_000 }, async () => {
      assert.ok(normalTable[name], 'needs the normal table run');
      const { page, errors } = await openApp(name, { tps: 0, scenario: 'drop' });
      await ask(page, PROMPT.table);
      await settled(page);
      const r = await readAnswer(page);
      assert.equal(r.state, 'done', r.status);
      assert.ok(r.reconnects >= 1, `reconnect count shown (${r.reconnects})`);
      assert.equal(r.text, normalTable[name].text, 'the same text as the normal run: none lost or repeated');
      assert.equal(r.stableHtml, normalTable[name].stableHtml);
      assert.equal(r.live, '');
      console.log(`# ${name}: drop -> done after ${r.reconnects} reconnect(s)`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  });
}
