/**
 * One run of a declarative pipeline: the scheduler that starts each step once its dependencies
 * allow it (and its condition holds), each step kind's run (an execution with its retries, a forEach,
 * an approval, after its delay), and continue-as-new with every step's place. What the parts share is
 * in `pipeline-context.ts`; forEach steps in `pipeline-for-each.ts`; the saga in `pipeline-saga.ts`.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import { libraryPatched } from '../library-patches';
import type {
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaStepProgress,
  CodikaStepResume,
  CodikaTriggerProgress,
} from '../../shared/execution-types';
import { CODIKA_TEMPLATE_ERROR } from '../../shared/errors';
import { formatDuration, parseDuration } from '../../shared/durations';
import type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineInput,
  CodikaPipelineResume,
  CodikaPipelineRedriveSeed,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type { CodikaPipelineApprovalStep, CodikaPipelineDefinition } from '../../pipeline/definition';
import { isApprovalStep } from '../../pipeline/step-kinds';
import { describeCondition, evaluateCondition } from '../../pipeline/conditions';
import { TemplateError } from '../../pipeline/errors';
import { invalid } from '../execution/poll-settings';
import { approvalRequestProblem, awaitApproval, type CodikaApprovalRequest } from './pipeline-approval';
import { dependencyVerdict } from './pipeline-scheduling';
import { labelled } from '../execution/polling-strategies';
import { type CodikaForEachBatchProgress, type CodikaForEachBatchReport } from './for-each-batches';
import { underPath } from '../execution/validate-input';
import { validateId } from '../../shared/validation';
import { failureOf, PipelineContext, type StepResult } from './pipeline-context';
import { ForEachSteps } from './pipeline-for-each';
import { compensate, pipelineFailure, recordCancellation } from './pipeline-saga';
import { jsonBytes } from './pipeline-scheduling';
import { PAYLOAD_BUDGET_BYTES, pipelineResult, resultTooLarge } from './pipeline-sizes';
import { executionMovedOn, pollingToResume, triggerProgressOf } from './pipeline-state';

/**
 * Pipelines started before they could continue as new keep running in one history when they
 * replay; new ones continue as new when Temporal suggests it.
 */
export const PIPELINE_CONTINUE_AS_NEW_PATCH = 'codika-pipeline-continue-as-new';

/**
 * Runs from here on keep every fact in their state, so a continued run ends as one that never
 * continued: a failed forEach item stops its step in the next run too, an empty forEach keeps its
 * result, polling goes on at the interval it reached, a step that finished while the run stopped to
 * continue is not resumed, and a failure stops what only waits. Asked once, as each run starts.
 */
export const PIPELINE_ONE_STATE_PATCH = 'codika-pipeline-one-state';

/**
 * Runs from here on run a large forEach step's batches side by side, `concurrency` items in flight
 * across them (a sliding window), each batch telling its pipeline when it frees room, an item fails,
 * or its first items triggered; a lost batch is run again where `retry` allows it.
 */
export const PIPELINE_BATCH_WINDOW_PATCH = 'codika-pipeline-batch-window';

/**
 * Runs from here on may continue as new while a trigger waits to be sent again (Codika answered
 * `503` or `429`): the wait, its backoff and its Idempotency-Key carry over, so one refused trigger
 * holds neither new items nor the continue-as-new.
 */
export const PIPELINE_TRIGGER_WAIT_CARRIED_PATCH = 'codika-pipeline-trigger-wait-carried';

/**
 * Runs from here on check their sizes before Temporal's 2 MB payload limit bites: the continue-as-new
 * input (too large, the run goes on in its history), the result (outputs only; too large, a typed
 * failure), a batch's report (too large, its results stay behind and the step fails typed); and a
 * long saga may continue as new between two compensations.
 */
export const PIPELINE_SIZES_CHECKED_PATCH = 'codika-pipeline-sizes-checked';

