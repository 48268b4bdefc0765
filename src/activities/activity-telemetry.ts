import { Context } from '@temporalio/activity';
import { ApplicationFailure, type MetricCounter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
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

/** Created once: making a metric crosses into the native runtime, too dear for every request. */
let counters: { responses: MetricCounter; statusChecks: MetricCounter } | undefined;

/**
 * Counts Codika's answers in the worker's metrics (Prometheus or OpenTelemetry, whatever the
 * Temporal runtime exports): `codika_http_responses` by endpoint and status code, and
 * `codika_status_checks`. Called from inside an activity, whose ids tag the counts as the SDK's
 * own activity metrics are tagged.
 */
export function recordCodikaResponse({ endpoint, outcome }: CodikaResponseEvent): void {
  const meter = Runtime.instance().metricMeter;
  counters ??= {
    responses: meter.createCounter(
      'codika_http_responses',
      '1',
      "Codika's answers, by endpoint and HTTP status (or timeout, network…)",
    ),
    statusChecks: meter.createCounter('codika_status_checks', '1', 'Status checks sent to Codika'),
  };
  const { namespace, taskQueue, activityType } = Context.current().info;
  const tags = { namespace, taskQueue, activityType };
  counters.responses.add(1, { ...tags, endpoint, status_code: outcome });
  if (endpoint === 'status') counters.statusChecks.add(1, tags);
}
