import type { Client } from '@temporalio/client';
import type { CodikaPipelineApprovalAnswer, CodikaPipelineState } from '../pipeline/pipeline-types';
import { codikaPipelineApproveUpdate, codikaPipelineStateQuery } from '../workflows/codika-pipeline-workflow';
import type { CodikaApprovalRequest } from '../workflows/pipeline-engine/pipeline-approval';

/**
 * Answers a pipeline's approval step through the `codikaPipelineApprove` Workflow Update, and returns
 * the answer as the pipeline recorded it once the update completed.
 *
 * @throws WorkflowUpdateFailedError whose cause says why, when the pipeline refuses the answer (an
 *   unknown step, a step that is not an approval or not waiting, a step already answered); nothing is
 *   written to the run's history then.
 * @throws WorkflowNotFoundError when no pipeline with that id is running.
 */
export async function answerCodikaApproval(
  client: Client,
  workflowId: string,
  request: CodikaApprovalRequest,
): Promise<CodikaPipelineApprovalAnswer> {
  return client.workflow.getHandle(workflowId).executeUpdate(codikaPipelineApproveUpdate, { args: [request] });
}

/** A pipeline's state, live: every step's status, its items, what waits for an approval. */
export async function codikaPipelineState(client: Client, workflowId: string): Promise<CodikaPipelineState> {
  return client.workflow.getHandle(workflowId).query(codikaPipelineStateQuery);
}