/** What continue-as-new carries for one execution in flight, at most (`resume.polling` or `resume.triggering`). */
const CARRIED_EXECUTION_BYTES = 512;

/** One pipeline run: the scheduler, each step kind's run, continue-as-new. */
export class PipelineRun {
  private readonly ctx: PipelineContext;
  private readonly forEach: ForEachSteps;
  private readonly approvalStepIds: ReadonlySet<string>;
  private running = 0;
  /** Each running step's scope, cancelled to continue as new. */
  private readonly scopes = new Map<string, CancellationScope>();
  /** A replayed history from before continue-as-new existed: never again in this run. */
  private continueAsNewDeclined = false;
  /** Compensations this run's saga began (the saga continues as new only after one). */
  private compensationsBegun = 0;
  /** The steps the first pass started (or skipped, or failed), once it ran. */
  private firstSteps: string[] | undefined;

  constructor(
    pipeline: CodikaPipelineDefinition,
    order: string[],
    input: unknown,
    private readonly resume?: CodikaPipelineResume,
    batchOf?: CodikaPipelineInput['batchOf'],
    redrive?: Pick<CodikaPipelineInput, 'redrive' | 'attach'>,
  ) {
    const oneState = libraryPatched(PIPELINE_ONE_STATE_PATCH);
    // Asked only by runs that keep one state, each once as the run starts, so its marker is on record early.
    const ways = {
      batchWindow: oneState && libraryPatched(PIPELINE_BATCH_WINDOW_PATCH),
      triggerWaitCarried: oneState && libraryPatched(PIPELINE_TRIGGER_WAIT_CARRIED_PATCH),
      sizesChecked: oneState && libraryPatched(PIPELINE_SIZES_CHECKED_PATCH),
    };
    // A redrive starts as a continued run would from the steps that succeeded before: they keep their
    // state and results and never run again; every other step starts afresh.
    const seed = redrive?.redrive && {
      steps: redrive.redrive.succeeded,
      finished: redrive.redrive.finished,
      polling: {},
    };
    this.ctx = new PipelineContext(pipeline, order, input, resume ?? seed, batchOf, oneState, ways);
    this.ctx.attach = redrive?.attach ?? {};
    // Items hold only when the run is about to continue, which needs progress: else a continued run
    // that Temporal asks at once to continue again would start nothing and wait forever.
    this.forEach = new ForEachSteps(
      this.ctx,
      () =>
        this.continueAsNewSuggested() &&
        (!this.ctx.oneState || this.progressed()) &&
        // A run cannot continue while an execution waits for an operator: items do not wait on it.
        !this.awaitingOperator(),
    );
    this.approvalStepIds = new Set(pipeline.steps.filter(isApprovalStep).map((step) => step.id));
  }

  /** The state with live figures of running executions; a copy, so a query never changes the run. */
  snapshot(): CodikaPipelineState {
    return this.ctx.snapshot();
  }

  /**
   * Resolves once every step the first pass started is past its trigger (an execution step has its
   * executionId, a forEach step those of the items it started together, an approval or a delayed step
   * waits), with the
   * executionIds known then by step (`send[0]` for an item): the early return of
   * `startCodikaPipeline(…, { waitForTrigger: true })`.
   *
   * @throws the trigger's own failure when a first step failed before Codika accepted it.
   */
  async firstStepsTriggered(): Promise<{ executionIds: Record<string, string> }> {
    await condition(() => this.firstSteps !== undefined && this.firstSteps.every((id) => this.pastTrigger(id)));
    for (const id of this.firstSteps!) {
      const step = this.ctx.state.steps[id]!;
      const neverTriggered = step.executionId === undefined && !(step.items ?? []).some((item) => item.executionId);
      if (step.status === 'failed' && neverTriggered) {
        const err = this.ctx.stepFailures.get(id);
        throw err instanceof ApplicationFailure
          ? err
          : ApplicationFailure.create({ message: step.error ?? 'failed', nonRetryable: true });
      }
    }
    const executionIds: Record<string, string> = {};
    for (const [id, step] of Object.entries(this.ctx.snapshot().steps)) {
      if (step.executionId) executionIds[id] = step.executionId;
      step.items?.forEach((item, i) => {
        if (item.executionId) executionIds[`${id}[${i}]`] = item.executionId;
      });
    }
    return { executionIds };
  }

