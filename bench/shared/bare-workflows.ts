/**
 * The smallest hand-written Temporal versions of what the library does, with nothing but the
 * library's activities: the floor the benchmarks measure the library against. Bundled on their
 * own for the scale scenario, so their workers create workflows from a bundle this small, as a
 * user's own minimal workflow would (only `@temporalio/workflow` and these few lines).
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { CodikaActivities } from '../../src/activities/create-codika-activities';
import type { CodikaExecutionInput } from '../../src/shared/execution-types';
import { DEFAULT_POLL_SETTINGS } from '../../src/shared/poll-options';
import { AUTO_SCHEDULE } from '../../src/workflows/execution/polling-strategies';

/** Trigger, then a fixed-interval timer and a status activity until the answer is final. Nothing else. */
export async function bareTemporalPollLoop(
  input: CodikaExecutionInput,
  pollIntervalMs: number,
): Promise<{ executionId: string; polls: number }> {
  const { triggerCodikaExecution, getCodikaExecutionStatus } = proxyActivities<CodikaActivities>({
    // The library's own activity timeout: the activities refuse one too short for the worker's request timeout.
    startToCloseTimeout: DEFAULT_POLL_SETTINGS.activityTimeoutMs,
  });
  const { executionId } = await triggerCodikaExecution(input);
  for (let polls = 1; ; polls += 1) {
    await sleep(pollIntervalMs);
    const status = await getCodikaExecutionStatus({ processInstanceId: input.processInstanceId, executionId });
    if (status.status !== 'pending') return { executionId, polls };
  }
}

/**
 * `auto`'s schedule with nothing around it: one trigger attempt, the heartbeating check loop for the
 * first phase, then a timer and the retry-policy loop. No validation, summaries, current details,
 * search attributes, memo, markers, query or signal handlers: the scale scenario's floor.
 */
export async function bareAutoPoll(input: CodikaExecutionInput): Promise<{ executionId: string; polls: number }> {
  const { triggerCodikaExecution } = proxyActivities<CodikaActivities>({
    startToCloseTimeout: DEFAULT_POLL_SETTINGS.activityTimeoutMs,
    retry: { maximumAttempts: 1 },
  });
  const { executionId } = await triggerCodikaExecution(input);
  const target = { processInstanceId: input.processInstanceId, executionId };

  const { pollCodikaExecution } = proxyActivities<CodikaActivities>({
    // The library bounds the loop by the run's deadline; here the phase plus one activity timeout.
    startToCloseTimeout: AUTO_SCHEDULE.activityPhaseMs + DEFAULT_POLL_SETTINGS.activityTimeoutMs,
    heartbeatTimeout: '30 seconds',
  });
  const first = await pollCodikaExecution({
    ...target,
    firstPollAfterMs: Math.min(DEFAULT_POLL_SETTINGS.firstPollAfterMs, AUTO_SCHEDULE.activityPhaseMs),
    backoffCoefficient: 1,
    maxPollIntervalMs: AUTO_SCHEDULE.activityIntervalMs,
    stopAfterMs: AUTO_SCHEDULE.activityPhaseMs,
  });
  if (first.status !== 'pending') return { executionId, polls: first.polls };

  await sleep(AUTO_SCHEDULE.retryInitialMs);
  const { checkCodikaExecution } = proxyActivities<CodikaActivities>({
    startToCloseTimeout: DEFAULT_POLL_SETTINGS.activityTimeoutMs,
    scheduleToCloseTimeout: DEFAULT_POLL_SETTINGS.deadlineMs,
    retry: {
      initialInterval: AUTO_SCHEDULE.retryInitialMs,
      backoffCoefficient: AUTO_SCHEDULE.retryCoefficient,
      maximumInterval: AUTO_SCHEDULE.retryMaxMs,
    },
  });
  const final = await checkCodikaExecution(target);
  return { executionId, polls: first.polls + final.polls };
}
