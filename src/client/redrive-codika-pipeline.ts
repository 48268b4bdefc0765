import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type {
  CodikaPipelineInput,
  CodikaPipelineItemState,
  CodikaPipelineRedriveSeed,
  CodikaPipelineStepState,
} from '../pipeline/pipeline-types';
import {
  CODIKA_BATCH_LOST,
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
} from '../shared/errors';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { validateId } from '../shared/validation';
import { codikaPipelineRedriveSeedQuery, type codikaPipelineWorkflow } from '../workflows/codika-pipeline-workflow';
import { pipelinePriority } from './start-codika-pipeline';
import { checkPipeline } from '../pipeline/check-pipeline';
import { CodikaPipelineValidationError } from './errors';

/** Options of {@link redriveCodikaPipeline}. */
export interface RedriveCodikaPipelineOptions {
  /** @default the old run's task queue */
  taskQueue?: string;
  /** The new run's workflow id. @default `<old workflow id>-redrive-<first 8 characters of its run id>` */
  workflowId?: string;
  /**
   * Executions Codika did start for steps (or items, `step[3]`) whose trigger's outcome was unknown:
   * the new run polls each, triggering nothing. Also accepted for a step that failed otherwise.
   */
  attach?: Record<string, string>;
  /** Steps (or items) whose trigger's outcome was unknown and that the operator states never ran: triggered again. */
  notStarted?: string[];
  /**
   * A corrected definition to run instead of the old run's (a `result.select` added, a payload fixed):
   * it must keep the ids of the steps that succeeded, whose results the new run keeps. @default the old run's
   */
  pipeline?: unknown;
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
 * @throws CodikaPipelineValidationError when a corrected `pipeline` fails its checks.
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
  const seed = await withBatchItems(client, workflowId, await old.query(codikaPipelineRedriveSeedQuery));
  if (seed.batchOf) {
    throw new CodikaRedriveRefusedError(workflowId, [
      `it is batch ${seed.batchOf.batch} of step "${seed.batchOf.stepId}" of pipeline ${seed.batchOf.parentWorkflowId}: redrive that pipeline`,
    ]);
  }
  if (options.pipeline !== undefined) seed.pipeline = correctedDefinition(workflowId, options.pipeline, seed);
  const { args, plan } = redriveArgs(workflowId, description.runId, seed, options);
  // Named after the run it redrives: a retried call finds the redrive it started rather than starting a second.
  const redriveId = options.workflowId ?? `${workflowId}-redrive-${description.runId.slice(0, 8)}`;
  const started = client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: options.taskQueue ?? description.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: redriveId,
    // However the first redrive ended, the same run is not redriven twice under this id.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [args],
    memo: { codikaRedriveOf: { workflowId, runId: description.runId } },
    staticSummary: `Redrive of ${workflowId}${args.pipeline.name ? ` (${args.pipeline.name})` : ''}`,
    staticDetails: redriveDetails(workflowId, description.runId, plan),
    priority: pipelinePriority(args.pipeline),
  });
  const handle = await started.catch((err: unknown) => {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw new CodikaRedriveRefusedError(workflowId, [
      `it was already redriven as ${redriveId}: follow that run (or redrive it, once it ended)`,
    ]);
  });
  return { handle, plan };
}

/**
 * The items a large forEach step ran in its batch child workflows, as the batches last knew them: the
 * pipeline learns their executionIds only from a batch's report, which a stopped batch may never
 * send. A batch that cannot answer leaves its items as the pipeline knew them.
 */
async function withBatchItems(
  client: Client,
  workflowId: string,
  seed: CodikaPipelineRedriveSeed,
): Promise<CodikaPipelineRedriveSeed> {
  for (const [id, step] of Object.entries(seed.state.steps)) {
    if (step.status === 'succeeded' || !step.items || !step.batches) continue;
    for (const batch of step.batches) {
      if (batch.status === 'pending') continue;
      const handle = client.workflow.getHandle(batch.workflowId);
      const status = await handle.describe().then(
        (d) => d.status.name,
        () => undefined,
      );
      // A batch outlives its pipeline (it is abandoned, not closed, with it): one still running starts items.
      if (status === 'RUNNING') {
        throw new CodikaRedriveRefusedError(workflowId, [
          `batch ${batch.workflowId} of step "${id}" still runs and may start items: let it end, or terminate it`,
        ]);
      }
      const child = await handle.query(codikaPipelineRedriveSeedQuery).catch(() => undefined);
      child?.state.steps[id]?.items?.forEach((item, i) => {
        const known = step.items![batch.from + i];
        if (known && known.executionId === undefined && known.status !== 'succeeded')
          step.items![batch.from + i] = item;
      });
    }
  }
  return seed;
}