  private pastTrigger(id: string): boolean {
    const step = this.ctx.state.steps[id]!;
    if (step.status !== 'running') return true;
    if (step.approval || (step.startsAt && Date.parse(step.startsAt) > Date.now()) || step.nextAttemptAt) return true;
    // A batch of the window's way tells its first items' executionIds; before it, a started batch counted.
    if (step.batches && this.ctx.ways.batchWindow) return (step.items ?? []).some((item) => item.executionId);
    if (step.batches) return step.batches.some((batch) => batch.status !== 'pending');
    // Every execution of the step in flight (its items that started together) has its executionId.
    const inFlight = [...this.ctx.live].filter(([key]) => key === id || key.startsWith(`${id}[`));
    if (inFlight.length > 0) return inFlight.every(([, { execution }]) => execution.executionId !== undefined);
    return step.executionId !== undefined || (step.items ?? []).some((item) => item.executionId !== undefined);
  }

  /** This run is a batch whose pipeline failed (the `codikaForEachBatchStop` signal). */
  stopBatch(): void {
    this.ctx.stopBatch();
  }

  /** Applies a running batch's progress (the `codikaForEachBatchProgress` signal). */
  receiveBatchProgress(progress: CodikaForEachBatchProgress): void {
    this.forEach.receiveBatchProgress(progress);
  }

  /** This run is a batch given more room by its pipeline (the `codikaForEachBatchSlots` signal). */
  raiseBatchSlots(slots: number): void {
    this.forEach.raiseSlots(slots);
  }

  /** Applies a batch's report (the `codikaForEachBatchDone` signal). */
  receiveBatchReport(report: CodikaForEachBatchReport): void {
    this.forEach.receiveBatchReport(report);
  }

  /** What this run, a batch of a large forEach step, reports to its pipeline. */
  batchReport(stepId: string, error?: string): CodikaForEachBatchReport {
    return this.forEach.batchReport(stepId, error);
  }

  /** Why `request` cannot answer an approval step now (the `codikaPipelineApprove` validator). */
  approvalProblem(request: unknown): string | undefined {
    return approvalRequestProblem(request, this.ctx.state.steps, this.approvalStepIds);
  }

  /** Records a validated answer; the waiting step goes on in the same workflow task. */
  answerApproval({ stepId, approved, by, comment }: CodikaApprovalRequest): CodikaPipelineApprovalAnswer {
    const answer = {
      approved,
      by: by.trim(),
      ...(comment === undefined ? {} : { comment }),
      at: new Date(Date.now()).toISOString(),
    };
    this.ctx.state.steps[stepId]!.approval!.answer = answer;
    this.ctx.showDetails();
    return answer;
  }

