import { TemporalSharedBackoff } from '../../../src/activities/shared-backoff';

test('outside an activity (no client), a 429 still holds back this worker until its Retry-After', async () => {
  let now = 1_000_000;
  const backoff = new TemporalSharedBackoff(500, () => now);
  await expect(backoff.waitMs('pi_a')).resolves.toBe(0);
  backoff.rateLimited('pi_a', 5_000);
  await expect(backoff.waitMs('pi_a')).resolves.toBe(5_000);
  await expect(backoff.waitMs('pi_b')).resolves.toBe(0);
  now += 4_000;
  await expect(backoff.waitMs('pi_a')).resolves.toBe(1_000);
  // A shorter Retry-After never shortens a back-off already in force.
  backoff.rateLimited('pi_a', 200);
  await expect(backoff.waitMs('pi_a')).resolves.toBe(1_000);
  now += 1_000;
  await expect(backoff.waitMs('pi_a')).resolves.toBe(0);
});
