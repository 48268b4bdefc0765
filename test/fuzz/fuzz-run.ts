/**
 * One run of a corpus pipeline on a fuzz bed, and what a user could observe of it: the Codika
 * executions it triggered (each workflow and payload, counted), how it ended (status, failure type,
 * outputs), each step's and item's status and compensation. Ids, times and poll counts differ from
 * run to run and are left out. Also gathers every history of the run's continue-as-new chain.
 */
import { createHash } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { CodikaPipelineResult, CodikaPipelineState } from '../../src/pipeline/pipeline-types';
import { codikaPipelineApproveUpdate, codikaPipelineStateQuery } from '../../src/workflows';
import type { codikaPipelineWorkflow } from '../../src/workflows/codika-pipeline-workflow';
import { redriveCodikaPipeline } from '../../src/client/redrive-codika-pipeline';
import { sleep } from '../helpers/wait';
import { FUZZ_POLL, type FuzzCase } from './corpus';
import type { FuzzBed } from './fuzz-bed';

/** What a user could observe of one run; equal runs are equal JSON once keys are sorted. */
export interface FuzzOutcome {
  status: 'completed' | 'failed' | 'did not end';
  failureType?: string;
  outputs?: Record<string, unknown>;
  steps: Record<string, unknown>;
  /** `<workflowId> <payload JSON>` → executions Codika started. */
  executions: Record<string, number>;
}

export interface FuzzRun {
  workflowId: string;
  /** Runs in the pipeline's own chain (its batches' runs are not counted). */
  runs: number;
  outcome: FuzzOutcome;
  /** Every history of the chain, oldest first. */
  histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[];
}

/** A run gives up after this: a pipeline of the corpus ends within seconds. */
const RUN_TIMEOUT_MS = 150_000;

/** Codika's seeded delay for one execution: the same seed, workflow and payload always wait the same. */
export function seededDelay(seed: number, maxMs: number): (workflowId: string, payload: unknown) => number {
  return (workflowId, payload) => {
    const digest = createHash('sha256')
      .update(`${seed} ${workflowId} ${JSON.stringify(payload)}`)
      .digest();
    return digest.readUInt32BE(0) % maxMs;
  };
}

export async function runCase(bed: FuzzBed, kase: FuzzCase, seed: number): Promise<FuzzRun> {
  const label = `${kase.name}-${bed.threshold}-s${seed}`;
  const processInstanceId = `pi-${label}`;
  for (const [workflowId, script] of Object.entries(kase.scripts(seededDelay(seed, 600))))
    bed.mock.script(workflowId, script);
  const workflowId = `fz-${label}`;
  const handle = await bed.client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: bed.taskQueue,
    workflowId,
    args: [{ pipeline: { processInstanceId, poll: FUZZ_POLL, ...kase.pipeline }, input: kase.input }],
  });
  let ended = await follow(handle, kase);
  const histories = await chainHistories(handle);
  let observed: WorkflowHandle<typeof codikaPipelineWorkflow> = handle;
  // How many runs the longest chain had: 1 when nothing continued as new (a reference).
  let runs = histories.length;
  // A case that redrives: the failed run's redrive, on the same server (so it continues as new at the
  // same threshold), is what the case ends as.
  if (kase.redrive && ended && 'error' in ended) {
    const { handle: redriven } = await redriveCodikaPipeline(bed.client, workflowId, { taskQueue: bed.taskQueue });
    ended = await follow(redriven, kase);
    const redriveChain = await chainHistories(redriven);
    histories.push(...redriveChain);
    runs = Math.max(runs, redriveChain.length);
    observed = redriven;
  }
  const outcome = await observe(bed, kase, observed, processInstanceId, ended);
  // The batch child workflows of forEach steps have chains of their own.
  for (const batchWorkflowId of batchWorkflowIds(histories))
    histories.push(...(await chainHistories(bed.client.workflow.getHandle(batchWorkflowId))));
  return { workflowId, runs, outcome, histories };
}

/** Waits for a run's end, answering its approvals meanwhile; terminates it past the time a run may take. */
async function follow(
  handle: WorkflowHandle<typeof codikaPipelineWorkflow>,
  kase: FuzzCase,
): Promise<{ result: CodikaPipelineResult } | { error: unknown } | undefined> {
  const ending = handle.result().then(
    (result) => ({ result: result as CodikaPipelineResult }),
    (error: unknown) => ({ error }),
  );
  let ended: Awaited<typeof ending> | undefined;
  void ending.then((e) => (ended = e));
  const startedAt = Date.now();
  while (!ended && Date.now() - startedAt < RUN_TIMEOUT_MS) {
    if (kase.answers) await answerWaitingApprovals(handle, kase.answers);
    await Promise.race([ending, sleep(200)]);
  }
  if (!ended) await handle.terminate('the fuzz run did not end in time').catch(() => undefined);
  return ended;
}

/** Answers each approval of `answers` that waits now; one refused (the run moved on) is tried again later. */
async function answerWaitingApprovals(
  handle: WorkflowHandle<typeof codikaPipelineWorkflow>,
  answers: NonNullable<FuzzCase['answers']>,
): Promise<void> {
  const state = await handle.query(codikaPipelineStateQuery).catch(() => undefined);
  for (const [stepId, answer] of Object.entries(answers)) {
    const step = state?.steps[stepId];
    if (step?.status !== 'running' || !step.approval || step.approval.answer) continue;
    await handle
      .executeUpdate(codikaPipelineApproveUpdate, { args: [{ stepId, by: 'fuzz-operator', ...answer }] })
      .catch(() => undefined);
  }
}

