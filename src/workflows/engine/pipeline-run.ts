/**
 * One run of a declarative pipeline: the steps' states, the scheduler that starts each step once its
 * dependencies succeeded, continue-as-new with every step's place, the saga, and cancellation. Each
 * step kind runs from here through the same step engine as a single execution (`codika-step`).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  setCurrentDetails,
  startChild,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaStepProgress,
} from '../../shared/execution-types';
import type { CodikaTriggerDelivery } from '../../shared/trigger-delivery';
import { CODIKA_RESULT_TOO_LARGE, CODIKA_STEP_STOPPED, CODIKA_TEMPLATE_ERROR } from '../../shared/errors';
import { formatDuration, parseDuration } from '../../shared/durations';
import type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineInput,
  CodikaPipelineResume,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type {
  CodikaPipelineApprovalStep,
  CodikaPipelineDefinition,
  CodikaPipelineExecutionStep,
  CodikaPipelineStep,
} from '../../pipeline/definition';
import { isApprovalStep } from '../../pipeline/step-kinds';
import { describeCondition, evaluateCondition } from '../../pipeline/conditions';
import { renderTemplate, type TemplateScope } from '../../pipeline/templates';
import { TemplateError } from '../../pipeline/errors';
import { executeCodikaStep, initialStepState } from './codika-step';
import { pipelineDetails, showingDetails } from './current-details';
import { invalid, resolvePollSettings } from './poll-settings';
import { approvalRequestProblem, awaitApproval, type CodikaApprovalRequest } from './pipeline-approval';
import { runWithRetries } from './pipeline-retries';
import { countItems, dependencyVerdict, jsonBytes } from './pipeline-scheduling';
import { labelled } from './polling-strategies';
import { runItemPool } from './item-pool';
import { INLINE_ITEMS_LIMIT, planBatches, type CodikaForEachBatchReport } from './for-each-batches';
import { underPath, validateExecutionInput } from './validate-input';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES, validateId } from '../../shared/validation';

/**
 * Pipelines started before they could continue as new keep running in one history when they
 * replay; new ones continue as new when Temporal suggests it.
 */
export const PIPELINE_CONTINUE_AS_NEW_PATCH = 'codika-pipeline-continue-as-new';

/** A result a pipeline keeps: a Codika execution's, an approval's answer, or a forEach step's array. */
type StepResult = Pick<CodikaExecutionResult, 'resultData'> & Partial<CodikaExecutionResult>;

/** An execution in flight: which step it belongs to (for its poll options), and its live state. */
interface LiveExecution {
  index: number;
  execution: CodikaExecutionState;
}

/** The key of a forEach item's execution in the live map and in `resume.polling`. */
const itemKey = (id: string, index: number) => `${id}[${index}]`;

/** One pipeline run: the steps' states, the scheduler and the saga. */
export class PipelineRun {
  private readonly state: CodikaPipelineState;
  private readonly stepsById: Map<string, { step: CodikaPipelineStep; index: number }>;
  /** Executions in flight, whose polls and executionId the state query reads live. */
  private readonly live = new Map<string, LiveExecution>();
  /** Each step's result once it succeeded: what templates read as `steps.<id>`. */
  private readonly results = new Map<string, StepResult>();
  /** Each forEach step's items' results, by item index. */
  private readonly itemResults = new Map<string, (CodikaExecutionResult | undefined)[]>();
  /** Each forEach step's items, rendered once. */
  private readonly itemValues = new Map<string, unknown[]>();
  /** Succeeded steps and forEach items in the order they finished: compensations run in reverse. */
  private readonly finished: { stepId: string; index?: number }[] = [];
  private failure: { stepId: string; error: unknown } | undefined;
  private running = 0;
  private changes = 0;
  /** Each running step's scope, cancelled to continue as new. */
  private readonly scopes = new Map<string, CancellationScope>();
  /** Set while the run stops its steps to continue as new: their cancellation is not an end. */
  private continuing = false;
  /** A replayed history from before continue-as-new existed: never again in this run. */
  private continueAsNewDeclined = false;
  private readonly approvalStepIds: ReadonlySet<string>;
  /** Each failed forEach item's failure type, by item key, so a batch's parent fails with the same type. */
  private readonly itemFailureTypes = new Map<string, string>();
  /** Batch child workflows being started: the run does not continue as new in between. */
  private startingBatches = 0;
  /** A batch's items are numbered as in its parent's step (summaries, messages). */
  private readonly indexOffset: number;