  async execute(): Promise<CodikaPipelineResult> {
    const polling = this.resume?.polling ?? {};
    const triggering = this.ctx.triggerWaitsToResume;
    // Steps that were polling resume first, in the order they always did; then those waiting to send their trigger again.
    for (const [key, progress] of Object.entries<CodikaStepResume>({ ...polling, ...triggering }))
      if (this.ctx.stepsById.has(key)) this.start(key, { progress });
    // Steps that were waiting (a delay, a retry's backoff, an approval) or running forEach items restart from their state.
    for (const id of this.ctx.state.order) {
      if (this.ctx.state.steps[id]!.status === 'running' && !(id in polling) && !(id in triggering))
        this.start(id, { restart: true, polling });
    }
    try {
      await this.runSteps();
    } catch (err) {
      if (isCancellation(err)) {
        recordCancellation(this.ctx);
        await this.forEach.cancelRunningBatches();
      }
      throw err;
    }
    if (this.ctx.failure) return this.failAfterSaga();
    const outputs: Record<string, unknown> = {};
    // A batch's results travel in its report; its own result would only repeat them.
    const batchChecked = this.ctx.ways.sizesChecked && this.ctx.batchOf !== undefined;
    if (!batchChecked) for (const [id, result] of this.ctx.results) outputs[id] = result.resultData;
    if (!this.ctx.ways.sizesChecked) {
      this.ctx.state.phase = 'succeeded';
      this.ctx.showDetails();
      return { outputs, steps: this.ctx.snapshot().steps };
    }
    const result = pipelineResult(outputs, this.ctx.snapshot().steps);
    const bytes = jsonBytes(result);
    if (bytes > PAYLOAD_BUDGET_BYTES) {
      // Every step succeeded, but the run cannot say so: it fails typed, and its saga runs as for any failure.
      this.ctx.failure = resultTooLarge(result, bytes);
      const { stepId, error } = this.ctx.failure;
      this.ctx.state.failure = { stepId, ...failureOf(error), ofPipeline: true };
      return this.failAfterSaga();
    }
    this.ctx.state.phase = 'succeeded';
    this.ctx.showDetails();
    return result;
  }

  /** Runs the saga of a failed pipeline (between two compensations it may continue as new), then fails it. */
  private async failAfterSaga(): Promise<never> {
    // A batch's succeeded items are undone by its pipeline, from the batch's report, in the pipeline's order.
    if (!(this.ctx.oneState && this.ctx.batchOf))
      await compensate(this.ctx, this.ctx.ways.sizesChecked ? () => this.continueSagaAsNew() : undefined);
    this.ctx.state.phase = 'failed';
    this.ctx.showDetails();
    throw pipelineFailure(this.ctx, this.ctx.failure!);
  }

  /**
   * Between two compensations: a long saga continues as new when Temporal suggests it, the failure
   * and every compensation so far in its state (the next run undoes only what is left).
   */
  private async continueSagaAsNew(): Promise<void> {
    // Only once a compensation ended in this run: a run asked at once to continue again still undoes one.
    if (this.compensationsBegun++ === 0) return;
    if (!workflowInfo().continueAsNewSuggested || this.continueAsNewDeclined || this.forEach.busy()) return;
    if (this.stateTooLargeToCarry()) return;
    await this.continueAsNew();
  }

  /**
   * Whether the state a continued run would carry is over the payload budget (the results so far
   * weigh most). Then this run declines to continue, for good (results only add up), and goes on in
   * its own history, which holds far more than one payload.
   */
  private stateTooLargeToCarry(): boolean {
    const finished = this.finishedWithResults();
    const bytes =
      jsonBytes({ pipeline: this.ctx.pipeline, input: this.ctx.input, steps: this.ctx.state.steps, finished }) +
      // Each execution in flight is carried too (where it polls, or its trigger's wait): a few hundred bytes.
      this.ctx.live.size * CARRIED_EXECUTION_BYTES;
    if (bytes <= PAYLOAD_BUDGET_BYTES) return false;
    this.continueAsNewDeclined = true;
    log.warn('The pipeline does not continue as new: the state it would carry is over the payload limit', {
      bytes,
      limitBytes: PAYLOAD_BUDGET_BYTES,
    });
    return true;
  }