/** `pipeline`, checked, and keeping every step that succeeded (its result is reused under its id). */
function correctedDefinition(
  workflowId: string,
  pipeline: unknown,
  seed: CodikaPipelineRedriveSeed,
): CodikaPipelineRedriveSeed['pipeline'] {
  const check = checkPipeline(pipeline);
  if (!check.ok) throw new CodikaPipelineValidationError(check.problems);
  const ids = new Set(check.pipeline.steps.map((step) => step.id));
  const missing = seed.state.order.filter((id) => seed.state.steps[id]!.status === 'succeeded' && !ids.has(id));
  if (missing.length > 0) {
    throw new CodikaRedriveRefusedError(workflowId, [
      `the corrected definition has no step ${missing.join(', ')}, which succeeded: keep their ids`,
    ]);
  }
  return check.pipeline;
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
    if (undone(target)) compensated.push(key);
    // An item that succeeded in a step that did not: the step runs its items afresh, and this one's
    // result comes from its execution, polled again (one status check, no trigger).
    else if (target.status === 'succeeded' && target.executionId) plan.attached[key] = target.executionId;
    else if (given[key] !== undefined) plan.attached[key] = validateId(`attach.${key}`, given[key]);
    else if (!approval && ranInCodika(target)) plan.attached[key] = target.executionId!;
    else if (!approval && outcomeUnknown(target) && !notStarted.has(key)) unknown.push(key);
    else plan.rerun.push(key);
  };
  for (const id of seed.state.order) {
    const step = seed.state.steps[id]!;
    const approval = step.workflowId === undefined;
    if (step.status === 'succeeded' || step.status === 'compensating') {
      if (undone(step) || step.items?.some(undone)) {
        compensated.push(id);
        continue;
      }
      // A compensation that failed undid nothing: the new run's saga must still be able to run it.
      succeeded[id] = withoutCompensation(step);
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
  if (Object.keys(plan.attached).length > 0) args.attach = plan.attached;
  return { args, plan };
}

/**
 * Its execution ran in Codika and did not end `failed` there: it may still run, or have succeeded
 * where the step could not take its result (a status check refused, a result too large or breaking
 * its contract). Poll it rather than start another. Only Codika's own `failed` runs it again.
 */
function ranInCodika(target: CodikaPipelineStepState | CodikaPipelineItemState): boolean {
  if (target.executionId === undefined) return false;
  // Stopped during a retry's backoff: the execution it holds is one that failed.
  if (target.attempts?.at(-1)?.status === 'failed') return false;
  return failureTypeOf(target) !== CODIKA_EXECUTION_FAILED;
}

/** Undone by the saga, or caught while the saga was undoing it. */
function undone(target: CodikaPipelineStepState | CodikaPipelineItemState): boolean {
  return (
    target.status === 'compensated' ||
    target.status === 'compensating' ||
    target.compensation?.status === 'succeeded' ||
    target.compensation?.status === 'running'
  );
}

/** A kept step's state without the record of a compensation that failed (and its items' likewise). */
function withoutCompensation(step: CodikaPipelineStepState): CodikaPipelineStepState {
  const kept: CodikaPipelineStepState = { ...step, status: 'succeeded' };
  delete kept.compensation;
  if (step.items) {
    kept.items = step.items.map((item) => {
      const copy = { ...item };
      delete copy.compensation;
      return copy;
    });
  }
  return kept;
}

/** Codika may have started it, and nobody knows its id. */
function outcomeUnknown(target: CodikaPipelineStepState | CodikaPipelineItemState): boolean {
  if (target.executionId !== undefined) return false;
  const type = failureTypeOf(target);
  // A deadline that passed without an id: under at-least-once, a last attempt may have started it.
  if (type === CODIKA_TRIGGER_OUTCOME_UNKNOWN || type === CODIKA_BATCH_LOST || type === CODIKA_EXECUTION_TIMED_OUT)
    return true;
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
