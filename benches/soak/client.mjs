// One soak run, the same in Node and in the bench page: fetchEventSource over a
// whole stream, counting what arrives. `progress` is read by the sampler (in
// Node directly, in Chromium through the page) while the run goes on.

/** Progress of the current run; the sampler reads it every second. */
export const progress = { events: 0, dataLength: 0, textLength: 0, displayLength: 0, flushes: 0, done: false, metricsEvents: 0, bytes: 0 };

/**
 * Streams `url` through `fetchEventSource`: `plain` counts onmessage events,
 * `openai` uses the delta option (markdown 'hold', a flush per frame) and
 * counts the text. Resolves with the time it took and what arrived.
 */
export async function soakOnce(fetchEventSource, { url, kind }) {
  Object.assign(progress, { events: 0, dataLength: 0, textLength: 0, displayLength: 0, flushes: 0, done: false, metricsEvents: 0, bytes: 0 });
  const options =
    kind === 'openai'
      ? {
          delta: {
            format: 'openai',
            markdown: 'hold',
            onDelta(flush) {
              progress.flushes++;
              progress.textLength = flush.text.length;
              // Reading `display` builds it, as a UI that renders each flush does.
              progress.displayLength = flush.display.length;
              progress.done = flush.done;
            },
          },
        }
      : {
          onmessage(m) {
            progress.events++;
            progress.dataLength += m.data.length;
          },
        };
  let error = null;
  const t0 = performance.now();
  try {
    await fetchEventSource(url, {
      ...options,
      maxRetries: 0,
      onmetrics(m) {
        progress.metricsEvents = m.events;
        progress.bytes = m.bytes;
      },
    });
  } catch (e) {
    error = `${e?.type ?? ''} ${e?.message ?? e}`;
  }
  return { ms: performance.now() - t0, error, ...progress };
}
