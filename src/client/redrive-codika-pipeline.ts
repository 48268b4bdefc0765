import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type {
  CodikaPipelineInput,
  CodikaPipelineItemState,
  CodikaPipelineRedriveSeed,
  CodikaPipelineStepState,
} from '../pipeline/pipeline-types';
import { CODIKA_BATCH_LOST, CODIKA_EXECUTION_TIMED_OUT, CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../shared/errors';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { validateId } from '../shared/validation';
import { codikaPipelineRedriveSeedQuery, type codikaPipelineWorkflow } from '../workflows/codika-pipeline-workflow';
import { pipelinePriority } from './start-codika-pipeline';

/** Options of {@link redriveCodikaPipeline}. */
export interface RedriveCodikaPipelineOptions {
  /** @default the old run's task queue */
  taskQueue?: string;
  /** The new run's workflow id. @default `<old workflow id>-redrive-<time>` */
  workflowId?: string;
  /**
   * Executions Codika did start for steps (or items, `step[3]`) whose trigger's outcome was unknown:
   * the new run polls each, triggering nothing. Also accepted for a step that failed otherwise.
   */
  attach?: Record<string, string>;
  /** Steps (or items) whose trigger's outcome was unknown and that the operator states never ran: triggered again. */
  notStarted?: string[];
}

/** A redrive the old run does not allow; `reasons` names each step at fault. */
export class CodikaRedriveRefusedError extends Error {
  /** Thrown by the client before anything starts; never a workflow failure. */
  override readonly name = 'CodikaRedriveRefusedError';
  constructor(
    /** The run that was not redriven. */
    readonly workflowId: string,
    /** Each reason, one per step or item at fault, with what to do about it. */
    readonly reasons: string[],
  ) {
    super(`Cannot redrive ${workflowId}: ${reasons.join('; ')}`);
  }
}

/** How a redrive handles each step (or item) of the old run. */
export interface CodikaRedrivePlan {
  /** Steps and items that succeeded: kept, not run again. */
  kept: string[];
  /** Steps and items whose execution ran (or still runs) in Codika: polled to their end, not triggered. */
  attached: Record<string, string>;
  /** Everything else that runs again: failed, never started, or declared not started by the operator. */
  rerun: string[];
}

/** What {@link redriveCodikaPipeline} started, and how it treats each step of the old run. */
export interface CodikaRedriveStart {
  /** The new run. */
  handle: WorkflowHandleWithFirstExecutionRunId<typeof codikaPipelineWorkflow>;
  /** What it keeps, polls and runs again. */
  plan: CodikaRedrivePlan;
}

const CLOSED_FOR_REDRIVE = new Set(['FAILED', 'TIMED_OUT', 'CANCELLED', 'TERMINATED']);

/**
 * Redrives a pipeline run that ended failed, timed out, cancelled or terminated: starts a new run of
 * the same definition and input, seeded with every step's and item's recorded success (read from the
 * old run through a query, so the old run's worker replays it), that runs only what did not succeed.
 * What was still running in Codika is polled to its end, not triggered again. The new run carries
 * `codikaRedriveOf` in its memo and says "redrive of …" in the UI; a redrive of a redrive works the same.
 *
 * @throws CodikaRedriveRefusedError when the run is open or succeeded, is a batch of a large forEach
 *   (redrive its pipeline), ran its saga (its outputs were undone), or has a step whose trigger's
 *   outcome is unknown and that `attach` or `notStarted` does not settle; each reason names the step.
 */
export async function redriveCodikaPipeline(
  client: Client,
  workflowId: string,
  options: RedriveCodikaPipelineOptions = {},
): Promise<CodikaRedriveStart> {
  const old = client.workflow.getHandle(workflowId);
  const description = await old.describe();
  const status = description.status.name;
  if (!CLOSED_FOR_REDRIVE.has(status)) {
    const why =
      status === 'COMPLETED'
        ? 'it succeeded: nothing to redrive'
        : `it is ${status.toLowerCase()}: only a failed, timed-out, cancelled or terminated run is redriven`;
    throw new CodikaRedriveRefusedError(workflowId, [why]);
  }
  const seed = await old.query(codikaPipelineRedriveSeedQuery);
  if (seed.batchOf) {
    throw new CodikaRedriveRefusedError(workflowId, [
      `it is batch ${seed.batchOf.batch} of step "${seed.batchOf.stepId}" of pipeline ${seed.batchOf.parentWorkflowId}: redrive that pipeline`,
    ]);
  }
  const { args, plan } = redriveArgs(workflowId, description.runId, seed, options);
  const handle = await client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: options.taskQueue ?? description.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: options.workflowId ?? `${workflowId}-redrive-${Date.now().toString(36)}`,
    args: [args],
    memo: { codikaRedriveOf: { workflowId, runId: description.runId } },
    staticSummary: `Redrive of ${workflowId}${args.pipeline.name ? ` (${args.pipeline.name})` : ''}`,
    staticDetails: redriveDetails(workflowId, description.runId, plan),
    priority: pipelinePriority(args.pipeline),
  });
  return { handle, plan };
}

/**
 * The new run's input and what it will do, from the old run's seed; pure, so every refusal is decided
 * before anything starts.
 *
 * @throws CodikaRedriveRefusedError as {@link redriveCodikaPipeline} says.
 */
