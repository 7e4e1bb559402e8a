// Summaries of repeated timings. The median is what the tables report: one
// slow run (a GC pause, the other core busy) moves it less than it moves a mean.

/** @param {number[]} xs */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * @param {number[]} times milliseconds
 * @returns {{ median: number, min: number, max: number, spread: number }}
 *   spread is (max - min) / median: how far apart the runs were.
 */
export function summarize(times) {
  const m = median(times);
  const min = Math.min(...times);
  const max = Math.max(...times);
  return { median: m, min, max, spread: (max - min) / m };
}
