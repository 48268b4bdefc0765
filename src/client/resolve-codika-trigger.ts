import type { Client } from '@temporalio/client';
import type { CodikaPipelineState } from '../pipeline/pipeline-types';
import type { CodikaResolveTriggerRequest, CodikaTriggerAnswer } from '../shared/execution-types';
import { codikaResolveTriggerUpdate } from '../workflows/execution/operator-answers';
import { codikaPipelineStateQuery } from '../workflows/codika-pipeline-workflow';

/**
 * Answers a step waiting for an operator because its trigger's outcome is unknown
 * (`onTriggerOutcomeUnknown: 'ask'`), through the `codikaResolveTrigger` Workflow Update, and returns
 * the answer as the step recorded it. An item of a large forEach step runs in a batch child workflow:
 * the answer goes to the batch that holds the item (found in the pipeline's state), so callers name
 * the pipeline they started and the item's index in the whole step.
 *
 * @throws WorkflowUpdateFailedError whose cause says why, when the run refuses the answer (nothing
 *   waits there, a `started` without executionId, a question already answered); nothing is written to
 *   the run's history then.
 * @throws WorkflowNotFoundError when no run with that id is open.
 */
export async function resolveCodikaTrigger(
  client: Client,
  workflowId: string,
  request: CodikaResolveTriggerRequest,
): Promise<CodikaTriggerAnswer> {
  const target = request.item === undefined ? workflowId : await batchHolding(client, workflowId, request);
  return client.workflow.getHandle(target).executeUpdate(codikaResolveTriggerUpdate, { args: [request] });
}

/** The batch child workflow that runs the item, or the pipeline itself when the step runs its items. */
async function batchHolding(client: Client, workflowId: string, request: CodikaResolveTriggerRequest): Promise<string> {
  // Compensations (of items too) run in the pipeline's own saga.
  if (request.step === undefined || request.step.endsWith('#compensation')) return workflowId;
  const state: CodikaPipelineState | undefined = await client.workflow
    .getHandle(workflowId)
    .query(codikaPipelineStateQuery)
    .catch(() => undefined);
  const batch = state?.steps[request.step]?.batches?.find((b) => request.item! >= b.from && request.item! < b.to);
  return batch?.workflowId ?? workflowId;
}