export function redriveArgs(
  workflowId: string,
  runId: string,
  seed: CodikaPipelineRedriveSeed,
  options: Pick<RedriveCodikaPipelineOptions, 'attach' | 'notStarted'> = {},
): { args: CodikaPipelineInput; plan: CodikaRedrivePlan } {
  const given = { ...(options.attach ?? {}) };
  const notStarted = new Set(options.notStarted ?? []);
  const keys = new Set<string>();
  const compensated: string[] = [];
  const unknown: string[] = [];
  const plan: CodikaRedrivePlan = { kept: [], attached: {}, rerun: [] };
  const succeeded: Record<string, CodikaPipelineStepState> = {};

  const judge = (key: string, target: CodikaPipelineStepState | CodikaPipelineItemState, approval: boolean) => {
    keys.add(key);
    if (target.status === 'compensated' || target.compensation?.status === 'succeeded') compensated.push(key);
    else if (target.status === 'succeeded') plan.kept.push(key);
    else if (given[key] !== undefined) plan.attached[key] = validateId(`attach.${key}`, given[key]);
    else if (!approval && ranInCodika(target)) plan.attached[key] = target.executionId!;
    else if (!approval && outcomeUnknown(target) && !notStarted.has(key)) unknown.push(key);
    else plan.rerun.push(key);
  };
  for (const id of seed.state.order) {
    const step = seed.state.steps[id]!;
    const approval = step.workflowId === undefined;
    if (step.status === 'succeeded') {
      if (step.compensation?.status === 'succeeded' || step.items?.some((item) => item.status === 'compensated')) {
        compensated.push(id);
        continue;
      }
      succeeded[id] = step;
      plan.kept.push(id);
      continue;
    }
    if (step.items && step.items.length > 0) step.items.forEach((item, i) => judge(`${id}[${i}]`, item, false));
    else judge(id, step, approval);
  }

  const reasons: string[] = [];
  if (compensated.length > 0) {
    reasons.push(
      `its saga compensated ${compensated.join(', ')} (their outputs were undone): start the pipeline again instead`,
    );
  }
  for (const key of unknown) {
    reasons.push(
      `${key}: its trigger's outcome is unknown; look for its execution in Codika by its Idempotency-Key, then ` +
        `say --execution-id ${key}=<id> if it ran, or --not-started ${key} if it did not`,
    );
  }
  for (const key of [...Object.keys(given), ...notStarted]) {
    if (!keys.has(key)) reasons.push(`${key}: no step or item of the run that did not succeed has this name`);
  }
  if (reasons.length > 0) throw new CodikaRedriveRefusedError(workflowId, reasons);

  const keptIds = new Set(Object.keys(succeeded));
  const args: CodikaPipelineInput = {
    pipeline: seed.pipeline,
    input: seed.input,
    redrive: {
      of: { workflowId, runId },
      succeeded,
      finished: seed.finished.filter((entry) => keptIds.has(entry.stepId)),
    },
  };
  // Items that succeeded in a step that did not are polled again (one status check, no trigger): the
  // step runs its items afresh, and an item's result comes from its execution.
  for (const [key, item] of itemEntries(seed)) {
    if (item.status === 'succeeded' && item.executionId) plan.attached[key] = item.executionId;
  }
  if (Object.keys(plan.attached).length > 0) args.attach = plan.attached;
  return { args, plan };
}

/** Every item of the steps that did not succeed, by key (`send[3]`). */
function itemEntries(seed: CodikaPipelineRedriveSeed): [string, CodikaPipelineItemState][] {
  return Object.entries(seed.state.steps).flatMap(([id, step]) =>
    step.status === 'succeeded'
      ? []
      : (step.items ?? []).map((item, i): [string, CodikaPipelineItemState] => [`${id}[${i}]`, item]),
  );
}

/** Its execution ran in Codika and may still run or have ended well: poll it rather than start another. */
function ranInCodika(target: CodikaPipelineStepState | CodikaPipelineItemState): boolean {
  if (target.executionId === undefined) return false;
  return (
    target.status === 'running' || target.status === 'cancelled' || failureTypeOf(target) === CODIKA_EXECUTION_TIMED_OUT
  );
}

/** Codika may have started it, and nobody knows its id. */
function outcomeUnknown(target: CodikaPipelineStepState | CodikaPipelineItemState): boolean {
  if (target.executionId !== undefined) return false;
  const type = failureTypeOf(target);
  if (type === CODIKA_TRIGGER_OUTCOME_UNKNOWN || type === CODIKA_BATCH_LOST) return true;
  // Stopped before Codika's answer (cancelled, terminated, timed out): the request may have reached
  // Codika. A step stopped before it sent anything looks the same, so the operator says which it was.
  return target.status === 'running' || target.status === 'cancelled';
}

function failureTypeOf(target: CodikaPipelineStepState | CodikaPipelineItemState): string | undefined {
  return target.failureType;
}

function redriveDetails(workflowId: string, runId: string, plan: CodikaRedrivePlan): string {
  const attached = Object.entries(plan.attached).map(([key, id]) => `${key} → \`${id}\``);
  return [
    `- **redrive of** \`${workflowId}\` (run \`${runId}\`)`,
    `- **kept** ${plan.kept.length > 0 ? plan.kept.join(', ') : 'none'}`,
    `- **polled, not triggered** ${attached.length > 0 ? attached.join(', ') : 'none'}`,
    `- **run again** ${plan.rerun.length > 0 ? plan.rerun.join(', ') : 'none'}`,
  ].join('\n');
}
