import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CodikaResponseEvent } from '../codika/client';

/**
 * One warning per failed Codika call, through the activity logger (which adds the workflow id and
 * the activity). The message is the failure's, redacted already; the executionId once there is one.
 */
export function logCallFailure(failure: unknown, executionId?: string): void {
  if (!(failure instanceof ApplicationFailure)) return; // a cancellation, not a Codika failure
  Context.current().log.warn(`Codika call failed${failure.nonRetryable ? '' : '; Temporal retries it'}`, {
    executionId,
    type: failure.type,
    error: failure.message,
  });
}

/**
 * Counts Codika's answers in the worker's metrics (Prometheus or OpenTelemetry, whatever the
 * Temporal runtime exports): `codika_http_responses` by endpoint and status code, and
 * `codika_status_checks`. Called from inside an activity, whose meter carries the worker's tags.
 */
export function recordCodikaResponse({ endpoint, outcome }: CodikaResponseEvent): void {
  const meter = Context.current().metricMeter;
  meter
    .createCounter('codika_http_responses', '1', "Codika's answers, by endpoint and HTTP status (or timeout, network…)")
    .add(1, { endpoint, status_code: outcome });
  if (endpoint === 'status') {
    meter.createCounter('codika_status_checks', '1', 'Status checks sent to Codika').add(1);
  }
}
