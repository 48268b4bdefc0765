import { setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms` milliseconds: the one `sleep` of the tests. */
export { sleep };

/** Resolves once `condition` holds, checking every `everyMs`. @throws Error naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  { timeoutMs = 60_000, everyMs = 10 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves once the asynchronous `condition` holds (a query, a describe), asking every `everyMs`. */
export async function waitUntilAsync(
  condition: () => Promise<boolean>,
  what: string,
  { timeoutMs = 60_000, everyMs = 200 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}