  /** Starts every step whose dependencies allow it, until nothing runs and nothing can start. */
  private async runSteps(): Promise<void> {
    for (;;) {
      for (const id of this.ctx.state.order) {
        const step = this.ctx.state.steps[id]!;
        if (step.status !== 'pending') continue;
        const { step: definition } = this.ctx.stepsById.get(id)!;
        const verdict = dependencyVerdict(definition, this.ctx.state.steps);
        if (verdict.kind === 'skip') {
          // The order is topological, so a skip reaches the steps below it in this same pass.
          this.skip(step, verdict.skippedBy, verdict.because);
        } else if (verdict.kind === 'ready' && !this.ctx.failure) {
          const runs = definition.when === undefined || this.conditionHolds(id);
          if (runs) this.start(id);
        }
      }
      // The steps of the first pass are what an early return waits for (none in a continued run: they triggered long ago).
      this.firstSteps ??= this.resume
        ? []
        : this.ctx.state.order.filter((id) => this.ctx.state.steps[id]!.status !== 'pending');
      this.ctx.showDetails();
      if (this.running === 0) break;
      const seen = this.ctx.changes;
      await condition(() => this.ctx.changes !== seen || this.mayContinueAsNew());
      if (this.ctx.changes === seen && this.mayContinueAsNew()) {
        if (this.ctx.ways.sizesChecked && this.stateTooLargeToCarry()) continue;
        // Asked only when it decides, so the marker is recorded exactly when it applies.
        if (libraryPatched(PIPELINE_CONTINUE_AS_NEW_PATCH)) await this.continueAsNew();
        this.continueAsNewDeclined = true;
      }
    }
    for (const step of Object.values(this.ctx.state.steps)) {
      if (step.status === 'pending') {
        step.status = 'skipped';
        step.skippedBy = 'failure';
        step.error = `the pipeline stopped after step "${this.ctx.failure?.stepId}" failed`;
      }
    }
  }

  private skip(step: CodikaPipelineStepState, skippedBy: 'condition' | 'failure', because: string): void {
    step.status = 'skipped';
    step.error = because;
    // Recorded for the new rule only: a step skipped before conditions existed reads as it always did.
    if (skippedBy === 'condition') step.skippedBy = skippedBy;
  }

  /** Evaluates a ready step's `when`; false skips it, and a path that leads nowhere fails it. */
  private conditionHolds(id: string): boolean {
    const { step: definition, index } = this.ctx.stepsById.get(id)!;
    const step = this.ctx.state.steps[id]!;
    let holds: boolean;
    try {
      holds = evaluateCondition(definition.when!, this.ctx.scope(), `steps[${index}].when`);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.ctx.stepFailed(id, nonRetryableFailure(CODIKA_TEMPLATE_ERROR, err.message, { at: err.at }));
      step.endedAt = new Date(Date.now()).toISOString();
      this.ctx.changes += 1;
      return false;
    }
    if (!holds) this.skip(step, 'condition', `its condition was false: when ${describeCondition(definition.when)}`);
    return holds;
  }

  /**
   * Starts a step: fresh, or resuming the execution it was polling when the previous run continued
   * as new (`progress`), or restarting from its state (`restart`: a delay, a backoff, an approval, items).
   */
  private start(
    id: string,
    from: { progress?: CodikaStepResume; restart?: boolean; polling?: Record<string, CodikaStepProgress> } = {},
  ): void {
    const step = this.ctx.state.steps[id]!;
    step.status = 'running';
    if (!from.progress && !from.restart) step.startedAt = new Date().toISOString();
    this.running += 1;
    const scope = new CancellationScope();
    this.scopes.set(id, scope);
    scope
      .run(() => this.runStep(id, from.progress, from.polling ?? {}))
      .then(
        (result) => {
          this.ctx.results.set(id, result);
          // A forEach step's items are on record one by one already.
          if (this.ctx.itemResults.get(id) === undefined) this.ctx.finished.push({ stepId: id });
          step.status = 'succeeded'; // executionId and polls were recorded as the execution ended
        },
        (err: unknown) => {
          if (isCancellation(err)) {
            // Stopped to continue as new: the next run resumes it, still running.
            if (!this.ctx.continuing) step.status = 'cancelled';
            return;
          }
          this.ctx.stepFailed(id, err);
        },
      )
      .finally(() => {
        this.scopes.delete(id);
        if (!this.ctx.continuing) step.endedAt = new Date().toISOString();
        this.running -= 1;
        this.ctx.changes += 1;
      });
  }

