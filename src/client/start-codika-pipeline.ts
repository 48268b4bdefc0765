import { type Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { checkPipeline } from '../pipeline/check-pipeline';
import { executionPriority, type CodikaPriority } from '../shared/priority';
import type { CodikaPipelineInput } from '../pipeline/pipeline-types';
import { pipelineSummary } from '../shared/ui-summaries';
import { codikaPipelineTriggeredUpdate, type codikaPipelineWorkflow } from '../workflows/codika-pipeline-workflow';
import { requireOwnWorkflowId, startAndWaitForTrigger } from './start-and-wait-for-trigger';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { CodikaPipelineValidationError } from './errors';

/** Options of {@link startCodikaPipeline}. */
export interface StartCodikaPipelineOptions {
  /** The task queue a Codika worker serves. @default 'codika' */
  taskQueue?: string;
  /**
   * The Temporal workflow id of the run, unique in its namespace; the steps' `workflowId`s name Codika
   * workflows. @default `codika-pipeline-<name>-<time><random>`
   */
  workflowId?: string;
  /**
   * Return once the steps the pipeline starts first are past their trigger, with the executionIds
   * known then (update-with-start). Needs `workflowId`: a second call while the run is open waits on
   * the same run, and a closed run is never started again.
   */
  waitForTrigger?: boolean;
}

/** What `startCodikaPipeline(…, { waitForTrigger: true })` returns: the run, and its first executions by step. */
export interface CodikaPipelineTriggeredStart {
  /** The pipeline run, still going. */
  handle: WorkflowHandle<typeof codikaPipelineWorkflow>;
  /** Codika's executionIds by step id (`send[0]` for a forEach item). */
  executionIds: Record<string, string>;
}

/**
 * Checks `pipeline` as a whole, then starts `codikaPipelineWorkflow` and returns its handle at once;
 * with `waitForTrigger`, once its first steps are past their trigger (early return).
 *
 * @throws CodikaPipelineValidationError listing every problem; nothing is started then.
 * @throws CodikaValidationError when `waitForTrigger` is set without a `workflowId` of yours.
 * @throws WorkflowUpdateFailedError (`waitForTrigger`) whose cause is a first step's typed trigger failure.
 * @throws WorkflowExecutionAlreadyStartedError (`waitForTrigger`) when a run with this id already closed.
 */
export async function startCodikaPipeline(
  client: Client,
  pipeline: unknown,
  input: unknown,
  options: StartCodikaPipelineOptions & { waitForTrigger: true },
): Promise<CodikaPipelineTriggeredStart>;
export async function startCodikaPipeline(
  client: Client,
  pipeline: unknown,
  input?: unknown,
  options?: StartCodikaPipelineOptions & { waitForTrigger?: false },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaPipelineWorkflow>>;
export async function startCodikaPipeline(
  client: Client,
  pipeline: unknown,
  input: unknown = {},
  options: StartCodikaPipelineOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaPipelineWorkflow> | CodikaPipelineTriggeredStart> {
  const args = pipelineWorkflowArgs(pipeline, input);
  if (options.waitForTrigger) requireOwnWorkflowId(options.workflowId);
  const startOptions = {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: options.workflowId ?? readablePipelineId(args.pipeline.name),
    args: [args] as [CodikaPipelineInput],
    staticSummary: pipelineSummary(args.pipeline),
    priority: pipelinePriority(args.pipeline),
  };
  if (!options.waitForTrigger)
    return client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', startOptions);
  const { handle, result } = await startAndWaitForTrigger(
    client,
    'codikaPipelineWorkflow',
    startOptions,
    codikaPipelineTriggeredUpdate,
  );
  return { handle, executionIds: result.executionIds };
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

/**
 * The run's priority, which its workflow tasks, activities and batch children inherit; the fairness key
 * defaults to the pipeline's process instance, as an execution's does.
 */
export function pipelinePriority(pipeline: CodikaPipelineInput['pipeline']): CodikaPriority {
  const priority = pipeline.priority ?? {};
  return pipeline.processInstanceId ? executionPriority(pipeline.processInstanceId, priority) : { ...priority };
}

function readablePipelineId(name: string | undefined): string {
  const slug = (name ?? 'run').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60);
  const random = Math.random().toString(36).slice(2, 8);
  return `codika-pipeline-${slug}-${Date.now().toString(36)}${random}`;
}
