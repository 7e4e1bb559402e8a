// wasm-sse/react's useEventSource and useChat, rendered with react-test-renderer
// in Node against the local SSE test server, on the oldest React the README
// claims (18.0.0) and the newest. Node rather than a page: the hooks' logic is
// the same in both, the package's Node entry runs the same wasm client, and a
// renderer with no DOM needs no bundler to pick a React version, so each
// version set is a plain folder here with its own node_modules.
//
// No act(): the stream's updates come from the network, outside any act scope.
// The root is concurrent (createRoot's mode, where StrictMode runs effects
// twice), and every render of the probe is logged for the test to wait on.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startSseServer } from '../support/sse-server.mjs';
import { VERSION_SETS, expectedText, installPackage, isSubsequence, recordingFetch, whenAborted, signalled, sleep, transitions, unique, valueLog } from './support.mjs';

const WANT_VERSION = { 'react-18': /^18\.0\.0\b/, 'react-latest': /^19\./ };
const TIMEOUT = { timeout: 15_000 };

let server;
before(async () => {
  server = await startSseServer();
});
after(() => server?.close());

// Updates arrive outside act() by design (see the top); React must not ask for it.
globalThis.IS_REACT_ACT_ENVIRONMENT = false;
const consoleError = console.error;
const reactErrors = [];
console.error = (...args) => {
  const text = args.map(String).join(' ');
  // React 19 says once that react-test-renderer is deprecated (in favour of a DOM renderer).
  if (/react-test-renderer is deprecated/.test(text)) return;
  reactErrors.push(text);
  consoleError(...args);
};
after(() => assert.deepEqual(reactErrors, [], 'React logged errors'));

// react.js picks its effect at import: a layout effect where a `document`
// exists (browsers), a plain one elsewhere (Node, SSR). Each path is imported
// as its own module instance (a query in the URL), the browser one while a
// stand-in `document` exists; nothing else reads it then.
const EFFECT_PATHS = { 'without a document (useEffect)': null, 'with a document (useLayoutEffect)': 'layout' };

