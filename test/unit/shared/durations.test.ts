/**
 * The duration parser runs in workflow code, so during replay: it must accept exactly what the poll
 * options accepted when they were parsed by the SDK's internal `msToNumber`, with the same numbers.
 * Each case is checked against a fixed expectation and against `msToNumber` itself.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { formatDuration, parseDuration } from '../../../src/shared/durations';

const ACCEPTED: [input: string | number, ms: number][] = [
  [1500, 1500],
  [0, 0],
  [-1, -1],
  [2.5, 2.5],
  ['500', 500],
  ['1.5 seconds', 1500],
  ['30 seconds', 30_000],
  ['1 second', 1000],
  ['10 secs', 10_000],
  ['10 sec', 10_000],
  ['45s', 45_000],
  ['.5s', 500],
  ['5  s', 5000],
  ['2m', 120_000],
  ['2 Minutes', 120_000],
  ['2MINUTES', 120_000],
  ['3 mins', 180_000],
  ['3 min', 180_000],
  ['1.5h', 5_400_000],
  ['1 hr', 3_600_000],
  ['2 hrs', 7_200_000],
  ['1 hour', 3_600_000],
  ['1d', 86_400_000],
  ['2 days', 172_800_000],
  ['1w', 604_800_000],
  ['1 week', 604_800_000],
  ['1y', 31_557_600_000],
  ['1 yr', 31_557_600_000],
  ['250ms', 250],
  ['250 msecs', 250],
  ['250 millisecond', 250],
  ['-5s', -5000],
  ['0s', 0],
  ['1'.repeat(100), Number('1'.repeat(100))],
];

const REFUSED: unknown[] = [
  '',
  'soon',
  ' 5s',
  '5s ',
  '5 fortnights',
  '1e3',
  '1,5s',
  '5.',
  '.',
  '-',
  '--5s',
  '00:05',
  '5 s s',
  '1'.repeat(101),
  null,
  undefined,
  true,
  {},
  [],
];

describe('parseDuration', () => {
  test.each(ACCEPTED)('%j is %d ms, as msToNumber says', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
    expect(parseDuration(input)).toBe(msToNumber(input as never));
  });

  test('NaN and Infinity pass through as numbers, as they always did (the schema refuses them)', () => {
    expect(parseDuration(NaN)).toBe(msToNumber(NaN));
    expect(parseDuration(Infinity)).toBe(msToNumber(Infinity));
  });

  test.each(REFUSED.map((input) => [input]))('%j is refused, as msToNumber refuses it', (input) => {
    expect(() => msToNumber(input as never)).toThrow();
    expect(() => parseDuration(input as never)).toThrow(TypeError);
  });
});

describe('formatDuration', () => {
  test.each([
    [450, '450 ms'],
    [4_500, '4.5 s'],
    [12_000, '12 s'],
    [200_000, '3 min 20 s'],
    [120_000, '2 min'],
    [3_600_000, '1 h'],
    [7_500_000, '2 h 5 min'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
