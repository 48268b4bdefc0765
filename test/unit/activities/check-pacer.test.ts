import { CheckPacer } from '../../../src/activities/check-pacer';

test('hands out slots one spacing apart, in order of asking, and lets a quiet spell reset the line', () => {
  let now = 10_000;
  const pacer = new CheckPacer(4, () => now);
  expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([0, 250, 500]);
  now += 100;
  expect(pacer.reserve()).toBe(650); // behind the three already waiting
  now += 5_000;
  expect(pacer.reserve()).toBe(0);
});

test('with no cap, nobody waits', () => {
  const pacer = new CheckPacer(Infinity, () => 0);
  expect(Array.from({ length: 1_000 }, () => pacer.reserve()).every((wait) => wait === 0)).toBe(true);
});
