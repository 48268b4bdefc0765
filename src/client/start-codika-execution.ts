import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { validateId, validatePayload } from '../shared/validation';
import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import { checkTriggerDelivery } from '../shared/trigger-delivery';
import { executionStaticDetails, executionSummary } from '../shared/ui-summaries';
import type { codikaExecutionWorkflow, CodikaExecutionWorkflowInput } from '../workflows/codika-execution-workflow';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import type { CodikaCallbackReceiver } from './callback-receiver';

/** Options of {@link startCodikaExecution}. */
export interface StartCodikaExecutionOptions {
  /** @default 'codika' */
  taskQueue?: string;
  /** Temporal workflow id. @default `codika-<workflowId>-<processInstanceId>-<time><random>` */
  workflowId?: string;
  /** How to wait for the result. */
  poll?: CodikaPollOptions;
  /** Continue as new after this many status checks in one run. @default when Temporal suggests it */
  continueAsNewAfterPolls?: number;
  /**
   * Tell the Codika workflow where to call back when it ends: the run's callback URL (from a
   * `startCodikaCallbackReceiver`) is added to the payload under `payloadField`.
   */
  callback?: { receiver: Pick<CodikaCallbackReceiver, 'callbackUrlFor'>; payloadField: string };
}

/**
 * Starts `codikaExecutionWorkflow` for one Codika execution and returns its handle at once.
 * The input is checked here first, so a bad id fails before anything is started.
 *
 * @throws CodikaValidationError on a bad id, payload or `triggerDelivery`.
 */
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaExecutionWorkflow>> {
  const processInstanceId = validateId('processInstanceId', input.processInstanceId);
  const workflowId = validateId('workflowId', input.workflowId);
  const temporalWorkflowId = options.workflowId ?? readableWorkflowId(processInstanceId, workflowId);
  const payload = { ...validatePayload(input.payload) };
  if (options.callback)
    payload[options.callback.payloadField] = options.callback.receiver.callbackUrlFor(temporalWorkflowId);
  const triggerDelivery = checkTriggerDelivery(input.triggerDelivery);
  const args: CodikaExecutionWorkflowInput = { processInstanceId, workflowId, payload, triggerDelivery };
  if (options.poll) args.poll = options.poll;
  if (options.continueAsNewAfterPolls !== undefined) args.continueAsNewAfterPolls = options.continueAsNewAfterPolls;
  return client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: temporalWorkflowId,
    args: [args],
    staticSummary: executionSummary(args),
    staticDetails: executionStaticDetails(args),
  });
}

/**
 * Runs one Codika execution through Temporal and waits for its result.
 *
 * @throws CodikaValidationError on bad input; `WorkflowFailedError` whose cause is the Codika failure.
 */
export async function executeCodikaExecution<T = unknown>(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions = {},
): Promise<CodikaExecutionResult<T>> {
  const handle = await startCodikaExecution(client, input, options);
  return (await handle.result()) as CodikaExecutionResult<T>;
}

/** Sorts by time in the UI and says what runs; the random tail keeps two starts in one millisecond apart. */
function readableWorkflowId(processInstanceId: string, workflowId: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `codika-${workflowId}-${processInstanceId}-${Date.now().toString(36)}${random}`;
}