async function observe(
  bed: FuzzBed,
  kase: FuzzCase,
  handle: WorkflowHandle<typeof codikaPipelineWorkflow>,
  processInstanceId: string,
  ended: { result: CodikaPipelineResult } | { error: unknown } | undefined,
): Promise<FuzzOutcome> {
  const executions: Record<string, number> = {};
  for (const execution of bed.mock.executions.values()) {
    if (execution.processInstanceId !== processInstanceId) continue;
    const key = `${execution.workflowId} ${JSON.stringify(execution.payload)}`;
    executions[key] = (executions[key] ?? 0) + 1;
  }
  // The state query answers after the run closed too, with every item (a result lists none); a worker
  // being killed and started again answers a moment later.
  let state: CodikaPipelineState | undefined;
  for (let attempt = 0; attempt < 10 && state === undefined; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    state = await handle.query(codikaPipelineStateQuery).catch(() => undefined);
  }
  const steps: Record<string, unknown> = {};
  for (const [id, step] of Object.entries(state?.steps ?? {})) {
    steps[id] = {
      status: step.status,
      ...(step.skippedBy ? { skippedBy: step.skippedBy } : {}),
      ...(step.compensation ? { compensation: compensationOf(step.compensation) } : {}),
      ...(step.attempts ? { attempts: step.attempts.map((a) => a.status) } : {}),
      ...(step.items
        ? {
            items: step.items.map((item) => [
              item.status,
              item.failureType ?? '',
              item.compensation ? compensationOf(item.compensation) : '',
              (item.attempts ?? []).map((a) => a.status).join(','),
            ]),
          }
        : {}),
    };
  }
  if (!ended) return { status: 'did not end', steps, executions };
  if ('error' in ended) {
    const cause = ended.error instanceof WorkflowFailedError ? ended.error.cause : ended.error;
    const failureType = (cause as { type?: string })?.type ?? (cause as Error)?.name ?? String(cause);
    return { status: 'failed', failureType, steps, executions };
  }
  const outputs = { ...ended.result.outputs };
  // An approval's answer carries the time it was given.
  for (const step of kase.pipeline.steps) {
    if ('approval' in step && outputs[step.id]) {
      const answer = { ...(outputs[step.id] as Record<string, unknown>) };
      delete answer.at;
      outputs[step.id] = answer;
    }
  }
  return { status: 'completed', outputs, steps, executions };
}

/** The workflow ids of the child workflows the chain started. */
function batchWorkflowIds(histories: FuzzRun['histories']): string[] {
  const ids = histories.flatMap(({ history }) =>
    (history.events ?? []).flatMap((event) => {
      const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
      return started?.workflowId ? [started.workflowId] : [];
    }),
  );
  return [...new Set(ids)];
}

/** Every run of the chain that ends in `handle`'s latest run, oldest first. */
async function chainHistories(
  handle: WorkflowHandle,
): Promise<{ workflowId: string; history: temporal.api.history.v1.IHistory }[]> {
  const histories = [];
  let runId: string | undefined = (await handle.describe()).runId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await handle.client
      .getHandle(handle.workflowId, runId)
      .fetchHistory();
    histories.unshift({ workflowId: handle.workflowId, history });
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return histories;
}

/** JSON with sorted keys: two outcomes are equal when these are. */
/**
 * A compensation's status; `unknown` for one that failed because its trigger's outcome is unknown
 * (at-most-once, after a worker died mid-trigger): Codika may have run it.
 */
function compensationOf(compensation: { status: string; error?: string }): string {
  return compensation.status === 'failed' && compensation.error?.includes(UNKNOWN_OUTCOME_MESSAGE)
    ? 'unknown'
    : compensation.status;
}

/** How a `CodikaTriggerOutcomeUnknown` failure's message begins (src/workflows/execution/trigger-execution.ts). */
const UNKNOWN_OUTCOME_MESSAGE = 'Codika may have started an execution';

/**
 * `outcome` as it would read had every compensation whose trigger outcome is unknown succeeded, and
 * without its executions (an unknown trigger may or may not have reached Codika): what a run killed
 * mid-compensation must equal, its reference read the same way.
 */
export function withUnknownCompensationsDone(outcome: FuzzOutcome): unknown {
  const steps = Object.fromEntries(
    Object.entries(outcome.steps).map(([id, raw]) => {
      const step = { ...(raw as Record<string, unknown>) };
      if (step.compensation === 'unknown') Object.assign(step, { compensation: 'succeeded', status: 'compensated' });
      if (Array.isArray(step.items))
        step.items = (step.items as string[][]).map((item) =>
          item[2] === 'unknown' ? ['compensated', item[1]!, 'succeeded', item[3]!] : item,
        );
      return [id, step];
    }),
  );
  return { ...outcome, steps, executions: undefined };
}

/**
 * True when an item of a step that goes on past failures (`onFailure: 'continue'`) failed with
 * `CodikaTriggerOutcomeUnknown` (at-most-once, after a worker died mid-trigger): the run then ends
 * completed, with that item failed and whatever read the step's results reading one result fewer.
 */
export function hasItemWithUnknownTrigger(outcome: FuzzOutcome): boolean {
  return Object.values(outcome.steps).some((raw) => {
    const items = (raw as { items?: string[][] }).items ?? [];
    return items.some((item) => item[1] === 'CodikaTriggerOutcomeUnknown');
  });
}

export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
