#!/usr/bin/env node
// `make demo-headless`: the main job, seen without a browser window. Starts the
// mock LLM server (serving this page and the built package), drives the page in
// headless Chromium — types a prompt, sends it, watches the answer stream in
// with a drop and a resume on the way — then prints the rendered answer, the
// metrics and where the screenshot went, and exits.
//
//   node examples/vanilla/headless.mjs [--prompt "..."] [--scenario normal|drop|429|500|stall] [--tps 50]

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../server/server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/support/chromium.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({
  options: {
    prompt: { type: 'string', default: 'Show me a table and some code' },
    scenario: { type: 'string', default: 'drop' },
    tps: { type: 'string', default: '80' },
  },
});
const artifacts = here('../../target/artifacts/');
mkdirSync(artifacts, { recursive: true });

const server = await startServer({ port: 0, static: { '/pkg/': here('../../pkg/'), '/': here('.') } });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 15_000 });
  await page.selectOption('#scenario', values.scenario);
  await page.selectOption('#tps', values.tps).catch(() => {});
  await page.fill('#prompt', values.prompt);
  const started = Date.now();
  await page.click('#send');
  console.log(`> ${values.prompt}   (scenario: ${values.scenario}, ${server.origin})\n`);

  // Print the status line as it changes while the answer streams.
  let lastStatus = '';
  for (;;) {
    const { state, status } = await page.evaluate(() => ({
      state: document.body.dataset.state,
      status: document.getElementById('status').textContent,
    }));
    if (status !== lastStatus) console.log(`  [${((Date.now() - started) / 1000).toFixed(2)} s] ${status}`);
    lastStatus = status;
    if (state !== 'streaming' && Date.now() - started > 200) break;
    if (Date.now() - started > 120_000) throw new Error('the answer did not finish in 120 s');
    await page.waitForTimeout(100);
  }
  const result = await page.evaluate(() => ({
    state: document.body.dataset.state,
    answer: document.getElementById('answer')?.innerText ?? '',
    elements: [...new Set([...document.querySelectorAll('#answer *')].map((e) => e.tagName.toLowerCase()))],
    ttft: document.getElementById('ttft').textContent,
    metrics: document.getElementById('metrics').textContent,
  }));
  const shot = `${artifacts}vanilla-headless.png`;
  await page.screenshot({ path: shot, fullPage: true });

  console.log(`\n${result.answer}\n`);
  console.log(`state: ${result.state}`);
  console.log(`time to first token: ${result.ttft}`);
  console.log(`metrics: ${result.metrics}`);
  console.log(`rendered elements: ${result.elements.join(', ')}`);
  console.log(`screenshot: ${shot}`);
  if (errors.length) console.log(`page errors:\n${errors.join('\n')}`);
  process.exitCode = result.state === 'done' && errors.length === 0 ? 0 : 1;
} finally {
  await browser.close();
  await server.close();
}