  /**
   * Temporal suggests continuing as new (the history is long), and no execution is between its
   * trigger and Codika's answer: every one in flight is polling a known executionId, or (runs with
   * `PIPELINE_TRIGGER_WAIT_CARRIED_PATCH`) waits to send its trigger again; the next run resumes each.
   * Saga and failure handling stay in one run.
   */
  private mayContinueAsNew(): boolean {
    if (!this.continueAsNewSuggested() || this.forEach.busy()) return false;
    // Continuing waits for every handler: an early return waiting for a batch's first triggers would
    // hold the run with its steps stopped. The window's way waits for it with the steps running.
    if (this.ctx.ways.batchWindow && !allHandlersFinished()) return false;
    const carried = [...this.ctx.live.values()].every(({ execution }) => this.carriedAcross(execution));
    return carried && (!this.ctx.oneState || (this.progressed() && !this.timerCheckInFlight()));
  }

  /** Some execution waits for an operator's answer (`onTriggerOutcomeUnknown: 'ask'`). */
  private awaitingOperator(): boolean {
    return [...this.ctx.live.values()].some(({ execution }) => execution.phase === 'awaiting_operator');
  }

  /** Whether the next run can resume `execution` where it stands, never sending a trigger twice. */
  private carriedAcross(execution: CodikaExecutionState): boolean {
    const polling = execution.phase === 'polling' && execution.executionId !== undefined;
    // Waiting for a permit, nothing was sent: the next run asks again under the same lease, in its place.
    if (execution.phase === 'waiting_for_permit') return true;
    // Between two attempts nothing is in flight: the next run sends it when its wait is over.
    return polling || (this.ctx.ways.triggerWaitCarried && execution.triggerWait !== undefined);
  }

  /**
   * A run continues only once it got somewhere: a step or item ended, an execution was triggered, or
   * a status check was answered. Else, when Temporal suggests it at every task (a short history
   * limit), each run would stop the check the last one stopped, and none would ever be answered.
   */
  private progressed(): boolean {
    const polling = this.resume?.polling ?? {};
    const triggering = this.ctx.triggerWaitsToResume;
    return (
      this.ctx.changes > 0 ||
      [...this.ctx.live].some(([key, { execution }]) =>
        executionMovedOn(execution, { polling: polling[key], triggering: triggering[key] }),
      )
    );
  }

  /** A `timer` execution whose status check is under way: its answer is near, and stopping it wastes a request. */
  private timerCheckInFlight(): boolean {
    return [...this.ctx.live.values()].some(
      ({ index, execution }) =>
        execution.phase === 'polling' &&
        this.ctx.settingsOf(index).strategy === 'timer' &&
        execution.nextPollAt === undefined,
    );
  }

  private continueAsNewSuggested(): boolean {
    return !this.continueAsNewDeclined && !this.ctx.failure && workflowInfo().continueAsNewSuggested;
  }

  /** What a redrive of this run starts from: the state and the results so far (`codikaPipelineRedriveSeed`). */
  redriveSeed(): CodikaPipelineRedriveSeed {
    const { pipeline, input, batchOf } = this.ctx;
    return {
      pipeline,
      input,
      ...(batchOf ? { batchOf } : {}),
      state: this.ctx.snapshot(),
      finished: this.finishedWithResults(),
    };
  }

  /** The succeeded steps and items in the order they finished, with their results: what a continued run carries. */
  private finishedWithResults(): CodikaPipelineResume['finished'] {
    return this.ctx.finished.map(({ stepId, index }) =>
      index === undefined
        ? { stepId, result: this.ctx.results.get(stepId) as CodikaExecutionResult }
        : { stepId, index, result: this.ctx.itemResults.get(stepId)![index]! },
    );
  }

