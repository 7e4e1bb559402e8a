// The chat page in headless Chromium against the mock server, served same-origin
// with the built package: `node --test examples/vanilla/` after `make build` and
// `npm ci` in this folder. Skips (saying why) when pkg/ or Chromium is missing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer } from '../server/server.mjs';
import { ANSWERS } from '../server/answers.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/support/chromium.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const PKG = here('../../pkg/');
const MARKDOWN_IT = here('./node_modules/markdown-it/dist/markdown-it.min.js');

const missing = [
  !existsSync(`${PKG}index.js`) && 'pkg/ is not built (make build)',
  !existsSync(MARKDOWN_IT) && 'markdown-it is not installed (npm ci --prefix examples/vanilla)',
  !existsSync(CHROMIUM_PATH) && `no Chromium at ${CHROMIUM_PATH}`,
].filter(Boolean);
const skip = missing.length ? missing.join('; ') : false;

let server;
let browser;
before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  server = await startServer({ port: 0, static: { '/pkg/': PKG, '/': here('.') } });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The markdown-it of the page, in Node, for the expected HTML. */
function markdown() {
  const markdownit = createRequire(import.meta.url)('markdown-it');
  const md = markdownit({ html: false, linkify: true, typographer: false });
  const link = md.renderer.rules.link_open ?? ((tokens, i, opts, env, self) => self.renderToken(tokens, i, opts));
  md.renderer.rules.link_open = (tokens, i, opts, env, self) => {
    tokens[i].attrSet('target', '_blank');
    tokens[i].attrSet('rel', 'noopener noreferrer');
    return link(tokens, i, opts, env, self);
  };
  return md;
}

async function openPage(query) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/?${query}`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 15_000 });
  // Every text the answer shows, as it changes.
  await page.evaluate(() => {
    window.__snapshots = [];
    new MutationObserver(() => {
      const answer = document.getElementById('answer');
      if (answer) window.__snapshots.push(answer.textContent);
    }).observe(document.getElementById('log'), { subtree: true, childList: true, characterData: true });
  });
  return { page, errors };
}

async function ask(page, prompt) {
  await page.fill('[data-testid=prompt]', prompt);
  await page.click('[data-testid=send]');
  assert.ok(['streaming', 'done'].includes(await page.evaluate(() => document.body.dataset.state)));
}

/** `html` as the page's DOM serialises it (innerHTML writes `&quot;` as `"`). */
const asDom = (page, html) =>
  page.evaluate((h) => {
    const div = document.createElement('div');
    div.innerHTML = h;
    return div.innerHTML;
  }, html);

const settled = (page, timeout = 30_000) =>
  page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.body.dataset.state), null, { timeout });

async function result(page) {
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    status: document.getElementById('status').textContent,
    ttft: Number(document.getElementById('ttft').dataset.ms),
    reconnects: Number(document.getElementById('metrics').dataset.reconnects),
    html: document.getElementById('answer-stable').innerHTML,
    live: document.getElementById('answer-live').innerHTML,
    answer: window.chat.messages.at(-1),
    snapshots: window.__snapshots,
  }));
}

for (const mode of ['hold', 'heal']) {
  test(`an answer streams to done, rendered as markdown; ${mode}: no half syntax on screen`, { skip }, async () => {
    const { page, errors } = await openPage(`tps=80&markdown=${mode}`);
    await ask(page, 'Give me a plan with steps');
    await settled(page);
    const r = await result(page);
    assert.equal(r.state, 'done', r.status);
    assert.equal(r.answer.role, 'assistant');
    assert.equal(r.answer.content, ANSWERS.list.text, 'the whole answer, nothing lost or repeated');
    assert.equal(r.html, await asDom(page, markdown().render(ANSWERS.list.text)));
    assert.equal(r.live, '');
    assert.ok(r.ttft > 0 && Number.isFinite(r.ttft), `time to first token shown (${r.ttft})`);
    assert.ok(r.snapshots.length > 5, `the answer grew in steps (${r.snapshots.length})`);
    for (const text of r.snapshots) {
      assert.ok(!text.includes('**'), `no raw ** on screen: …${text.slice(-80)}`);
      assert.ok(!text.includes('```'), `no raw fence on screen: …${text.slice(-80)}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('Stop: no text arrives after it', { skip }, async () => {
  const { page } = await openPage('tps=30');
  await ask(page, 'Show me some code for a streaming client');
  await page.waitForFunction(() => document.getElementById('answer').textContent.length > 40, null, { timeout: 15_000 });
  // Read the answer and press Stop in one task: nothing can arrive in between,
  // so the answer must be exactly what it was just before Stop.
  const atStop = await page.evaluate(() => {
    const before = document.getElementById('answer').innerHTML;
    document.querySelector('[data-testid=stop]').click();
    return { before, state: document.body.dataset.state, html: document.getElementById('answer').innerHTML };
  });
  assert.equal(atStop.state, 'stopped');
  assert.equal(atStop.html, atStop.before, 'Stop itself adds no text');
  await page.waitForTimeout(1000);
  const r = await result(page);
  assert.equal(r.state, 'stopped');
  assert.equal(await page.evaluate(() => document.getElementById('answer').innerHTML), atStop.html, 'the answer did not change after Stop');
  assert.ok(r.answer.content.length > 0 && r.answer.content.length < ANSWERS.code.text.length);
  assert.ok(ANSWERS.code.text.startsWith(r.answer.content));
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=send]').disabled), false);
  await page.close();
});

for (const [scenario, minTtft] of [['drop', 0], ['429', 800], ['500', 0], ['stall', 0]]) {
  test(`scenario ${scenario}: the client recovers and the answer is whole`, { skip, timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(`tps=0&scenario=${scenario}`);
    await ask(page, 'Compare streaming transports in a table');
    await settled(page, 45_000);
    const r = await result(page);
    assert.equal(r.state, 'done', r.status);
    assert.ok(r.reconnects >= 1, `reconnects shown (${r.reconnects})`);
    assert.match(r.status, /reconnect/);
    assert.equal(r.answer.content, ANSWERS.table.text);
    assert.equal(r.html, await asDom(page, markdown().render(ANSWERS.table.text)));
    assert.ok(r.ttft >= minTtft, `time to first token ${r.ttft} ms (Retry-After honoured: >= ${minTtft})`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a second turn sends the conversation and gets its own answer', { skip }, async () => {
  const { page } = await openPage('tps=0');
  await ask(page, 'Explain the math of streaming');
  await settled(page);
  await ask(page, 'Now say hello with emoji');
  await settled(page);
  const r = await result(page);
  assert.equal(r.state, 'done');
  assert.equal(r.answer.content, ANSWERS.emoji.text);
  assert.equal(await page.evaluate(() => window.chat.messages.length), 4);
  assert.equal(await page.locator('[data-testid=answer]').count(), 1, 'one element is the answer');
  await page.close();
});
