import { parseRetryAfter } from '../../../src/codika/retry-after';

const NOW = Date.parse('2025-03-15T10:30:00.000Z');

describe('parseRetryAfter', () => {
  test.each([
    ['2', 2000],
    ['0', 0],
    ['120', 120_000],
    ['1.5', 1500],
    ['  3  ', 3000],
  ])('a delay of %p seconds is %p ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  test('an HTTP date is the time from now until that date', () => {
    expect(parseRetryAfter('Sat, 15 Mar 2025 10:30:03 GMT', NOW)).toBe(3000);
    expect(parseRetryAfter('Sat, 15 Mar 2025 11:30:00 GMT', NOW)).toBe(3_600_000);
  });

  test('an HTTP date in the past means retry now, never a negative delay', () => {
    expect(parseRetryAfter('Sat, 15 Mar 2025 10:29:00 GMT', NOW)).toBe(0);
  });

  test.each([null, undefined, '', '   ', 'soon', 'not-a-date'])('%p gives no delay', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  test('defaults now to the current time', () => {
    const value = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString());

    expect(value).toBeGreaterThan(8_500);
    expect(value).toBeLessThanOrEqual(10_000);
  });
});
