// The chat page in headless Chromium against the mock server, served same-origin
// with the built package: `node --test examples/vanilla/` after `make build` and
// `npm ci` in this folder. What an answer should end as comes from the mock
// server's /mock/expect for the request the page sent (the source).
// Skips (saying why) when pkg/ or markdown-it is missing; fails when Chromium is.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer } from '../server/server.mjs';
import { ANSWERS } from '../server/answers.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/support/chromium.mjs';
import { appMarkdown, attemptsFor, expectFor, recordStreamRequests, startProbe, stopProbe } from '../../tests/examples/truth.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const PKG = here('../../pkg/');
const MARKDOWN_IT = here('./node_modules/markdown-it/dist/markdown-it.min.js');

const missing = [
  !existsSync(`${PKG}index.js`) && 'pkg/ is not built (make build)',
  !existsSync(MARKDOWN_IT) && 'markdown-it is not installed (npm ci --prefix examples/vanilla)',
].filter(Boolean);
const skip = missing.length ? missing.join('; ') : false;

let server;
let browser;
before(async () => {
  if (skip) return;
  // No Chromium is a failure, not a skip.
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (make setup-browser)`);
  const { chromium } = await import('playwright-core');
  server = await startServer({ port: 0, static: { '/pkg/': PKG, '/': here('.') } });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The markdown-it of the page, in Node, for the expected HTML. */
const markdown = () => appMarkdown(createRequire(import.meta.url)('markdown-it'), 'vanilla');

async function openPage(query) {
  const page = await browser.newPage();
  const requests = recordStreamRequests(page);
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
  return { page, errors, requests };
}

/** What the answer to the page's stream request should end as: /mock/expect for it. */
async function truthOf(requests) {
  assert.ok(requests.length >= 1, 'the page sent a stream request');
  return expectFor(server.origin, requests[0]);
}

async function ask(page, prompt) {
  await page.fill('[data-testid=prompt]', prompt);
  await page.click('[data-testid=send]');
  // Sent: it may already have ended (tps=0, a fault at once).
  assert.notEqual(await page.evaluate(() => document.body.dataset.state), 'idle');
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
    thinking: document.getElementById('answer-thinking-body').innerHTML,
    thinkingOpen: document.getElementById('answer-thinking').open,
    tools: [...document.querySelectorAll('#answer-tools [data-testid=tool-call]')].map((card) => ({
      name: card.querySelector('.tool-name').textContent,
      done: card.dataset.done === 'true',
      input: card.querySelector('pre').textContent,
    })),
    finish: document.getElementById('finish').textContent,
    usageOutput: document.getElementById('usage').dataset.output,
    error: document.getElementById('error')?.textContent ?? null,
    answer: window.chat.messages.at(-1),
    snapshots: window.__snapshots,
  }));
}

for (const mode of ['hold', 'heal']) {
  test(`an answer streams to done, rendered as markdown; ${mode}: no half syntax on screen`, { skip }, async () => {
    const { page, errors, requests } = await openPage(`tps=80&markdown=${mode}`);
    await ask(page, 'Give me a plan with steps');
    await settled(page);
    const r = await result(page);
    const expected = await truthOf(requests);
    assert.equal(r.state, 'done', r.status);
    assert.equal(r.answer.role, 'assistant');
    assert.equal(r.answer.content, expected.text, "the source's answer, nothing lost or repeated");
    assert.equal(r.html, await asDom(page, markdown().render(expected.text)));
    assert.equal(r.live, '');
    assert.ok(expected.reasoning, 'the page asked for reasoning');
    assert.equal(r.thinking, await asDom(page, markdown().render(expected.reasoning)), "the Thinking block shows the source's reasoning");
    assert.equal(r.thinkingOpen, false, 'folded once the answer ended');
    assert.equal(r.finish, expected.finishReason);
    assert.equal(r.usageOutput, String(expected.usage.completion_tokens));
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
  const { page, requests } = await openPage('tps=30');
  await ask(page, 'Show me some code for a streaming client');
  // Past the reasoning, into the answer's text.
  await page.waitForFunction(
    () => document.getElementById('answer-stable').textContent.length + document.getElementById('answer-live').textContent.length > 40,
    null,
    { timeout: 15_000 },
  );
  // What the answer shows: its reasoning, text and tool calls (Stop folds the
  // Thinking block, which changes no content).
  await page.evaluate(() => {
    window.__shown = () =>
      ['answer-thinking-body', 'answer-stable', 'answer-live', 'answer-tools'].map((id) => document.getElementById(id).innerHTML).join('\n');
  });
  // Read the answer and press Stop in one task: nothing can arrive in between,
  // so the answer must be exactly what it was just before Stop.
  const atStop = await page.evaluate(() => {
    const before = window.__shown();
    document.querySelector('[data-testid=stop]').click();
    return { before, state: document.body.dataset.state, html: window.__shown() };
  });
  assert.equal(atStop.state, 'stopped');
  assert.equal(atStop.html, atStop.before, 'Stop itself adds no text');
  await page.waitForTimeout(1000);
  const r = await result(page);
  assert.equal(r.state, 'stopped');
  assert.equal(await page.evaluate(() => window.__shown()), atStop.html, 'the answer did not change after Stop');
  const source = (await truthOf(requests)).text;
  assert.ok(r.answer.content.length > 0 && r.answer.content.length < source.length);
  assert.ok(source.startsWith(r.answer.content), "a prefix of the source's text");
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=send]').disabled), false);
  await page.close();
});

for (const [scenario, minTtft] of [['drop', 0], ['429', 800], ['500', 0], ['stall', 0]]) {
  test(`scenario ${scenario}: the client recovers and the answer is whole`, { skip, timeout: 60_000 }, async () => {
    const { page, errors, requests } = await openPage(`tps=0&scenario=${scenario}`);
    await ask(page, 'Compare streaming transports in a table');
    await settled(page, 45_000);
    const r = await result(page);
    const expected = await truthOf(requests);
    assert.equal(r.state, 'done', r.status);
    assert.ok(r.reconnects >= 1, `reconnects shown (${r.reconnects})`);
    assert.match(r.status, /reconnect/);
    assert.equal(r.answer.content, expected.text);
    assert.equal(r.html, await asDom(page, markdown().render(expected.text)));
    assert.equal(r.thinking, await asDom(page, markdown().render(expected.reasoning)));
    assert.ok(r.ttft >= minTtft, `time to first token ${r.ttft} ms (Retry-After honoured: >= ${minTtft})`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a second turn sends the conversation and gets its own answer', { skip }, async () => {
  const { page, requests } = await openPage('tps=0');
  await ask(page, 'Explain the math of streaming');
  await settled(page);
  await ask(page, 'Now say hello with emoji');
  await settled(page);
  const r = await result(page);
  assert.equal(r.state, 'done');
  assert.equal(requests.length, 2);
  const sent = JSON.parse(requests[1].body);
  assert.deepEqual(sent.messages.map((m) => m.role), ['user', 'assistant', 'user'], 'the second request carries the conversation');
  assert.equal(r.answer.content, (await expectFor(server.origin, requests[1])).text);
  assert.equal(await page.evaluate(() => window.chat.messages.length), 4);
  assert.equal(await page.locator('[data-testid=answer]').count(), 1, 'one element is the answer');
  await page.close();
});

test("weather: the Thinking block ends as the source's reasoning and the get_weather card's input deep-equals the source's", { skip }, async () => {
  const { page, errors, requests } = await openPage('tps=80');
  await startProbe(page);
  await ask(page, "What's the weather in Paris?");
  await settled(page);
  const frames = await stopProbe(page);
  const r = await result(page);
  const expected = await truthOf(requests);
  assert.equal(r.state, 'done', r.status);
  assert.equal(expected.answer, 'weather', 'the request offered the get_weather tool');
  assert.equal(r.answer.content, expected.text);
  assert.equal(r.html, await asDom(page, markdown().render(expected.text)));
  assert.equal(r.thinking, await asDom(page, markdown().render(expected.reasoning)));
  const streaming = frames.filter((f) => f.state === 'streaming' && f.thinking?.html);
  assert.ok(streaming.length > 3 && streaming.every((f) => f.thinking.open), 'the Thinking block is open while streaming');
  assert.equal(r.tools.length, 1);
  assert.equal(r.tools[0].name, expected.toolCalls[0].name);
  assert.equal(r.tools[0].done, true);
  assert.deepEqual(JSON.parse(r.tools[0].input), expected.toolCalls[0].input);
  const inputs = new Set(frames.filter((f) => f.tools[0] && !f.tools[0].done).map((f) => f.tools[0].input).filter(Boolean));
  assert.ok(inputs.size >= 3, `the card's input grew as the arguments streamed (${inputs.size})`);
  assert.equal(r.finish, expected.finishReason);
  assert.equal(r.usageOutput, String(expected.usage.completion_tokens));
  assert.deepEqual(errors, []);
  await page.close();
});