  /** Stops the steps and continues as new with every step's state; never returns. */
  private async continueAsNew(): Promise<never> {
    this.ctx.continuing = true;
    const polling: Record<string, CodikaStepProgress> = {};
    const triggering: Record<string, CodikaTriggerProgress> = {};
    const { oneState } = this.ctx;
    for (const [key, { index, execution }] of this.ctx.live) {
      // Nothing sent yet: the next run makes it again, asking under the same lease (its place in line kept).
      if (execution.phase === 'waiting_for_permit') continue;
      if (execution.triggerWait) {
        triggering[key] = triggerProgressOf(execution);
        continue;
      }
      const firstPollAfterMs = this.ctx.settingsOf(index).firstPollAfterMs;
      polling[key] = {
        executionId: execution.executionId!,
        polls: execution.polls,
        startedAtMs: Date.parse(execution.startedAt),
        deadlineAtMs: Date.parse(execution.deadlineAt),
        nextIntervalMs: oneState ? (execution.nextIntervalMs ?? firstPollAfterMs) : firstPollAfterMs,
        lastStatus: execution.lastStatus,
      };
      if (oneState && execution.nextPollAt) polling[key]!.nextPollAtMs = Date.parse(execution.nextPollAt);
      if (oneState && execution.autoPhaseEndsAt)
        polling[key]!.autoPhaseEndsAtMs = Date.parse(execution.autoPhaseEndsAt);
      // The 404 grace counts from the acceptance, not from the run that resumes it.
      if (execution.acceptedAt) polling[key]!.acceptedAtMs = Date.parse(execution.acceptedAt);
    }
    // Their attempts stay on record as they are: the next run goes on with them.
    this.ctx.triggerWaitsCarried = new Set(Object.keys(triggering));
    for (const scope of this.scopes.values()) scope.cancel();
    await condition(() => this.running === 0);
    // A batch being started or a signal to or from one on its way ends first: the next run counts on it.
    await condition(() => !this.forEach.busy());
    await condition(allHandlersFinished);
    // A status check in flight may have ended its execution while the steps stopped: that one is over.
    const resumed = oneState ? pollingToResume(polling, this.ctx.state.steps) : polling;
    const triggeringResumed = pollingToResume(triggering, this.ctx.state.steps);
    // Stopped steps kept their status, `running`: the next run resumes them.
    const steps = this.ctx.snapshot().steps;
    for (const step of Object.values(steps)) delete step.itemCounts;
    const finished = this.finishedWithResults();
    return continueAsNew<(args: CodikaPipelineInput) => Promise<CodikaPipelineResult>>({
      pipeline: this.ctx.pipeline,
      input: this.ctx.input,
      resume: {
        steps,
        finished,
        polling: resumed,
        // A wire addition: a run that carries no trigger wait writes the input it always did.
        ...(Object.keys(triggeringResumed).length > 0 ? { triggering: triggeringResumed } : {}),
        ...(this.ctx.state.failure ? { failure: this.ctx.state.failure } : {}),
      },
      ...(this.ctx.batchOf ? { batchOf: this.ctx.batchOf } : {}),
      // A redrive's executions to poll, for the steps and items it has not started yet.
      ...(Object.keys(this.ctx.attach).length > 0 ? { attach: this.ctx.attach } : {}),
    });
  }

