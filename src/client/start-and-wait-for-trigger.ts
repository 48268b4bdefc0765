import {
  WithStartWorkflowOperation,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { CodikaValidationError } from '../shared/errors';

/**
 * The early return both start helpers offer: starts `workflowType` and sends `update` in one round
 * trip (update-with-start), and returns the update's result with the run's handle. One workflow id
 * is one request: an open run with it is waited on (`USE_EXISTING`), a closed one never started
 * again (`REJECT_DUPLICATE`, which the caller may turn into an answer).
 *
 * @throws CodikaValidationError when `options.workflowId` is the helper's own (not the caller's).
 */
export async function startAndWaitForTrigger<T extends Workflow, R>(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions<T>,
  update: UpdateDefinition<R, []>,
): Promise<{ handle: WorkflowHandle<T>; result: R }> {
  const policies = { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' } as const;
  const start = new WithStartWorkflowOperation<T>(workflowType, { ...options, ...policies } as WorkflowStartOptions<T> &
    typeof policies);
  const result = await client.workflow.executeUpdateWithStart(update, { startWorkflowOperation: start });
  return { handle: await start.workflowHandle(), result };
}

/** `waitForTrigger` is idempotent only under an id of the caller's (an order id, a request id). */
export function requireOwnWorkflowId(workflowId: string | undefined): void {
  if (workflowId === undefined) {
    throw new CodikaValidationError(
      'workflowId',
      'waitForTrigger needs a workflowId of your own (an order id, a request id), which makes the call idempotent',
    );
  }
}
