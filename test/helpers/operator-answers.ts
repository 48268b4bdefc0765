import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { CodikaResolveTriggerRequest } from '../../src/shared/execution-types';
import type { MockFault } from '../../src/testing/mock-codika/mock-scripts';
import { codikaResolveTriggerUpdate } from '../../src/workflows/execution/operator-answers';

/** Codika started the execution, but its answer was lost on the way back. */
export const LOST_AFTER_ACCEPTANCE: MockFault = { kind: 'http', status: 502, strikes: 'after' };
/** The request failed with an answer that cannot say whether anything started; nothing did. */
export const LOST_BEFORE_ACCEPTANCE: MockFault = { kind: 'http', status: 502, strikes: 'before' };

/** Answers a run's question as an operator would, `by` an on-call address unless given. */
export function resolve(handle: WorkflowHandle, request: Partial<CodikaResolveTriggerRequest>) {
  return handle.executeUpdate(codikaResolveTriggerUpdate, {
    args: [{ by: 'ops@example.com', ...request } as CodikaResolveTriggerRequest],
  });
}

/** The message an update's validator refused it with; fails the test when the update was accepted. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}
