/**
 * How bunched a set of requests arrived, for tests and benchmarks that check a rate limit from the
 * mock's side (`MockRequestRecord.at`).
 */

/** The most of `times` (epoch milliseconds, any order) within any one second. */
export function mostInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
