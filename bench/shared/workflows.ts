/**
 * The benchmark worker's workflows: the library's, plus the smallest hand-written Temporal version
 * of the seed's loop. Measured beside the library, it shows what any timer-and-activity poll costs on
 * this server (the floor), so the library's own share of the overhead can be told apart from it.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { CodikaActivities } from '../../src/activities/create-codika-activities';
import type { CodikaExecutionInput } from '../../src/shared/execution-types';
import { DEFAULT_POLL_SETTINGS } from '../../src/shared/poll-options';

// A bundle entry: the worker registers whatever it exports, so every library workflow comes along.
export * from '../../src/workflows';

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
