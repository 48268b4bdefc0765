import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { checkPipeline } from '../pipeline/check-pipeline';
import type { CodikaPipelineInput } from '../pipeline/pipeline-types';
import { pipelineSummary } from '../shared/ui-summaries';
import type { codikaPipelineWorkflow } from '../workflows/codika-pipeline-workflow';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { CodikaPipelineValidationError } from './errors';

/** Options of {@link startCodikaPipeline}. */
export interface StartCodikaPipelineOptions {
  /** @default 'codika' */
  taskQueue?: string;
  /** Temporal workflow id. @default `codika-pipeline-<name>-<time><random>` */
  workflowId?: string;
}

/**
 * Checks `pipeline` as a whole, then starts `codikaPipelineWorkflow` and returns its handle at once.
 *
 * @throws CodikaPipelineValidationError listing every problem; nothing is started then.
 */
export async function startCodikaPipeline(
  client: Client,
  pipeline: unknown,
  input: unknown = {},
  options: StartCodikaPipelineOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaPipelineWorkflow>> {
  const args = pipelineWorkflowArgs(pipeline, input);
  return client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: options.workflowId ?? readablePipelineId(args.pipeline.name),
    args: [args],
    staticSummary: pipelineSummary(args.pipeline),
  });
}

/**
 * The workflow input for `pipeline`, checked (also for schedules, which start it later).
 *
 * @throws CodikaPipelineValidationError listing every problem.
 */
export function pipelineWorkflowArgs(pipeline: unknown, input: unknown = {}): CodikaPipelineInput {
  const check = checkPipeline(pipeline);
  if (!check.ok) throw new CodikaPipelineValidationError(check.problems);
  return { pipeline: check.pipeline, input };
}

function readablePipelineId(name: string | undefined): string {
  const slug = (name ?? 'run').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60);
  const random = Math.random().toString(36).slice(2, 8);
  return `codika-pipeline-${slug}-${Date.now().toString(36)}${random}`;
}
