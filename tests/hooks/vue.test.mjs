// wasm-sse/vue's useEventSource and useChat, mounted with @vue/test-utils in
// happy-dom (only its window and document: fetch stays Node's, so the
// streams are real HTTP to the local SSE test server), on the oldest Vue the
// README claims (3.3.0) and the newest.
//
// Refs are watched with `flush: 'sync'` from outside the component, so every
// change is logged, also one after unmount (which a component's own watcher,
// stopped with it, would miss).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startSseServer } from '../support/sse-server.mjs';
import { VERSION_SETS, expectedText, installPackage, isSubsequence, recordingFetch, whenAborted, sleep, transitions, valueLog } from './support.mjs';

const WANT_VERSION = { 'vue-3.3': /^3\.3\.0$/, 'vue-latest': /^3\.5\./ };
const TIMEOUT = { timeout: 15_000 };

let server;
before(async () => {
  server = await startSseServer();
});
after(() => server?.close());

for (const set of VERSION_SETS.vue) {
  describe(`wasm-sse/vue on ${set}`, () => {
    let Vue;
    let mount;
    let hooks;
    let happy;
    const domGlobals = [];

    before(async () => {
      const dir = installPackage(set);
      const require = createRequire(join(dir, 'package.json'));
      const resolve = (name) => pathToFileURL(require.resolve(name)).href;
      const { Window } = await import(resolve('happy-dom'));
      happy = new Window({ url: 'http://localhost/' });
      globalThis.window = happy;
      globalThis.document = happy.document;
      // The DOM node classes Vue and test-utils name (SVGElement...), and only
      // those that Node lacks: fetch, AbortController, streams stay Node's own.
      for (const name of Object.getOwnPropertyNames(happy)) {
        if (/^(Node|Element|Text|Comment|Document|DocumentFragment|(HTML|SVG)\w*Element)$/.test(name) && !(name in globalThis)) {
          globalThis[name] = happy[name];
          domGlobals.push(name);
        }
      }
      Vue = await import(pathToFileURL(join(dir, 'node_modules', 'vue', 'index.mjs')).href);
      assert.match(Vue.version, WANT_VERSION[set]);
      ({ mount } = await import(resolve('@vue/test-utils')));
      hooks = await import(pathToFileURL(join(dir, 'node_modules', 'wasm-sse', 'vue.js')).href);
    });

    after(async () => {
      for (const name of ['window', 'document', ...domGlobals.splice(0)]) delete globalThis[name];
      await happy?.happyDOM.close();
    });

    /**
     * Mounts a component whose setup calls `use()`; returns what it returned,
     * with each ref's changes logged in `logs[name]`, and `unmount`.
     */
    function mountWith(use) {
      let state;
      const wrapper = mount({
        setup() {
          state = use();
          return () => null;
        },
      });
      const logs = {};
      for (const [name, value] of Object.entries(state)) {
        if (!Vue.isRef(value)) continue;
        const log = valueLog();
        log.push(value.value);
        Vue.watch(value, (v) => log.push(v), { flush: 'sync' });
        logs[name] = log;
      }
      return { state, logs, unmount: () => wrapper.unmount() };
    }

    test('useEventSource: the status follows the client loop (connecting, open, retrying, closed) and every message arrives', TIMEOUT, async () => {
      const record = recordingFetch();
      record.hold(2);
      const retries = [];
      const messages = [];
      const init = { fetch: record.fetch, retryDelayMs: 1, jitter: 0, onretry: (r) => retries.push(r.retry), onmessage: (m) => messages.push(m.data) };
      const { state, logs, unmount } = mountWith(() => hooks.useEventSource(`${server.base}/drop?total=4&every=2&stream=${Math.random()}`, init));
      await logs.status.until((s) => s === 'retrying', 'status retrying');
      assert.deepEqual(retries, [1]);
      record.release(2);
      await logs.status.until((s) => s === 'closed', 'status closed');
      assert.equal(state.lastMessage.value?.data, '4');
      assert.equal(state.error.value, null);
      assert.deepEqual(messages, ['1', '2', '3', '4']);
      // Vue's refs change synchronously: every transition is in the log.
      assert.deepEqual(transitions(logs.status.values), ['connecting', 'open', 'retrying', 'open', 'closed']);
      unmount();
    });

    test('useEventSource: an error the policy does not retry is status error with the typed error', TIMEOUT, async () => {
      const { state, logs, unmount } = mountWith(() => hooks.useEventSource(`${server.base}/status?code=404&body=gone`));
      await logs.status.until((s) => s === 'error', 'status error');
      assert.equal(state.error.value?.type, 'http-status');
      assert.equal(state.error.value?.status, 404);
      unmount();
    });

    test('useEventSource: unmount aborts the stream, and no ref changes and no callback runs after it', TIMEOUT, async () => {
      const record = recordingFetch();
      let afterUnmount = 0;
      let unmounted = false;
      const late = () => unmounted && afterUnmount++;
      const init = { fetch: record.fetch, onmessage: late, onerror: late, onclose: late, onmetrics: late };
      const { logs, unmount } = mountWith(() => hooks.useEventSource(`${server.base}/dribble?n=1000&interval=20`, init));
      await logs.lastMessage.until((m) => Number(m?.data) >= 3, 'three messages');
      unmount();
      unmounted = true;
      const changes = Object.values(logs).reduce((n, log) => n + log.values.length, 0);
      assert.equal(record.calls.length, 1);
      await whenAborted(record.calls[0].signal);
      await sleep(100);
      assert.equal(afterUnmount, 0, 'callbacks after unmount');
      assert.equal(Object.values(logs).reduce((n, log) => n + log.values.length, 0), changes, 'refs changed after unmount');
    });

    test('useEventSource: close() aborts, sets status closed, and nothing changes after it', TIMEOUT, async () => {
      const record = recordingFetch();
      const { state, logs, unmount } = mountWith(() => hooks.useEventSource(`${server.base}/dribble?n=1000&interval=20`, { fetch: record.fetch }));
      await logs.lastMessage.until((m) => Number(m?.data) >= 3, 'three messages');
      state.close();
      assert.equal(state.status.value, 'closed');
      await whenAborted(record.calls[0].signal);
      const messages = logs.lastMessage.values.length;
      await sleep(100);
      assert.equal(logs.lastMessage.values.length, messages, 'a message after close()');
      assert.equal(logs.status.last, 'closed');
      unmount();
    });

    test('useEventSource: a new url (a ref) aborts the old stream and opens the new one', TIMEOUT, async () => {
      const record = recordingFetch();
      const messages = [];
      const first = `${server.base}/stall?events=1`;
      const second = `${server.base}/dribble?n=3&interval=0`;
      const url = Vue.ref(first);
      const { state, logs, unmount } = mountWith(() => hooks.useEventSource(url, { fetch: record.fetch, onmessage: (m) => messages.push(m.data) }));
      await logs.lastMessage.until((m) => m?.data === '1', 'the first stream open');
      url.value = second;
      // The old stream is closed silently (no 'closed'): this is the new one's end.
      await logs.status.until((s) => s === 'closed', 'the second stream closed');
      assert.deepEqual(record.calls.map((c) => c.url), [first, second]);
      await whenAborted(record.calls[0].signal);
      assert.equal(state.lastMessage.value?.data, '3');
      assert.deepEqual(messages, ['1', '1', '2', '3']);
      unmount();
    });

    test('useEventSource: a null url is idle and fetches nothing until it is set', TIMEOUT, async () => {
      const record = recordingFetch();
      const url = Vue.ref(null);
      const { logs, unmount } = mountWith(() => hooks.useEventSource(url, { fetch: record.fetch }));
      await Vue.nextTick();
      assert.equal(logs.status.last, 'idle');
      assert.equal(record.calls.length, 0);
      url.value = `${server.base}/dribble?n=1&interval=0`;
      await logs.status.until((s) => s === 'closed', 'status closed');
      assert.equal(record.calls.length, 1);
      unmount();
    });

    test('useChat: send() streams the answer and stores the turn; status connecting, streaming, done', TIMEOUT, async () => {
      const url = `${server.base}/openai?n=30&interval=0`;
      const expected = await expectedText(url);
      const record = recordingFetch();
      const { state, logs, unmount } = mountWith(() => hooks.useChat({ url, model: 'test', flush: 'event', fetchOptions: { fetch: record.fetch } }));
      state.send('hi');
      await logs.status.until((s) => s === 'done', 'status done');
      assert.equal(state.answer.value.text, expected);
      assert.equal(state.answer.value.done, true);
      assert.deepEqual(state.messages.value, [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: expected },
      ]);
      assert.equal(typeof state.timeToFirstTokenMs.value, 'number');
      const statuses = transitions(logs.status.values);
      assert.ok(isSubsequence(statuses, ['idle', 'connecting', 'streaming', 'done']), statuses.join());
      assert.equal(statuses.at(-1), 'done');
      assert.equal(record.calls.length, 1);
      unmount();
    });

    test('useChat: stop() aborts, keeps the partial answer as the turn, and nothing changes after it', TIMEOUT, async () => {
      const url = `${server.base}/openai?n=1000&interval=20`;
      const expected = await expectedText(url);
      const record = recordingFetch();
      const { state, logs, unmount } = mountWith(() => hooks.useChat({ url, flush: 'event', fetchOptions: { fetch: record.fetch } }));
      state.send('hi');
      await logs.answer.until((a) => a.text.length > 10, 'some text');
      state.stop();
      assert.equal(state.status.value, 'stopped');
      await whenAborted(record.calls[0].signal);
      const partial = state.messages.value.at(-1);
      assert.equal(partial.role, 'assistant');
      assert.ok(partial.content.length > 0 && partial.content.length < expected.length && expected.startsWith(partial.content), partial.content);
      const answers = logs.answer.values.length;
      await sleep(100);
      assert.equal(logs.answer.values.length, answers, 'the answer changed after stop()');
      assert.equal(logs.status.last, 'stopped');
      unmount();
    });

    test('useChat: unmount aborts the turn, and no ref changes and no callback runs after it', TIMEOUT, async () => {
      const record = recordingFetch();
      let afterUnmount = 0;
      let unmounted = false;
      const late = () => unmounted && afterUnmount++;
      const fetchOptions = { fetch: record.fetch, onmessage: late, onmetrics: late, onerror: late, onclose: late };
      const { state, logs, unmount } = mountWith(() => hooks.useChat({ url: `${server.base}/openai?n=1000&interval=20`, flush: 'event', fetchOptions }));
      state.send('hi');
      await logs.answer.until((a) => a.text.length > 10, 'some text');
      unmount();
      unmounted = true;
      const changes = Object.values(logs).reduce((n, log) => n + log.values.length, 0);
      await whenAborted(record.calls[0].signal);
      await sleep(100);
      assert.equal(afterUnmount, 0, 'callbacks after unmount');
      assert.equal(Object.values(logs).reduce((n, log) => n + log.values.length, 0), changes, 'refs changed after unmount');
      // A send() after unmount does nothing.
      state.send('again');
      assert.equal(record.calls.length, 1);
    });
  });
}