  constructor(
    private readonly pipeline: CodikaPipelineDefinition,
    order: string[],
    private readonly input: unknown,
    private readonly resume?: CodikaPipelineResume,
    private readonly batchOf?: CodikaPipelineInput['batchOf'],
  ) {
    this.indexOffset = batchOf?.firstIndex ?? 0;
    this.stepsById = new Map(pipeline.steps.map((step, index) => [step.id, { step, index }]));
    this.approvalStepIds = new Set(pipeline.steps.filter(isApprovalStep).map((step) => step.id));
    const steps: Record<string, CodikaPipelineStepState> = {};
    for (const step of pipeline.steps) {
      steps[step.id] = isApprovalStep(step)
        ? { status: 'pending', polls: 0 }
        : {
            status: 'pending',
            workflowId: step.workflowId,
            processInstanceId: step.processInstanceId ?? pipeline.processInstanceId!,
            polls: 0,
          };
    }
    this.state = { phase: 'running', order, steps, leftRunning: [] };
    if (resume) {
      for (const [id, step] of Object.entries(resume.steps)) steps[id] = copyStep(step);
      for (const { stepId, index, result } of resume.finished) {
        this.finished.push(index === undefined ? { stepId } : { stepId, index });
        if (index === undefined) this.results.set(stepId, result);
        else this.itemResultsOf(stepId)[index] = result as CodikaExecutionResult;
      }
      for (const [id, results] of this.itemResults) {
        if (steps[id]!.status === 'succeeded')
          this.results.set(id, { resultData: forEachResultData(results, steps[id]!) });
      }
    }
  }

  /** The state with live figures of running executions; a copy, so a query never changes the run. */
  snapshot(): CodikaPipelineState {
    const steps: Record<string, CodikaPipelineStepState> = {};
    for (const [id, step] of Object.entries(this.state.steps)) {
      const copy = copyStep(step);
      steps[id] = withLive(copy, this.live.get(id)?.execution, this.live.get(`${id}#compensation`)?.execution);
      copy.items?.forEach((item, i) =>
        withLive(
          item,
          this.live.get(itemKey(id, i))?.execution,
          this.live.get(`${itemKey(id, i)}#compensation`)?.execution,
        ),
      );
      if (copy.items) copy.itemCounts = countItems(copy.items);
    }
    return { ...this.state, steps, leftRunning: [...this.state.leftRunning] };
  }

  /** The run's current details in the Temporal UI: its phase and each step's status. */
  private showDetails(): void {
    setCurrentDetails(pipelineDetails(this.snapshot()));
  }

  /** Why `request` cannot answer an approval step now (the `codikaPipelineApprove` validator). */
  approvalProblem(request: unknown): string | undefined {
    return approvalRequestProblem(request, this.state.steps, this.approvalStepIds);
  }

  /** Records a validated answer; the waiting step goes on in the same workflow task. */
  answerApproval({ stepId, approved, by, comment }: CodikaApprovalRequest): CodikaPipelineApprovalAnswer {
    const answer = {
      approved,
      by,
      ...(comment === undefined ? {} : { comment }),
      at: new Date(Date.now()).toISOString(),
    };
    this.state.steps[stepId]!.approval!.answer = answer;
    this.showDetails();
    return answer;
  }

  async execute(): Promise<CodikaPipelineResult> {
    const polling = this.resume?.polling ?? {};
    // Steps that were polling resume first, in the order they always did.
    for (const [key, progress] of Object.entries(polling)) if (this.stepsById.has(key)) this.start(key, { progress });
    // Steps that were waiting (a delay, a retry's backoff, an approval) or running forEach items restart from their state.
    for (const id of this.state.order) {
      if (this.state.steps[id]!.status === 'running' && !(id in polling)) this.start(id, { restart: true, polling });
    }
    try {
      await this.runSteps();
    } catch (err) {
      if (isCancellation(err)) {
        this.recordCancellation();
        await this.cancelRunningBatches();
      }
      throw err;
    }
    if (this.failure) {
      await this.compensate();
      this.state.phase = 'failed';
      this.showDetails();
      throw this.pipelineFailure(this.failure);
    }
    this.state.phase = 'succeeded';
    this.showDetails();
    const outputs: Record<string, unknown> = {};
    for (const [id, result] of this.results) outputs[id] = result.resultData;
    return { outputs, steps: this.snapshot().steps };
  }