for (const set of VERSION_SETS.react) {
  for (const [path, query] of Object.entries(EFFECT_PATHS)) {
    describe(`wasm-sse/react on ${set}, ${path}`, () => {
      let React;
      let TestRenderer;
      let hooks;

      before(async () => {
        const dir = installPackage(set);
        const require = createRequire(join(dir, 'package.json'));
        React = require('react');
        TestRenderer = require('react-test-renderer');
        assert.match(React.version, WANT_VERSION[set]);
        const url = pathToFileURL(join(dir, 'node_modules', 'wasm-sse', 'react.js'));
        if (query === null) {
          hooks = await import(url);
        } else {
          url.search = query;
          globalThis.document = {};
          try {
            hooks = await import(url);
          } finally {
            delete globalThis.document;
          }
        }
      });

      const h = (...args) => React.createElement(...args);

      /** Renders `hook(props)` in a probe; each render's result goes to the log. */
      function render(hook, props, { strict = false } = {}) {
        const renders = valueLog();
        const mounted = signalled();
        const unmounted = signalled();
        let unmounting = false;
        let gone = false;
        function Probe(p) {
          renders.push(hook(p));
          return null;
        }
        // Its effect runs after the probe's (siblings in order), and its cleanup
        // in the commit that unmounts the probe (StrictMode's rehearsal of an
        // unmount runs it too, hence the flag).
        function UnmountSignal() {
          React.useEffect(() => {
            mounted.resolve();
            return () => {
              if (!unmounting) return;
              gone = true;
              unmounted.resolve();
            };
          }, []);
          return null;
        }
        const tree = (p) => {
          const children = h(React.Fragment, null, h(Probe, p), h(UnmountSignal));
          return strict ? h(React.StrictMode, null, children) : children;
        };
        const renderer = TestRenderer.create(tree(props), { unstable_isConcurrent: true });
        return {
          renders,
          /** The latest render, once the probe's effects have run (useChat's send() needs them). */
          mounted: async () => {
            await mounted.promise;
            return renders.last;
          },
          update: (p) => renderer.update(tree(p)),
          /** Whether the commit that unmounted the probe (and ran its effects' cleanups) is done. */
          isUnmounted: () => gone,
          async unmount() {
            unmounting = true;
            renderer.unmount();
            await unmounted.promise;
          },
        };
      }

      const useEventSourceProbe = ({ url, init }) => hooks.useEventSource(url, init);

      test('useEventSource: the status follows the client loop (connecting, open, retrying, closed) and every message arrives', TIMEOUT, async () => {
        const record = recordingFetch();
        record.hold(2);
        const retries = [];
        const messages = [];
        const init = { fetch: record.fetch, retryDelayMs: 1, jitter: 0, onretry: (r) => retries.push(r.retry), onmessage: (m) => messages.push(m.data) };
        const { renders, unmount } = render(useEventSourceProbe, { url: `${server.base}/drop?total=4&every=2&stream=${unique()}`, init });
        // The first connection drops after two events; the retry is held, so the
        // status the retry decision set stays until the test has seen it.
        await renders.until((r) => r.status === 'retrying', 'status retrying');
        assert.deepEqual(retries, [1]);
        record.release(2);
        const done = await renders.until((r) => r.status === 'closed', 'status closed');
        assert.equal(done.lastMessage?.data, '4');
        assert.equal(done.error, null);
        assert.deepEqual(messages, ['1', '2', '3', '4']);
        const statuses = transitions(renders.values.map((r) => r.status));
        assert.ok(isSubsequence(statuses, ['connecting', 'open', 'retrying', 'open', 'closed']), statuses.join());
        assert.equal(statuses[0], 'connecting');
        await unmount();
      });

      test('useEventSource: an error the policy does not retry is status error with the typed error', TIMEOUT, async () => {
        const { renders, unmount } = render(useEventSourceProbe, { url: `${server.base}/status?code=404&body=gone` });
        const failed = await renders.until((r) => r.status === 'error', 'status error');
        assert.equal(failed.error?.type, 'http-status');
        assert.equal(failed.error?.status, 404);
        await unmount();
      });

      test('useEventSource: unmount aborts the stream, and no callback runs after it', TIMEOUT, async () => {
        const record = recordingFetch();
        let afterUnmount = 0;
        let view;
        const late = () => view?.isUnmounted() && afterUnmount++;
        const init = { fetch: record.fetch, onmessage: late, onerror: late, onclose: late, onmetrics: late };
        view = render(useEventSourceProbe, { url: `${server.base}/dribble?n=1000&interval=20`, init });
        const { renders, unmount } = view;
        await renders.until((r) => Number(r.lastMessage?.data) >= 3, 'three messages');
        await unmount();
        const rendersBefore = renders.values.length;
        assert.equal(record.calls.length, 1);
        await whenAborted(record.calls[0].signal);
        // Nothing announces that nothing more comes: give it many server intervals.
        await sleep(100);
        assert.equal(afterUnmount, 0, 'callbacks after unmount');
        assert.equal(renders.values.length, rendersBefore, 'renders after unmount');
      });

      test('useEventSource: close() aborts, sets status closed, and nothing changes after it', TIMEOUT, async () => {
        const record = recordingFetch();
        let afterClose = 0;
        let closed = false;
        const init = { fetch: record.fetch, onmessage: () => closed && afterClose++ };
        const { renders, unmount } = render(useEventSourceProbe, { url: `${server.base}/dribble?n=1000&interval=20`, init });
        const streaming = await renders.until((r) => Number(r.lastMessage?.data) >= 3, 'three messages');
        closed = true;
        streaming.close();
        const end = await renders.until((r) => r.status === 'closed', 'status closed');
        await whenAborted(record.calls[0].signal);
        await sleep(100);
        assert.equal(afterClose, 0, 'onmessage after close()');
        for (const r of renders.values.slice(renders.values.indexOf(end))) {
          assert.equal(r.status, 'closed');
          assert.equal(r.lastMessage, end.lastMessage, 'a message after close()');
        }
        await unmount();
      });

      test('useEventSource: a new url aborts the old stream and opens the new one', TIMEOUT, async () => {
        const record = recordingFetch();
        const messages = [];
        const init = { fetch: record.fetch, onmessage: (m) => messages.push(m.data) };
        const first = `${server.base}/stall?events=1`;
        const second = `${server.base}/dribble?n=3&interval=0`;
        const { renders, update, unmount } = render(useEventSourceProbe, { url: first, init });
        await renders.until((r) => r.lastMessage?.data === '1' && r.status === 'open', 'the first stream open');
        update({ url: second, init });
        const done = await renders.until((r) => r.status === 'closed', 'the second stream closed');
        assert.deepEqual(record.calls.map((c) => c.url), [first, second]);
        await whenAborted(record.calls[0].signal);
        assert.equal(done.lastMessage?.data, '3');
        assert.deepEqual(messages, ['1', '1', '2', '3']);
        await unmount();
      });

      test('useEventSource: a null url is idle and fetches nothing', TIMEOUT, async () => {
        const record = recordingFetch();
        const { renders, update, unmount } = render(useEventSourceProbe, { url: null, init: { fetch: record.fetch } });
        await renders.until((r) => r.status === 'idle', 'status idle');
        update({ url: `${server.base}/dribble?n=1&interval=0`, init: { fetch: record.fetch } });
        await renders.until((r) => r.status === 'closed', 'status closed');
        assert.equal(record.calls.length, 1);
        await unmount();
      });

      test('useEventSource in StrictMode: the rehearsed unmount leaves one live stream, and unmount leaves none', TIMEOUT, async () => {
        const record = recordingFetch();
        const { renders, unmount } = render(useEventSourceProbe, { url: `${server.base}/stall?events=1`, init: { fetch: record.fetch } }, { strict: true });
        await renders.until((r) => r.status === 'open' && r.lastMessage?.data === '1', 'the stream open');
        assert.equal(record.live(), 1, `${record.live()} live streams of ${record.calls.length}`);
        await unmount();
        assert.equal(record.live(), 0, 'a stream outlived the unmount');
      });

      const useChatProbe = (options) => hooks.useChat(options);

      test('useChat: send() streams the answer and stores the turn; status connecting, streaming, done', TIMEOUT, async () => {
        const url = `${server.base}/openai?n=30&interval=0`;
        const expected = await expectedText(url);
        const record = recordingFetch();
        const { renders, mounted, unmount } = render(useChatProbe, { url, model: 'test', flush: 'event', fetchOptions: { fetch: record.fetch } });
        (await mounted()).send('hi');
        const done = await renders.until((r) => r.status === 'done', 'status done');
        assert.equal(done.answer.text, expected);
        assert.equal(done.answer.done, true);
        assert.deepEqual(done.messages, [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: expected },
        ]);
        assert.equal(typeof done.timeToFirstTokenMs, 'number');
        const statuses = transitions(renders.values.map((r) => r.status));
        assert.ok(isSubsequence(statuses, ['idle', 'connecting', 'streaming', 'done']), statuses.join());
        assert.equal(record.calls.length, 1);
        await unmount();
      });

      test('useChat: stop() aborts, keeps the partial answer as the turn, and nothing changes after it', TIMEOUT, async () => {
        const url = `${server.base}/openai?n=1000&interval=20`;
        const expected = await expectedText(url);
        const record = recordingFetch();
        const { renders, mounted, unmount } = render(useChatProbe, { url, flush: 'event', fetchOptions: { fetch: record.fetch } });
        (await mounted()).send('hi');
        const streaming = await renders.until((r) => r.answer.text.length > 10, 'some text');
        streaming.stop();
        const stopped = await renders.until((r) => r.status === 'stopped', 'status stopped');
        await whenAborted(record.calls[0].signal);
        const partial = stopped.messages.at(-1);
        assert.equal(partial.role, 'assistant');
        assert.ok(partial.content.length > 0 && partial.content.length < expected.length && expected.startsWith(partial.content), partial.content);
        await sleep(100);
        for (const r of renders.values.slice(renders.values.indexOf(stopped))) {
          assert.equal(r.status, 'stopped');
          assert.equal(r.answer, stopped.answer, 'the answer changed after stop()');
        }
        await unmount();
      });

      test('useChat: unmount aborts the turn, and no callback runs after it', TIMEOUT, async () => {
        const record = recordingFetch();
        let afterUnmount = 0;
        let view;
        const late = () => view?.isUnmounted() && afterUnmount++;
        const fetchOptions = { fetch: record.fetch, onmessage: late, onmetrics: late, onerror: late, onclose: late };
        view = render(useChatProbe, { url: `${server.base}/openai?n=1000&interval=20`, flush: 'event', fetchOptions });
        const { renders, mounted, unmount } = view;
        (await mounted()).send('hi');
        await renders.until((r) => r.answer.text.length > 10, 'some text');
        await unmount();
        const rendersBefore = renders.values.length;
        await whenAborted(record.calls[0].signal);
        await sleep(100);
        assert.equal(afterUnmount, 0, 'callbacks after unmount');
        assert.equal(renders.values.length, rendersBefore, 'renders after unmount');
      });

      test('useChat in StrictMode: send() still works after the rehearsed unmount, with one request', TIMEOUT, async () => {
        const url = `${server.base}/openai?n=5&interval=0`;
        const expected = await expectedText(url);
        const record = recordingFetch();
        const { renders, mounted, unmount } = render(useChatProbe, { url, flush: 'event', fetchOptions: { fetch: record.fetch } }, { strict: true });
        (await mounted()).send('hi');
        const done = await renders.until((r) => r.status === 'done', 'status done');
        assert.equal(done.answer.text, expected);
        assert.equal(record.calls.length, 1);
        await unmount();
      });
    });
  }
}
