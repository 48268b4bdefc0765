/**
 * The activities' heartbeats. Two intervals, for two purposes: liveness while one request is in
 * flight, and progress of the `activity` strategy's polling loop.
 */

/**
 * How often an activity heartbeats while a request is in flight: well inside the 10 s heartbeat
 * timeout of single calls, so a slow answer is never taken for a dead worker, and a cancellation
 * reaches the activity within seconds.
 */
export const REQUEST_HEARTBEAT_EVERY_MS = 1_000;

/**
 * Records progress at most this often; the workflow's heartbeat timeout is three times longer. Each
 * heartbeat crosses into the SDK's native layer and, on a Codika worker (whose throttle lets every
 * heartbeat a second apart through, for cancellations), reaches the server: the loop's one heartbeat
 * before each check is enough for cancellations, so progress is recorded only this often.
 */
export const PROGRESS_HEARTBEAT_EVERY_MS = 10_000;

/**
 * Runs `work` and calls `beat` every `everyMs` until it settles. A request to Codika can take as long
 * as the worker's request timeout; without beats meanwhile, the activity's heartbeat timeout would
 * end the attempt and Temporal would retry it while the first request still runs.
 */
export async function heartbeatWhile<T>(beat: () => void, everyMs: number, work: Promise<T>): Promise<T> {
  const timer = setInterval(beat, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