  private async runStep(
    id: string,
    progress: CodikaStepResume | undefined,
    polling: Record<string, CodikaStepProgress>,
  ): Promise<StepResult> {
    const { step, index } = this.ctx.stepsById.get(id)!;
    const state = this.ctx.state.steps[id]!;
    if (step.startAfter !== undefined && progress === undefined) {
      state.startsAt ??= new Date(Date.now() + parseDuration(step.startAfter)).toISOString();
      const waitMs = Date.parse(state.startsAt) - Date.now();
      if (waitMs > 0)
        await this.ctx.waitUnlessStopped(id, waitMs, {
          summary: labelled(id, `start after ${formatDuration(waitMs)}`),
        });
    }
    if (isApprovalStep(step)) return { resultData: await this.runApproval(id, step, index) };
    if (step.forEach) return { resultData: await this.forEach.run(id, step, index, polling) };
    const { input, retriedInput } = this.ctx.attemptInputs(step, index, state.processInstanceId!, this.ctx.scope(), id);
    return this.ctx.runAttempts(state, step.retry, id, index, input, progress, id, retriedInput);
  }

  private async runApproval(id: string, step: CodikaPipelineApprovalStep, index: number) {
    const state = this.ctx.state.steps[id]!;
    if (state.approval === undefined) {
      const now = Date.now();
      state.approval = {
        prompt: this.ctx.render(step.approval.prompt, this.ctx.scope(), `steps[${index}].approval.prompt`) as string,
        waitingSince: new Date(now).toISOString(),
        onTimeout: step.approval.onTimeout ?? 'fail',
        ...(step.approval.approvers ? { approvers: step.approval.approvers } : {}),
      };
      if (step.approval.timeout !== undefined) {
        state.approval.deadline = new Date(now + parseDuration(step.approval.timeout)).toISOString();
      }
    }
    this.ctx.showDetails();
    try {
      const stop = { stopped: () => this.ctx.stopping(), failure: () => this.ctx.stoppedFailure(id) };
      return await awaitApproval(id, step, state.approval, this.ctx.oneState ? stop : undefined);
    } finally {
      this.ctx.showDetails();
    }
  }
}

/** `resume` is written by the workflow itself, but input is input: a bad one fails the run at once. */
export function validateResume(resume: CodikaPipelineResume, pipeline: CodikaPipelineDefinition): void {
  const ids = new Set(pipeline.steps.map((step) => step.id));
  const ok =
    typeof resume === 'object' &&
    resume !== null &&
    typeof resume.steps === 'object' &&
    Array.isArray(resume.finished) &&
    typeof resume.polling === 'object' &&
    Object.keys(resume.steps).every((id) => ids.has(id)) &&
    Object.keys(resume.polling).every((key) => ids.has(key.replace(/\[\d+\]$/, ''))) &&
    (resume.triggering === undefined ||
      (typeof resume.triggering === 'object' &&
        resume.triggering !== null &&
        Object.keys(resume.triggering).every((key) => ids.has(key.replace(/\[\d+\]$/, ''))))) &&
    (resume.failure === undefined ||
      (ids.has(resume.failure?.stepId) &&
        typeof resume.failure.type === 'string' &&
        typeof resume.failure.message === 'string'));
  if (!ok) throw invalid('input.resume', "expected the state a continued pipeline carries, for this pipeline's steps");
  for (const [id, progress] of Object.entries(resume.polling)) {
    underPath(`input.resume.polling.${id}`, () => validateId('executionId', progress?.executionId));
  }
  for (const [id, progress] of Object.entries(resume.triggering ?? {})) {
    validateTriggerProgress(`input.resume.triggering.${id}`, progress);
  }
}

/** A carried trigger wait: its key goes out as a header again, its figures set timers. */
function validateTriggerProgress(path: string, progress: CodikaTriggerProgress): void {
  underPath(path, () => validateId('idempotencyKey', progress?.idempotencyKey));
  const { attempt, backoffMs, nextAttemptAtMs, startedAtMs, deadlineAtMs } = progress;
  const figures = { backoffMs, nextAttemptAtMs, startedAtMs, deadlineAtMs };
  if (!Number.isInteger(attempt) || attempt < 2) throw invalid(`${path}.attempt`, 'expected an integer from 2');
  for (const [field, value] of Object.entries(figures)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${path}.${field}`, 'expected a number');
  }
}
