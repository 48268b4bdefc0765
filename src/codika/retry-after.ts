/**
 * Parses an HTTP `Retry-After` value (delay in seconds, or an HTTP date) into milliseconds
 * from `now`. Returns undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // HTTP dates end in GMT; V8's lenient Date.parse would read junk such as '-1' as a date in 2001.
  if (!/ GMT$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
