// The chaos runs, for Node and a page alike (no imports but stream.js): the
// package's fetchEventSource against the test server's /chaos route (see
// tests/server/chaos.mjs). Each run returns what it saw; the test asserts.

import { chaosEvent, random, mix } from './stream.js';

/** What the client is told: stalls under `idleTimeoutMs` must be sat out, those over it are timeouts. */
export const CHAOS_OPTIONS = { idleTimeoutMs: 800, retryDelayMs: 1, maxDelayMs: 50, jitter: 0 };

const unique = () => Math.random().toString(36).slice(2);
const settleTime = () => new Promise((ok) => setTimeout(ok, 100));

/**
 * `n` events through drops and stalls. Returns the first event that differs
 * from the stream (or null), how many arrived, the error types onerror saw, the
 * server's record of how each connection ended, and how the promise settled.
 */
export async function runDelivery(fetchEventSource, { base, seed, n }) {
  const stream = `delivery-${seed}-${unique()}`;
  const url = `${base}/chaos?seed=${seed}&n=${n}&idle=${CHAOS_OPTIONS.idleTimeoutMs}&stream=${stream}`;
  const got = [];
  const errors = {};
  let closes = 0;
  let settled;
  try {
    await fetchEventSource(url, {
      ...CHAOS_OPTIONS,
      onmessage: (m) => got.push({ id: m.id, event: m.event, data: m.data }),
      onerror: (e) => void (errors[e?.type ?? String(e)] = (errors[e?.type ?? String(e)] ?? 0) + 1),
      onclose: () => closes++,
    });
    settled = 'resolved';
  } catch (error) {
    settled = `rejected: ${error?.type ?? ''} ${error?.message ?? error}`;
  }
  let mismatch = null;
  for (let i = 0; i < Math.max(got.length, n) && !mismatch; i++) {
    const want = i < n ? chaosEvent(seed, i + 1) : null;
    const have = got[i];
    if (!want || !have || have.id !== want.id || have.event !== want.event || have.data !== want.data) {
      mismatch = { index: i, have: have ?? null, want: want && { id: want.id, event: want.event, data: want.data } };
    }
  }
  const stats = await (await fetch(`${base}/chaos-stats?stream=${stream}`)).json();
  const endings = {};
  for (const e of stats.endings) endings[e.kind] = (endings[e.kind] ?? 0) + 1;
  return { events: got.length, mismatch, errors, closes, settled, connections: stats.connections, stalls: stats.stalls, endings };
}

/**
 * Aborts a chaos stream of `n` events, once from inside onmessage at a seeded
 * event and once from a timer at a seeded time (which may fall in a stall, a
 * retry wait or a read), and counts every callback that ran after the abort.
 */
export async function runAborts(fetchEventSource, { base, seed, n }) {
  const r = random(mix(seed, 0xab0));
  const plans = [
    { how: 'in onmessage', atEvent: r.int(1, n) },
    { how: 'from a timer', afterMs: r.int(0, 1000) },
  ];
  const results = [];
  for (const plan of plans) {
    const controller = new AbortController();
    const url = `${base}/chaos?seed=${seed}&n=${n}&idle=${CHAOS_OPTIONS.idleTimeoutMs}&stream=abort-${seed}-${unique()}`;
    const after = [];
    let events = 0;
    const note = (name) => () => void (controller.signal.aborted && after.push(name));
    const timer = plan.afterMs === undefined ? null : setTimeout(() => controller.abort(), plan.afterMs);
    let settled;
    try {
      await fetchEventSource(url, {
        ...CHAOS_OPTIONS,
        signal: controller.signal,
        onstream: note('onstream'),
        onmessage: (m) => {
          note('onmessage')();
          events++;
          if (Number(m.id) === plan.atEvent) controller.abort();
        },
        onerror: note('onerror'),
        onretry: note('onretry'),
        onclose: note('onclose'),
        onmetrics: note('onmetrics'),
      });
      settled = 'resolved';
    } catch (error) {
      settled = `rejected: ${error?.type ?? ''} ${error?.message ?? error}`;
    }
    clearTimeout(timer);
    // Anything still queued (a batch, a timer, a flush) has had its chance to run.
    await settleTime();
    results.push({ ...plan, aborted: controller.signal.aborted, events, settled, after });
  }
  return results;
}