test('drop without event IDs: the page ends in an error that says the stream could not be resumed, showing a prefix of the source', { skip }, async () => {
  // Into the text: after the reasoning and 60 tokens of the answer.
  const after = ANSWERS.table.reasoning.tokens.length + 60;
  const api = `${server.origin}/v1/chat/completions?ids=0&after=${after}`;
  // Paced, so that the page reads what came before the cut (a browser may drop
  // what it had not read yet when the connection fails).
  const { page, requests } = await openPage(`tps=80&scenario=drop&api=${encodeURIComponent(api)}`);
  await ask(page, 'Compare streaming transports in a table');
  await settled(page);
  const r = await result(page);
  const expected = await truthOf(requests);
  assert.equal(r.state, 'error', r.status);
  assert.match(r.status, /could not be resumed/);
  assert.match(r.error ?? '', /could not be resumed/);
  assert.equal(requests.length, 1, 'not sent again');
  assert.deepEqual(await attemptsFor(server.origin, requests[0]), { drop: 1 });
  assert.ok(expected.fault?.text, 'the drop comes in the middle of the text');
  assert.equal(r.answer.role, 'assistant', 'the partial answer is kept');
  const shown = r.answer.content;
  assert.ok(shown.length > 0 && shown.length <= expected.fault.text.length, `what arrived is shown (${shown.length} of ${expected.fault.text.length})`);
  assert.ok(expected.text.startsWith(shown), `a prefix of the source, nothing glued: ${JSON.stringify(shown.slice(-120))} vs ${JSON.stringify(expected.text.slice(shown.length - 120, shown.length + 20))}`);
  assert.equal(r.html, await asDom(page, markdown().render(shown)));
  assert.equal(r.live, '');
  await page.close();
});
