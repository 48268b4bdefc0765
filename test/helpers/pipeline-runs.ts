import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPipelineDefinition } from '../../src/pipeline/definition';
import type { codikaPipelineWorkflow } from '../../src/workflows/codika-pipeline-workflow';

/** Quick, steady polling, so a test's timing measures the pipeline, not the poll schedule. */
export const FAST_POLL = {
  strategy: 'timer',
  firstPollAfter: 100,
  backoffCoefficient: 1,
  maxPollInterval: 100,
} as const;

/**
 * A function that starts `codikaPipelineWorkflow` on the testbed's task queue, each run under a new
 * workflow id, with `defaults` (a process instance, a poll schedule…) under the pipeline's own fields.
 */
export function pipelineStarter(
  testbed: () => { env: TestWorkflowEnvironment; taskQueue: string },
  defaults: Partial<CodikaPipelineDefinition> = {},
): (pipeline: unknown, input?: unknown) => Promise<WorkflowHandle<typeof codikaPipelineWorkflow>> {
  let counter = 0;
  return async (pipeline, input) => {
    const { env, taskQueue } = testbed();
    counter += 1;
    return env.client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-${counter}`,
      args: [{ pipeline: { ...defaults, ...(pipeline as object) } as CodikaPipelineDefinition, input }],
    });
  };
}

/** Codika workflow ids unique to one test, so the mock's records of each test stay apart. */
export function codikaIds(prefix: string, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${prefix}-${n}`]));
}
