/**
 * The one duration parser and the one formatter. The parser runs in workflow code, so during replay:
 * it must accept exactly what the poll options have always accepted (the grammar of the `ms` package
 * that Temporal's own duration strings use) and give the same number, or a recorded history could
 * take another path. `test/unit/shared/durations.test.ts` holds it to that, case by case.
 */

/** A duration as the options take it: milliseconds, or a string such as `'30 seconds'`, `'2m'`, `'1.5h'`. */
export type Duration = string | number;

const SECOND = 1000;
const MINUTE = SECOND * 60;
const HOUR = MINUTE * 60;
const DAY = HOUR * 24;
const WEEK = DAY * 7;
const YEAR = DAY * 365.25;

/** Each unit's spellings, as the `ms` grammar has them. */
const UNITS: readonly [ms: number, names: readonly string[]][] = [
  [YEAR, ['years', 'year', 'yrs', 'yr', 'y']],
  [WEEK, ['weeks', 'week', 'w']],
  [DAY, ['days', 'day', 'd']],
  [HOUR, ['hours', 'hour', 'hrs', 'hr', 'h']],
  [MINUTE, ['minutes', 'minute', 'mins', 'min', 'm']],
  [SECOND, ['seconds', 'second', 'secs', 'sec', 's']],
  [1, ['milliseconds', 'millisecond', 'msecs', 'msec', 'ms']],
];

const UNIT_MS: ReadonlyMap<string, number> = new Map(UNITS.flatMap(([ms, names]) => names.map((name) => [name, ms])));

const DURATION_TEXT =
  /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;

/** Strings longer than this are refused outright, as they always were. */
const MAX_TEXT_LENGTH = 100;

/**
 * Milliseconds of a duration. A number is taken as it is (the caller checks its range); a string
 * is a number with an optional unit, a space or none between (`'1.5 s'`, `'90s'`, `'2 minutes'`,
 * `'500'` is 500 ms).
 *
 * @throws TypeError when the value is not a number and not such a string.
 */
export function parseDuration(value: Duration): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT_LENGTH) {
    throw new TypeError(`Invalid duration: ${JSON.stringify(value) ?? String(value)}`);
  }
  const match = DURATION_TEXT.exec(value);
  if (!match) throw new TypeError(`Invalid duration string: '${value}'`);
  const amount = parseFloat(match[1]!);
  return amount * UNIT_MS.get((match[2] ?? 'ms').toLowerCase())!;
}

/** A duration as people read it: `450 ms`, `4.5 s`, `12 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}
