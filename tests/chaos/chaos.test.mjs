// The chaos suite: the built package's fetchEventSource (pkg/, `make build`), in
// Node and in a page in headless Chromium, against the test server's /chaos
// route: 10,000 events with ids through drops at random byte offsets (inside
// UTF-8 sequences, CRLFs and field names among them) and stalls under and over
// the idle timeout. One seed per run, printed; `CHAOS_SEED=<n>` replays it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodePackage, root, suiteFixtures } from './harness.mjs';
import { pickSeed } from './stream.js';
import * as runs from './run.js';

const seed = pickSeed(process.env.CHAOS_SEED);
const EVENTS = 10_000;
const ABORT_EVENTS = 2_000;
console.log(`chaos seed ${seed} (replay: CHAOS_SEED=${seed} node --test tests/chaos/)`);

// A hang is a failure with the test's name, not a stuck run.
const TIMEOUT = 180_000;

const fixtures = suiteFixtures({ '/chaos/': `${root}tests/chaos` });

const ENVS = {
  node: async (runner, params) => {
    const { fetchEventSource } = await nodePackage();
    return runs[runner](fetchEventSource, params);
  },
  chromium: async (runner, params) => {
    const page = await fixtures.page();
    return page.call('/chaos/run.js', runner, params);
  },
};

for (const [env, run] of Object.entries(ENVS)) {
  test(`${env}: 10,000 events through random drops and stalls arrive exactly once, in order, and the promise resolves (seed ${seed})`, { timeout: TIMEOUT }, async () => {
    const result = await run('runDelivery', { base: fixtures.server.base, seed, n: EVENTS });
    console.log(`chaos ${env}: ${JSON.stringify({ ...result, mismatch: undefined })}`);
    assert.equal(result.mismatch, null, `the first event that differs (CHAOS_SEED=${seed})`);
    assert.equal(result.events, EVENTS);
    assert.equal(result.settled, 'resolved');
    assert.equal(result.closes, 1, 'onclose once, at the clean end');
    // The run was as chaotic as it means to be: drops and timeouts happened and were retried.
    assert.ok(result.connections > 10, `${result.connections} connections`);
    assert.ok(result.errors.network > 0, `no network error: ${JSON.stringify(result.errors)}`);
    for (const kind of ['drop-any', 'drop-utf8', 'drop-crlf', 'drop-field', 'long-stall-left']) assert.ok(result.endings[kind] > 0, `no ${kind}: ${JSON.stringify(result.endings)}`);
    assert.equal(result.endings['long-stall-capped'], undefined, 'a stall longer than idleTimeoutMs that the client sat through');
    assert.ok(result.errors['idle-timeout'] > 0, `no idle timeout: ${JSON.stringify(result.errors)}`);
    assert.ok(result.stalls > 0, 'no short stall');
  });

  test(`${env}: an abort in onmessage or from a timer settles the promise and no callback runs after it (seed ${seed})`, { timeout: TIMEOUT }, async () => {
    const results = await run('runAborts', { base: fixtures.server.base, seed, n: ABORT_EVENTS });
    console.log(`chaos ${env} aborts: ${JSON.stringify(results)}`);
    for (const r of results) {
      assert.equal(r.settled, 'resolved', `abort ${r.how}`);
      assert.deepEqual(r.after, [], `callbacks after the abort ${r.how}`);
    }
    const inMessage = results.find((r) => r.how === 'in onmessage');
    assert.ok(inMessage.aborted && inMessage.events === inMessage.atEvent, `aborted at event ${inMessage.atEvent}, ${inMessage.events} events delivered`);
  });
}
