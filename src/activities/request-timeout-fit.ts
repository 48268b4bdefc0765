import type { Info } from '@temporalio/activity';
import { CODIKA_CONFIGURATION_ERROR } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';

/** Time an activity needs after its request gave up to report the failure before Temporal's timeout fires. */
export const REPORT_MARGIN_MS = 1_000;

/**
 * Whether a request that may take `requestTimeoutMs` fits an activity of this start-to-close timeout:
 * if it does not, Temporal ends the attempt first and retries it while the request still runs.
 */
export function requestFits(requestTimeoutMs: number, startToCloseTimeoutMs: number): boolean {
  return requestTimeoutMs + REPORT_MARGIN_MS <= startToCloseTimeoutMs;
}

/**
 * Refuses, before any request, a single-call activity whose start-to-close timeout (the step's
 * `poll.activityTimeout`) is too short for the worker's request timeout: a non-retryable
 * `CodikaConfigurationError` naming both settings. A start-to-close cut short by the step's deadline
 * is no mistake and goes ahead.
 */
export function assertRequestFits(info: Info, requestTimeoutMs: number): void {
  const allowedMs = info.startToCloseTimeoutMs;
  if (!allowedMs || requestFits(requestTimeoutMs, allowedMs)) return;
  // Temporal shortens start-to-close to the schedule-to-close left: the step's deadline is near,
  // not a setting wrong. The deadline ends the call either way.
  if (info.scheduleToCloseTimeoutMs && allowedMs >= info.scheduleToCloseTimeoutMs) return;
  throw nonRetryableFailure(
    CODIKA_CONFIGURATION_ERROR,
    `The worker's request timeout (requestTimeoutMs, CODIKA_REQUEST_TIMEOUT_MS: ${requestTimeoutMs} ms) does not ` +
      `fit this ${info.activityType} call's start-to-close timeout (poll.activityTimeout: ${allowedMs} ms): a slow ` +
      `answer would be cut off by Temporal and sent again while the first request still runs. Set ` +
      `poll.activityTimeout to at least ${requestTimeoutMs + REPORT_MARGIN_MS} ms, or lower the request timeout.`,
    { requestTimeoutMs, activityTimeoutMs: allowedMs },
  );
}