  /** Starts every step whose dependencies allow it, until nothing runs and nothing can start. */
  private async runSteps(): Promise<void> {
    for (;;) {
      for (const id of this.state.order) {
        const step = this.state.steps[id]!;
        if (step.status !== 'pending') continue;
        const { step: definition } = this.stepsById.get(id)!;
        const verdict = dependencyVerdict(definition, this.state.steps);
        if (verdict.kind === 'skip') {
          // The order is topological, so a skip reaches the steps below it in this same pass.
          this.skip(step, verdict.skippedBy, verdict.because);
        } else if (verdict.kind === 'ready' && !this.failure) {
          const runs = definition.when === undefined || this.conditionHolds(id);
          if (runs) this.start(id);
        }
      }
      this.showDetails();
      if (this.running === 0) break;
      const seen = this.changes;
      await condition(() => this.changes !== seen || this.mayContinueAsNew());
      if (this.changes === seen && this.mayContinueAsNew()) {
        // Asked only when it decides, so the marker is recorded exactly when it applies.
        if (patched(PIPELINE_CONTINUE_AS_NEW_PATCH)) await this.continueAsNew();
        this.continueAsNewDeclined = true;
      }
    }
    for (const step of Object.values(this.state.steps)) {
      if (step.status === 'pending') {
        step.status = 'skipped';
        step.skippedBy = 'failure';
        step.error = `the pipeline stopped after step "${this.failure?.stepId}" failed`;
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
    const { step: definition, index } = this.stepsById.get(id)!;
    const step = this.state.steps[id]!;
    let holds: boolean;
    try {
      holds = evaluateCondition(definition.when!, this.scope(), `steps[${index}].when`);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.stepFailed(id, nonRetryableFailure(CODIKA_TEMPLATE_ERROR, err.message, { at: err.at }));
      step.endedAt = new Date(Date.now()).toISOString();
      this.changes += 1;
      return false;
    }
    if (!holds) this.skip(step, 'condition', `its condition was false: when ${describeCondition(definition.when)}`);
    return holds;
  }

  private stepFailed(id: string, err: unknown): void {
    const step = this.state.steps[id]!;
    step.status = 'failed';
    step.error = messageOf(err);
    if (this.stepsById.get(id)!.step.onFailure !== 'continue') this.failure ??= { stepId: id, error: err };
  }

  /**
   * Starts a step: fresh, or resuming the execution it was polling when the previous run continued
   * as new (`progress`), or restarting from its state (`restart`: a delay, a backoff, an approval, items).
   */
  private start(
    id: string,
    from: { progress?: CodikaStepProgress; restart?: boolean; polling?: Record<string, CodikaStepProgress> } = {},
  ): void {
    const step = this.state.steps[id]!;
    step.status = 'running';
    if (!from.progress && !from.restart) step.startedAt = new Date().toISOString();
    this.running += 1;
    const scope = new CancellationScope();
    this.scopes.set(id, scope);
    scope
      .run(() => this.runStep(id, from.progress, from.polling ?? {}))
      .then(
        (result) => {
          this.results.set(id, result);
          // A forEach step's items are on record one by one already.
          if (this.itemResults.get(id) === undefined) this.finished.push({ stepId: id });
          step.status = 'succeeded'; // executionId and polls were recorded as the execution ended
        },
        (err: unknown) => {
          if (isCancellation(err)) {
            // Stopped to continue as new: the next run resumes it, still running.
            if (!this.continuing) step.status = 'cancelled';
            return;
          }
          this.stepFailed(id, err);
        },
      )
      .finally(() => {
        this.scopes.delete(id);
        if (!this.continuing) step.endedAt = new Date().toISOString();
        this.running -= 1;
        this.changes += 1;
      });
  }

  /**
   * Temporal suggests continuing as new (the history is long), and no execution is between its
   * trigger and Codika's answer: every one in flight is polling a known executionId, which the next
   * run resumes. Saga and failure handling stay in one run.
   */
  private mayContinueAsNew(): boolean {
    if (!this.continueAsNewSuggested() || this.startingBatches > 0) return false;
    return [...this.live.values()].every(({ execution }) => execution.phase === 'polling' && execution.executionId);
  }

  private continueAsNewSuggested(): boolean {
    return !this.continueAsNewDeclined && !this.failure && workflowInfo().continueAsNewSuggested;
  }

  /** Stops the steps and continues as new with every step's state; never returns. */
  private async continueAsNew(): Promise<never> {
    this.continuing = true;
    const polling: Record<string, CodikaStepProgress> = {};
    for (const [key, { index, execution }] of this.live) {
      polling[key] = {
        executionId: execution.executionId!,
        polls: execution.polls,
        startedAtMs: Date.parse(execution.startedAt),
        deadlineAtMs: Date.parse(execution.deadlineAt),
        nextIntervalMs: this.settingsOf(index).firstPollAfterMs,
        lastStatus: execution.lastStatus,
      };
    }
    for (const scope of this.scopes.values()) scope.cancel();
    await condition(() => this.running === 0);
    await condition(allHandlersFinished);
    // Stopped steps kept their status, `running`: the next run resumes them.
    const steps = this.snapshot().steps;
    for (const step of Object.values(steps)) delete step.itemCounts;
    const finished = this.finished.map(({ stepId, index }) =>
      index === undefined
        ? { stepId, result: this.results.get(stepId) as CodikaExecutionResult }
        : { stepId, index, result: this.itemResults.get(stepId)![index]! },
    );
    return continueAsNew<(args: CodikaPipelineInput) => Promise<CodikaPipelineResult>>({
      pipeline: this.pipeline,
      input: this.input,
      resume: { steps, finished, polling },
      ...(this.batchOf ? { batchOf: this.batchOf } : {}),
    });
  }

  private settingsOf(index: number) {
    const step = this.pipeline.steps[index] as CodikaPipelineExecutionStep;
    return resolvePollSettings({ ...this.pipeline.poll, ...step.poll }, `steps[${index}].poll`);
  }

  private async runStep(
    id: string,
    progress: CodikaStepProgress | undefined,
    polling: Record<string, CodikaStepProgress>,
  ): Promise<StepResult> {
    const { step, index } = this.stepsById.get(id)!;
    const state = this.state.steps[id]!;
    if (step.startAfter !== undefined && progress === undefined) {
      state.startsAt ??= new Date(Date.now() + parseDuration(step.startAfter)).toISOString();
      const waitMs = Date.parse(state.startsAt) - Date.now();
      if (waitMs > 0) await sleep(waitMs, { summary: labelled(id, `start after ${formatDuration(waitMs)}`) });
    }
    if (isApprovalStep(step)) return { resultData: await this.runApproval(id, step, index) };
    if (step.forEach) return { resultData: await this.runForEach(id, step, index, polling) };
    const input = this.executionInput(step, index, state.processInstanceId!, this.scope());
    return runWithRetries(
      state,
      step.retry,
      id,
      (resume, onExecutionId) =>
        this.runExecution(
          id,
          index,
          input,
          (execution) => {
            state.executionId = execution.executionId;
            state.polls = execution.polls;
            state.lastStatus = execution.lastStatus;
            onExecutionId(execution.executionId);
          },
          resume,
        ),
      progress,
    );
  }

  private async runApproval(id: string, step: CodikaPipelineApprovalStep, index: number) {
    const state = this.state.steps[id]!;
    if (state.approval === undefined) {
      const now = Date.now();
      state.approval = {
        prompt: this.render(step.approval.prompt, this.scope(), `steps[${index}].approval.prompt`) as string,
        waitingSince: new Date(now).toISOString(),
        onTimeout: step.approval.onTimeout ?? 'fail',
        ...(step.approval.approvers ? { approvers: step.approval.approvers } : {}),
      };
      if (step.approval.timeout !== undefined) {
        state.approval.deadline = new Date(now + parseDuration(step.approval.timeout)).toISOString();
      }
    }
    this.showDetails();
    try {
      return await awaitApproval(id, step, state.approval);
    } finally {
      this.showDetails();
    }
  }

  /**
   * Runs a forEach step's items, `concurrency` at a time, in item order: in this run's history, or
   * past `INLINE_ITEMS_LIMIT` items in batch child workflows (`for-each-batches.ts`).
   */
  private async runForEach(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    polling: Record<string, CodikaStepProgress>,
  ): Promise<unknown[]> {
    const state = this.state.steps[id]!;
    const items = this.itemsOf(id);
    state.items ??= items.map(() => ({ status: 'pending', polls: 0 }));
    const stopOnFailure = step.onFailure !== 'continue';
    const failure =
      items.length > INLINE_ITEMS_LIMIT
        ? await this.runBatches(id, step, index, stopOnFailure)
        : await runItemPool({
            items: state.items,
            concurrency: step.forEach!.concurrency ?? DEFAULT_CONCURRENCY,
            stopOnFailure,
            stopped: () => this.failure !== undefined,
            holding: () => this.continueAsNewSuggested(),
            continuing: () => this.continuing,
            run: (i, progress) => this.runItem(id, step, index, i, progress),
            progressOf: (i) => polling[itemKey(id, i)],
            succeeded: (i, result) => {
              this.itemResultsOf(id)[i] = result;
              this.finished.push({ stepId: id, index: i });
            },
          });
    if (failure !== undefined && stopOnFailure) {
      const { index: i, error } = failure;
      const original = error instanceof ApplicationFailure ? error : undefined;
      throw nonRetryableFailure(
        original?.type ?? 'Error',
        `item ${i + this.indexOffset}: ${messageOf(error)}`,
        { stepId: id, index: i + this.indexOffset, executionId: state.items[i]!.executionId },
        error instanceof Error ? error : undefined,
      );
    }
    if (this.failure !== undefined && state.items.some((item) => item.status === 'skipped')) {
      throw nonRetryableFailure(CODIKA_STEP_STOPPED, `stopped after step "${this.failure.stepId}" failed`, {
        stepId: id,
        counts: countItems(state.items),
      });
    }
    const resultData = forEachResultData(this.itemResultsOf(id), state);
    const bytes = jsonBytes(resultData);
    if (bytes > TEMPORAL_PAYLOAD_LIMIT_BYTES) {
      throw nonRetryableFailure(
        CODIKA_RESULT_TOO_LARGE,
        `the results of its ${items.length} items take ${(bytes / 1024 / 1024).toFixed(1)} MB as JSON, over Temporal's 2 MB payload limit: have the Codika workflow return less (an id to fetch the rest from)`,
        { stepId: id, bytes, limitBytes: TEMPORAL_PAYLOAD_LIMIT_BYTES },
      );
    }
    return resultData;
  }

  /**
   * Runs a large forEach step's items in batch child workflows, one batch at a time. Each batch is a
   * one-step pipeline over payloads rendered here; it reports by signal (`receiveBatchReport`).
   *
   * @returns the first failed item, if any.
   */
  private async runBatches(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    stopOnFailure: boolean,
  ): Promise<{ index: number; error: unknown } | undefined> {
    const state = this.state.steps[id]!;
    const info = workflowInfo();
    const runTag = info.firstExecutionRunId.slice(0, 8);
    state.batches ??= planBatches(state.items!.length, (batch) => `${info.workflowId}/${id}/batch-${batch}-${runTag}`);
    const firstFailure = () => {
      const i = state.items!.findIndex((item) => item.status === 'failed');
      if (i < 0) return undefined;
      const item = state.items![i]!;
      const type = this.itemFailureTypes.get(itemKey(id, i)) ?? 'Error';
      return { index: i, error: nonRetryableFailure(type, item.error ?? 'failed', { index: i }) };
    };
    for (const [batch, plan] of state.batches.entries()) {
      if (plan.status === 'done') continue;
      if ((stopOnFailure && firstFailure()) || this.failure !== undefined) break;
      if (plan.status === 'pending') {
        // Running before the child starts: its report may arrive in the activation that says it started.
        plan.status = 'running';
        for (let i = plan.from; i < plan.to; i += 1) state.items![i]!.status = 'running';
        const batchInput: CodikaPipelineInput = {
          pipeline: this.batchPipeline(id, step, index, plan.from, plan.to),
          batchOf: { parentWorkflowId: info.workflowId, stepId: id, batch, firstIndex: plan.from },
        };
        this.startingBatches += 1;
        try {
          const child = await startChild('codikaPipelineWorkflow', {
            workflowId: plan.workflowId,
            args: [batchInput],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            staticSummary: `Batch ${batch + 1} of ${state.batches.length} of step ${id}: items ${plan.from}–${plan.to - 1}`,
          });
          // In the run that started it, a batch that ends without reporting (terminated by hand) is noticed.
          child.result().then(
            () => this.batchEndedSilently(id, batch, 'its run ended without reporting its items'),
            (err: unknown) => this.batchEndedSilently(id, batch, messageOf(err)),
          );
        } finally {
          this.startingBatches -= 1;
        }
      }
      await condition(() => plan.status === 'done');
    }
    for (const item of state.items!) if (item.status === 'pending') item.status = 'skipped';
    return firstFailure();
  }

  /** The one-step pipeline a batch runs: the step's items `from`..`to`, each payload rendered here. */
  private batchPipeline(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    from: number,
    to: number,
  ): CodikaPipelineDefinition {
    const payloads: Record<string, unknown>[] = [];
    for (let i = from; i < to; i += 1) {
      payloads.push(
        this.executionInput(step, index, this.state.steps[id]!.processInstanceId!, this.itemScope(id, i)).payload,
      );
    }
    return {
      processInstanceId: this.state.steps[id]!.processInstanceId!,
      triggerDelivery: step.triggerDelivery ?? this.pipeline.triggerDelivery,
      poll: { ...this.pipeline.poll, ...step.poll },
      steps: [
        {
          id,
          workflowId: step.workflowId,
          payload: { $ref: 'item' } as unknown as Record<string, never>,
          forEach: { items: payloads as never[], concurrency: step.forEach!.concurrency ?? DEFAULT_CONCURRENCY },
          ...(step.retry ? { retry: step.retry } : {}),
          ...(step.onFailure ? { onFailure: step.onFailure } : {}),
        },
      ],
    };
  }

  /** Applies a batch's report at once (see `for-each-batches.ts` for why in the handler). */
  receiveBatchReport(report: CodikaForEachBatchReport): void {
    const state = this.state.steps[report.stepId];
    const plan = state?.batches?.[report.batch];
    if (!state?.items || !plan || plan.status === 'done') return; // a duplicate, or not ours
    const results = this.itemResultsOf(report.stepId);
    for (let i = plan.from; i < plan.to; i += 1) {
      const item = report.items[i - plan.from];
      state.items[i] = item ?? {
        status: 'failed',
        polls: 0,
        error: report.error ?? 'the batch did not report this item',
      };
      const type = report.failureTypes[i - plan.from];
      if (type !== undefined) this.itemFailureTypes.set(itemKey(report.stepId, i), type);
    }
    for (const local of report.finishOrder) {
      const result = report.results[local];
      if (result) {
        results[plan.from + local] = result;
        this.finished.push({ stepId: report.stepId, index: plan.from + local });
      }
    }
    plan.status = 'done';
    this.changes += 1;
  }

  private batchEndedSilently(stepId: string, batch: number, why: string): void {
    const plan = this.state.steps[stepId]?.batches?.[batch];
    if (!plan || plan.status === 'done') return;
    this.receiveBatchReport({
      stepId,
      batch,
      items: [],
      results: [],
      finishOrder: [],
      failureTypes: {},
      error: `batch child ${plan.workflowId} ended without reporting: ${why}`,
    });
  }

  /** What this run, a batch of a large forEach step, reports to its pipeline. */
  batchReport(stepId: string, error?: string): CodikaForEachBatchReport {
    const state = this.state.steps[stepId];
    const items = (state?.items ?? []).map((item) => ({ ...item }));
    const finishOrder = this.finished.flatMap((f) => (f.stepId === stepId && f.index !== undefined ? [f.index] : []));
    const results = items.map((_, i) => this.itemResults.get(stepId)?.[i] ?? null);
    const failureTypes: Record<number, string> = {};
    for (const [key, type] of this.itemFailureTypes) {
      const match = /^(.*)\[(\d+)\]$/.exec(key);
      if (match?.[1] === stepId) failureTypes[Number(match[2])] = type;
    }
    return {
      stepId,
      batch: this.batchOf?.batch ?? 0,
      items,
      results,
      finishOrder,
      failureTypes,
      ...(error ? { error } : {}),
    };
  }

  private async runItem(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    i: number,
    progress?: CodikaStepProgress,
  ): Promise<CodikaExecutionResult> {
    const item = this.state.steps[id]!.items![i]!;
    const key = itemKey(id, i);
    const label = itemKey(id, i + this.indexOffset);
    const input = this.executionInput(step, index, this.state.steps[id]!.processInstanceId!, this.itemScope(id, i));
    try {
      return await runWithRetries(
        item,
        step.retry,
        label,
        (resume, onExecutionId) =>
          this.runExecution(
            key,
            index,
            input,
            (execution) => {
              item.executionId = execution.executionId;
              item.polls = execution.polls;
              onExecutionId(execution.executionId);
            },
            resume,
            label,
          ),
        progress,
      );
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type) this.itemFailureTypes.set(key, err.type);
      throw err;
    }
  }

  /** A forEach step's items, rendered once per run (from the input and upstream results, so the same each time). */
  private itemsOf(id: string): unknown[] {
    let items = this.itemValues.get(id);
    if (items === undefined) {
      const { step, index } = this.stepsById.get(id)!;
      const at = `steps[${index}].forEach.items`;
      items = this.render((step as CodikaPipelineExecutionStep).forEach!.items, this.scope(), at) as unknown[];
      if (!Array.isArray(items)) {
        throw nonRetryableFailure(
          CODIKA_TEMPLATE_ERROR,
          `${at}: expected an array of items, got ${describeValue(items)}`,
          {
            at,
          },
        );
      }
      this.itemValues.set(id, items);
    }
    return items;
  }

  private itemResultsOf(id: string): (CodikaExecutionResult | undefined)[] {
    let results = this.itemResults.get(id);
    if (results === undefined) this.itemResults.set(id, (results = []));
    return results;
  }

  /**
   * Runs one Codika execution with the poll options of `steps[index]`, its live state visible to the
   * query under `liveKey` (also its label in the UI's summaries); `record` keeps what it reached once
   * it ends, however it ends.
   */
  private async runExecution(
    liveKey: string,
    index: number,
    input: Required<CodikaExecutionInput>,
    record: (execution: CodikaExecutionState) => void,
    resume?: CodikaStepProgress,
    label = liveKey,
  ): Promise<CodikaExecutionResult> {
    const settings = this.settingsOf(index);
    // A step's executionId and polls show in the pipeline's details as they change.
    const execution = showingDetails(initialStepState(input, resume), () => pipelineDetails(this.snapshot()));
    this.live.set(liveKey, { index, execution });
    try {
      return await executeCodikaStep(input, settings, execution, { resume, label });
    } finally {
      this.live.delete(liveKey);
      record(execution);
    }
  }

  /** What templates read now: the input and the results so far. */
  private scope(): TemplateScope {
    const scope: TemplateScope = { input: this.input, steps: {} };
    for (const [id, result] of this.results) {
      scope.steps[id] = { resultData: result.resultData, executionId: result.executionId };
    }
    return scope;
  }

  /** The scope of one forEach item: `item`, `index`, and its own result once it has one (its compensation reads it). */
  private itemScope(id: string, i: number): TemplateScope {
    const scope = { ...this.scope(), item: this.itemsOf(id)[i], index: i };
    const own = this.itemResults.get(id)?.[i];
    if (own) scope.steps = { ...scope.steps, [id]: { resultData: own.resultData, executionId: own.executionId } };
    return scope;
  }

  private render(template: unknown, scope: TemplateScope, at: string): unknown {
    try {
      return renderTemplate(template, scope, at);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw nonRetryableFailure(CODIKA_TEMPLATE_ERROR, err.message, { at: err.at });
    }
  }

  /** Renders a step's (or compensation's) payload template, then checks it like any input. */
  private executionInput(
    raw: { workflowId: string; payload?: unknown; triggerDelivery?: CodikaTriggerDelivery },
    index: number,
    processInstanceId: string,
    scope: TemplateScope,
    at = `steps[${index}].payload`,
    triggerDelivery = raw.triggerDelivery ?? this.pipeline.triggerDelivery,
  ): Required<CodikaExecutionInput> {
    const payload = this.render(raw.payload ?? {}, scope, at);
    return validateExecutionInput(
      {
        processInstanceId,
        workflowId: raw.workflowId,
        payload: payload as Record<string, unknown>,
        triggerDelivery,
      },
      at.replace(/\.payload$/, ''),
    );
  }

  /**
   * The saga: compensations of the succeeded steps (and forEach items), last finished first. Their
   * failures are recorded, not thrown.
   */
  private async compensate(): Promise<void> {
    this.state.phase = 'compensating';
    for (const { stepId: id, index: itemIndex } of [...this.finished].reverse()) {
      const { step, index } = this.stepsById.get(id)!;
      if (isApprovalStep(step) || !step.compensate) continue;
      const compensation = step.compensate;
      const state = this.state.steps[id]!;
      const target = itemIndex === undefined ? state : state.items![itemIndex]!;
      const liveKey = itemIndex === undefined ? id : itemKey(id, itemIndex);
      const statusBefore = state.status;
      state.status = 'compensating';
      target.status = 'compensating';
      target.compensation = { status: 'running' };
      this.showDetails();
      try {
        const input = this.executionInput(
          { ...compensation, triggerDelivery: compensation.triggerDelivery ?? step.triggerDelivery },
          index,
          compensation.processInstanceId ?? state.processInstanceId!,
          itemIndex === undefined ? this.scope() : this.itemScope(id, itemIndex),
          `steps[${index}].compensate.payload`,
        );
        const result = await this.runExecution(
          `${liveKey}#compensation`,
          index,
          input,
          (execution) => {
            target.compensation!.executionId = execution.executionId;
          },
          undefined,
          `undo ${itemIndex === undefined ? id : itemKey(id, itemIndex + this.indexOffset)}`,
        );
        target.status = 'compensated';
        target.compensation = { status: 'succeeded', executionId: result.executionId };
      } catch (err) {
        if (isCancellation(err)) throw err;
        target.status = 'succeeded';
        target.compensation = { ...target.compensation, status: 'failed', error: messageOf(err) };
      }
      // A forEach step's items carry their own compensation; the step keeps the status it had.
      if (itemIndex !== undefined) state.status = statusBefore;
      this.showDetails();
    }
  }

  /** Codika has no cancel endpoint: say which executions were left running, in the memo and the log. */
  private recordCancellation(): void {
    this.state.phase = 'cancelled';
    const inFlight = (status: string) => status === 'running' || status === 'compensating' || status === 'cancelled';
    const leftRunning = (key: string, status: string, executionId: string | undefined, compensationId?: string) => {
      const compensating = status === 'compensating';
      const id = compensating
        ? (this.live.get(`${key}#compensation`)?.execution.executionId ?? compensationId)
        : (this.live.get(key)?.execution.executionId ?? executionId);
      if (id !== undefined) this.state.leftRunning.push({ stepId: key, executionId: id });
    };
    for (const [id, step] of Object.entries(this.state.steps)) {
      // A step whose wait was cancelled a moment earlier in this same activation is `cancelled` already.
      if (!inFlight(step.status)) continue;
      if (step.items) {
        step.items.forEach((item, i) => {
          if (!inFlight(item.status)) return;
          leftRunning(itemKey(id, i), item.status, item.executionId, item.compensation?.executionId);
          item.status = 'cancelled';
        });
      } else leftRunning(id, step.status, step.executionId, step.compensation?.executionId);
      step.status = 'cancelled';
    }
    upsertMemo({ codikaLeftRunning: this.state.leftRunning });
    this.showDetails();
    if (this.state.leftRunning.length > 0) {
      log.warn('Pipeline cancelled: these Codika executions may still be running', {
        leftRunning: this.state.leftRunning,
      });
    }
  }

  /** Batches outlive the run that started them (`ABANDON`): a cancelled pipeline asks the running ones to stop. */
  private async cancelRunningBatches(): Promise<void> {
    const running = Object.values(this.state.steps).flatMap((step) =>
      (step.batches ?? []).filter((batch) => batch.status === 'running'),
    );
    if (running.length === 0) return;
    await CancellationScope.nonCancellable(() =>
      Promise.all(
        running.map((batch) =>
          getExternalWorkflowHandle(batch.workflowId)
            .cancel()
            .catch((err: unknown) =>
              log.warn('Could not cancel a forEach batch', { workflowId: batch.workflowId, error: messageOf(err) }),
            ),
        ),
      ),
    );
  }

  /** The first failure, keeping its type, prefixed with its step; details say what the saga did. */
  private pipelineFailure({ stepId, error }: { stepId: string; error: unknown }): ApplicationFailure {
    const original = error instanceof ApplicationFailure ? error : undefined;
    const compensations = Object.entries(this.state.steps).flatMap(([id, s]) => [
      ...(s.compensation ? [{ stepId: id, ...s.compensation }] : []),
      ...(s.items ?? []).flatMap((item, i) =>
        item.compensation ? [{ stepId: itemKey(id, i), ...item.compensation }] : [],
      ),
    ]);
    return nonRetryableFailure(
      original?.type ?? (error instanceof Error ? error.name : 'Error'),
      `Step "${stepId}" failed: ${messageOf(error)}`,
      { stepId, executionId: this.state.steps[stepId]!.executionId, compensations },
      error instanceof Error ? error : undefined,
    );
  }
}

/** Items in flight at once when a forEach step does not say. */
const DEFAULT_CONCURRENCY = 10;

/** A forEach step's `resultData`: the items' results in item order, `null` for an item that failed. */
function forEachResultData(
  results: readonly (CodikaExecutionResult | undefined)[],
  state: CodikaPipelineStepState,
): unknown[] {
  return (state.items ?? []).map((_, i) => (results[i] === undefined ? null : (results[i]!.resultData ?? null)));
}

/** `target` with the live figures of its execution (and of its compensation) in flight. */
function withLive<
  T extends {
    executionId?: string;
    polls: number;
    lastStatus?: string;
    compensation?: { executionId?: string; status: string; error?: string };
  },
>(target: T, execution: CodikaExecutionState | undefined, compensating: CodikaExecutionState | undefined): T {
  if (execution)
    Object.assign(target, {
      executionId: execution.executionId,
      polls: execution.polls,
      lastStatus: execution.lastStatus,
    });
  if (compensating && target.compensation)
    target.compensation = { ...target.compensation, executionId: compensating.executionId };
  return target;
}

/** A copy of a step's state whose parts the run changes (items, attempts), so a query never shares them. */
function copyStep(step: CodikaPipelineStepState): CodikaPipelineStepState {
  const copy = { ...step };
  if (step.items) copy.items = step.items.map((item) => ({ ...item, attempts: item.attempts?.map((a) => ({ ...a })) }));
  if (step.attempts) copy.attempts = step.attempts.map((a) => ({ ...a }));
  return copy;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
    Object.keys(resume.polling).every((key) => ids.has(key.replace(/\[\d+\]$/, '')));
  if (!ok) throw invalid('input.resume', "expected the state a continued pipeline carries, for this pipeline's steps");
  for (const [id, progress] of Object.entries(resume.polling)) {
    underPath(`input.resume.polling.${id}`, () => validateId('executionId', progress?.executionId));
  }
}
