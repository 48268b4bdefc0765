/**
 * What every part of a pipeline run shares: the steps' states, the results so far, the executions in
 * flight, and the ways to render a template and run one Codika execution for a step. The scheduler
 * (`pipeline-run.ts`), forEach steps (`pipeline-for-each.ts`) and the saga (`pipeline-saga.ts`) read
 * and change the run through it.
 */
import { ApplicationFailure, condition, setCurrentDetails, sleep, type TimerOptions } from '@temporalio/workflow';
import type {
  CheckedExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaStepResume,
  CodikaTriggerProgress,
  CodikaExecutionInput,
  CodikaTriggerAnswer,
} from '../../shared/execution-types';
import { mergePriorities } from '../../shared/priority';
import { CODIKA_STEP_STOPPED, CODIKA_TEMPLATE_ERROR } from '../../shared/errors';
import type {
  CodikaPipelineFailure,
  CodikaPipelineInput,
  CodikaPipelineResume,
  CodikaPipelineState,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type {
  CodikaPipelineDefinition,
  CodikaPipelineExecutionStep,
  CodikaPipelineStep,
} from '../../pipeline/definition';
import { isApprovalStep } from '../../pipeline/step-kinds';
import { renderTemplate, type TemplateScope } from '../../pipeline/templates';
import { TemplateError } from '../../pipeline/errors';
import { executeCodikaStep, initialStepState } from '../execution/codika-step';
import type { OperatorAddress } from '../execution/operator-answers';
import { OperatorIndexing } from './operator-indexing';
import { showingDetails } from '../execution/current-details';
import { pipelineDetails } from './pipeline-details';
import { runWithRetries, type AttemptsHolder } from './pipeline-retries';
import { resolvePollSettings } from '../execution/poll-settings';
import { countItems } from './pipeline-scheduling';
import { validateExecutionInput } from '../execution/validate-input';

import { copyStep, isTriggerProgress, restoreResults, type StepResult } from './pipeline-state';

export type { StepResult } from './pipeline-state';

/** An execution in flight: which step it belongs to (for its poll options), and its live state. */
export interface LiveExecution {
  index: number;
  execution: CodikaExecutionState;
}

/** Ways of running that runs recorded before them do not have (each behind its own patch). */
export interface PipelineWays {
  batchWindow: boolean;
  triggerWaitCarried: boolean;
  sizesChecked: boolean;
}

/** The key of a forEach item's execution in the live map, `resume.polling` and `resume.triggering`. */
export const itemKey = (id: string, index: number) => `${id}[${index}]`;

/** The shared state of one pipeline run; see the module comment. */
export class PipelineContext {
  readonly state: CodikaPipelineState;
  readonly stepsById: Map<string, { step: CodikaPipelineStep; index: number }>;
  /** Executions in flight, whose polls and executionId the state query reads live. */
  readonly live = new Map<string, LiveExecution>();
  /** Each step's result once it succeeded: what templates read as `steps.<id>`. */
  readonly results: Map<string, StepResult> = new Map();
  /** Each forEach step's items' results, by item index. */
  readonly itemResults: Map<string, (CodikaExecutionResult | undefined)[]> = new Map();
  /** Each forEach step's items, rendered once. */
  private readonly itemValues = new Map<string, unknown[]>();
  /** Succeeded steps and forEach items in the order they finished: compensations run in reverse. */
  readonly finished: { stepId: string; index?: number }[] = [];
  /** Each failed step's failure, as thrown. */
  readonly stepFailures = new Map<string, unknown>();
  /** The first failure that stops the pipeline. */
  failure: { stepId: string; error: unknown } | undefined;
  /** Counts every change the scheduler waits for (a step or a batch that ended). */
  changes = 0;
  /** Set while the run stops its steps to continue as new: their cancellation is not an end. */
  continuing = false;
  /** A batch's items are numbered as in its parent's step (summaries, messages). */
  readonly indexOffset: number;
  /** Triggers the previous run left waiting to be sent again, by live key: each goes on from its wait. */
  readonly triggerWaitsToResume: Record<string, CodikaTriggerProgress> = {};
  /** The live keys whose trigger wait this run carries into the next, once it continues as new. */
  triggerWaitsCarried: ReadonlySet<string> = new Set();
  /** Shows the run waits for an operator while one of its executions does. */
  readonly operatorIndexing = new OperatorIndexing();
  /** Executions a redrive polls instead of triggering, by live key (`send`, `send[3]`): see `CodikaPipelineInput.attach`. */
  attach: Readonly<Record<string, string>> = {};

  constructor(
    readonly pipeline: CodikaPipelineDefinition,
    order: string[],
    readonly input: unknown,
    resume?: CodikaPipelineResume,
    readonly batchOf?: CodikaPipelineInput['batchOf'],
    /**
     * The run keeps every fact in its state (`PIPELINE_ONE_STATE_PATCH`): the failure that stops it,
     * each forEach step's result, and a failure stops what only waits. Runs recorded before keep their ways.
     */
    readonly oneState = false,
    /**
     * The ways added after one state (`PIPELINE_BATCH_WINDOW_PATCH`, `PIPELINE_TRIGGER_WAIT_CARRIED_PATCH`,
     * `PIPELINE_SIZES_CHECKED_PATCH`): batches slide as a window of `concurrency` items and tell their
     * pipeline how they go; a trigger waiting to be sent again does not hold continue-as-new; sizes are
     * checked before the payload limit bites. Runs recorded before keep their ways.
     */
    readonly ways: PipelineWays = { batchWindow: false, triggerWaitCarried: false, sizesChecked: false },
  ) {
    this.indexOffset = batchOf?.firstIndex ?? 0;
    this.stepsById = new Map(pipeline.steps.map((step, index) => [step.id, { step, index }]));
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
      const restored = restoreResults(resume, steps, oneState);
      this.results = restored.results;
      this.itemResults = restored.itemResults;
      this.finished = restored.finished;
      if (oneState && resume.failure) this.restoreFailure(resume.failure);
      if (ways.triggerWaitCarried) this.triggerWaitsToResume = resume.triggering ?? {};
    }
  }

  /** A failure met by a previous run of the chain (while it stopped its steps to continue), or a batch's stop. */
  private restoreFailure(failure: CodikaPipelineFailure): void {
    this.state.failure = { ...failure };
    this.failure = {
      stepId: failure.stepId,
      error: ApplicationFailure.create({
        type: failure.type,
        message: failure.message,
        nonRetryable: true,
        ...(failure.details ? { details: failure.details } : {}),
      }),
    };
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
  showDetails(): void {
    setCurrentDetails(pipelineDetails(this.detailsView()));
  }

  /**
   * What the details show, rendered at every change of every execution in flight: each step with its
   * live figures, its items shared rather than copied (the details only count them), so a fan-out's
   * changes do not each copy every item.
   */
  private detailsView(): CodikaPipelineState {
    const steps: Record<string, CodikaPipelineStepState> = {};
    for (const [id, step] of Object.entries(this.state.steps)) {
      steps[id] = withLive({ ...step }, this.live.get(id)?.execution, this.live.get(`${id}#compensation`)?.execution);
    }
    return { ...this.state, steps };
  }

  stepFailed(id: string, err: unknown): void {
    const step = this.state.steps[id]!;
    step.status = 'failed';
    step.error = messageOf(err);
    step.failureType = failureTypeOf(err);
    this.stepFailures.set(id, err);
    if (this.stepsById.get(id)!.step.onFailure === 'continue' || this.failure) return;
    this.failure = { stepId: id, error: err };
    if (this.oneState) this.state.failure = { stepId: id, ...failureOf(err) };
  }

  /**
   * This run is a batch whose pipeline failed: it starts no more items and lets those running end,
   * as a failure of its own would. Kept in the state, so a continued batch stops too.
   */
  stopBatch(): void {
    if (!this.oneState || !this.batchOf || this.failure) return;
    this.restoreFailure({
      stepId: this.batchOf.stepId,
      type: CODIKA_STEP_STOPPED,
      message: 'its pipeline failed and stopped this batch',
    });
    this.changes += 1;
  }

  /** Whether a failure stopped the pipeline, in a run that stops waiting work for it. */
  stopping(): boolean {
    return this.oneState && this.failure !== undefined;
  }

  /** How a step that was only waiting (a delay, a retry's backoff, an approval) ends once the pipeline failed. */
  stoppedFailure(stepId: string): ApplicationFailure {
    return nonRetryableFailure(CODIKA_STEP_STOPPED, `stopped after step "${this.failure?.stepId}" failed`, { stepId });
  }

  /**
   * Waits `ms` (a delay, a retry's backoff); in a run that keeps one state, a failure of the pipeline
   * ends the wait at once with {@link stoppedFailure}, so nothing starts after it.
   */
  async waitUnlessStopped(stepId: string, ms: number, options: TimerOptions): Promise<void> {
    if (!this.oneState) return sleep(ms, options);
    if (this.failure === undefined && !(await condition(() => this.failure !== undefined, ms, options))) return;
    throw this.stoppedFailure(stepId);
  }

  settingsOf(index: number) {
    const step = this.pipeline.steps[index] as CodikaPipelineExecutionStep;
    return resolvePollSettings({ ...this.pipeline.poll, ...step.poll }, `steps[${index}].poll`);
  }

  /** A forEach step's items, rendered once per run (from the input and upstream results, so the same each time). */
  itemsOf(id: string): unknown[] {
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

  itemResultsOf(id: string): (CodikaExecutionResult | undefined)[] {
    let results = this.itemResults.get(id);
    if (results === undefined) this.itemResults.set(id, (results = []));
    return results;
  }

  /**
   * Runs one Codika execution with the poll options of `steps[index]`, its live state visible to the
   * query under `liveKey` (also its label in the UI's summaries); `record` keeps what it reached once
   * it ends, however it ends.
   */
  async runExecution(
    liveKey: string,
    index: number,
    input: CheckedExecutionInput,
    record: (execution: CodikaExecutionState) => void,
    resume?: CodikaStepResume,
    label = liveKey,
    permitName = liveKey,
  ): Promise<CodikaExecutionResult> {
    const settings = this.settingsOf(index);
    const from = resume && isTriggerProgress(resume) ? { resumeTrigger: resume } : { resume };
    // A step's executionId and polls show in the pipeline's details as they change.
    const execution = showingDetails(initialStepState(input, from.resume), () => pipelineDetails(this.detailsView()));
    this.live.set(liveKey, { index, execution });
    try {
      return await executeCodikaStep(input, settings, execution, {
        ...from,
        label,
        address: operatorAddressOf(liveKey, label),
        awaitingOperator: (waiting, runIndex) => this.operatorIndexing.awaiting(waiting, runIndex),
        // One permit per attempt of each step or item, carried (held or waited for) into a continued run.
        permitOwner: { name: permitName, followsContinueAsNew: true, label },
        keepsPermit: () => this.continuing,
      });
    } finally {
      this.live.delete(liveKey);
      record(execution);
    }
  }

  /**
   * Runs a step's (or a forEach item's) Codika execution with its `retry`, keeping on `target` the
   * executionId, polls and last status each attempt reached, however it ended.
   */
  runAttempts(
    target: AttemptsHolder & { executionId?: string; polls: number; lastStatus?: string; answer?: CodikaTriggerAnswer },
    retry: CodikaPipelineExecutionStep['retry'],
    liveKey: string,
    index: number,
    input: CheckedExecutionInput,
    progress?: CodikaStepResume,
    label = liveKey,
    retriedInput: CheckedExecutionInput = input,
  ): Promise<CodikaExecutionResult> {
    // A redrive's attempt that polls an execution from before: once that one failed, a retry triggers.
    const inputNow = () =>
      input.executionId !== undefined &&
      (target.attempts ?? []).some((a) => a.executionId === input.executionId && a.status === 'failed')
        ? retriedInput
        : input;
    // A forEach item's pool resumes it without progress of its own: its trigger wait is found here.
    const resume = progress ?? this.triggerWaitsToResume[liveKey];
    const record = (execution: CodikaExecutionState, onExecutionId: (executionId: string | undefined) => void) => {
      target.executionId = execution.executionId;
      target.polls = execution.polls;
      target.lastStatus = execution.lastStatus;
      // Who answered for its trigger stays with the step once it ends, as an approval's answer does.
      if (execution.answer) target.answer = execution.answer;
      onExecutionId(execution.executionId);
    };
    return runWithRetries(
      target,
      retry,
      label,
      (from, onExecutionId) =>
        this.runExecution(
          liveKey,
          index,
          inputNow(),
          (execution) => record(execution, onExecutionId),
          from,
          label,
          `${liveKey}#${target.attempts?.length ?? 1}`,
        ),
      resume,
      (ms, options) => this.waitUnlessStopped(liveKey, ms, options),
      // An attempt stopped before Codika accepted it is made again by the next run, unless its wait is carried.
      () => this.oneState && this.continuing && !this.triggerWaitsCarried.has(liveKey),
    );
  }

  /** What templates read now: the input and the results so far. */
  scope(): TemplateScope {
    const scope: TemplateScope = { input: this.input, steps: {} };
    for (const [id, result] of this.results) {
      scope.steps[id] = { resultData: result.resultData, executionId: result.executionId };
    }
    return scope;
  }

  /** The scope of one forEach item: `item`, `index`, and its own result once it has one (its compensation reads it). */
  itemScope(id: string, i: number): TemplateScope {
    const scope = { ...this.scope(), item: this.itemsOf(id)[i], index: i };
    const own = this.itemResults.get(id)?.[i];
    if (own) scope.steps = { ...scope.steps, [id]: { resultData: own.resultData, executionId: own.executionId } };
    return scope;
  }

  render(template: unknown, scope: TemplateScope, at: string): unknown {
    try {
      return renderTemplate(template, scope, at);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw nonRetryableFailure(CODIKA_TEMPLATE_ERROR, err.message, { at: err.at });
    }
  }

  /**
   * What a step does when its trigger's outcome is unknown: its own choice or the pipeline's, and the
   * timeout only for a step that asks (a pipeline-wide one matters to no other). Set only when
   * chosen, so a step that never asks gets the input it always did.
   */
  operatorOptions(
    step: Pick<CodikaExecutionInput, 'onTriggerOutcomeUnknown' | 'operatorTimeout'>,
  ): Pick<CodikaExecutionInput, 'onTriggerOutcomeUnknown' | 'operatorTimeout'> {
    const onUnknown = step.onTriggerOutcomeUnknown ?? this.pipeline.onTriggerOutcomeUnknown;
    const operatorTimeout = step.operatorTimeout ?? this.pipeline.operatorTimeout;
    return {
      ...(onUnknown === undefined ? {} : { onTriggerOutcomeUnknown: onUnknown }),
      ...(onUnknown === 'ask' && operatorTimeout !== undefined ? { operatorTimeout } : {}),
    };
  }

  /**
   * The inputs of a step's (or a forEach item's) executions: the first, and the one a `retry` makes.
   * They differ only when a redrive attaches it (`attach[key]`): the first polls the execution from
   * before, and once that one failed, a retry triggers a new one.
   */
  attemptInputs(
    step: CodikaPipelineExecutionStep,
    index: number,
    processInstanceId: string,
    scope: TemplateScope,
    key: string,
  ): { input: CheckedExecutionInput; retriedInput: CheckedExecutionInput } {
    const fresh = () => this.executionInput(step, index, processInstanceId, scope);
    const attached = this.attach[key];
    if (attached === undefined) {
      const input = fresh();
      return { input, retriedInput: input };
    }
    const input = this.executionInput(
      { ...step, payload: undefined, executionId: attached },
      index,
      processInstanceId,
      scope,
    );
    return { input, retriedInput: step.retry ? fresh() : input };
  }

  /** Renders a step's (or compensation's) payload template, then checks it like any input. */
  executionInput(
    raw: Pick<
      CodikaExecutionInput,
      | 'triggerDelivery'
      | 'priority'
      | 'concurrency'
      | 'executionId'
      | 'result'
      | 'onTriggerOutcomeUnknown'
      | 'operatorTimeout'
    > & { workflowId: string; payload?: unknown },
    index: number,
    processInstanceId: string,
    scope: TemplateScope,
    at = `steps[${index}].payload`,
    triggerDelivery = raw.triggerDelivery ?? this.pipeline.triggerDelivery,
  ): CheckedExecutionInput {
    const payload = this.render(raw.payload ?? {}, scope, at);
    const priority = mergePriorities(this.pipeline.priority, raw.priority);
    const concurrency = raw.concurrency ?? this.pipeline.concurrency;
    return validateExecutionInput(
      {
        processInstanceId,
        workflowId: raw.workflowId,
        payload: payload as Record<string, unknown>,
        triggerDelivery,
        ...(priority ? { priority } : {}),
        ...(concurrency ? { concurrency } : {}),
        ...(raw.executionId === undefined ? {} : { executionId: raw.executionId }),
        ...(raw.result === undefined ? {} : { result: raw.result }),
        ...this.operatorOptions(raw),
      },
      at.replace(/\.payload$/, ''),
    );
  }
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
  if (execution) {
    Object.assign(target, {
      executionId: execution.executionId,
      polls: execution.polls,
      lastStatus: execution.lastStatus,
    });
    // Set only while it applies: a state that never asked reads as it always did.
    if (execution.question) Object.assign(target, { question: execution.question });
    if (execution.answer) Object.assign(target, { answer: execution.answer });
  }
  if (compensating && target.compensation)
    target.compensation = { ...target.compensation, executionId: compensating.executionId };
  return target;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** What the state keeps of a failure, so a continued run fails the same: its type, message and details. */
export function failureOf(err: unknown): Omit<CodikaPipelineFailure, 'stepId'> {
  const details = err instanceof ApplicationFailure && err.details?.length ? [...err.details] : undefined;
  return { type: failureTypeOf(err), message: messageOf(err), ...(details ? { details } : {}) };
}

/** The type a pipeline fails with for `err`: an ApplicationFailure's own, else the error's name. */
export function failureTypeOf(err: unknown): string {
  if (err instanceof ApplicationFailure && err.type) return err.type;
  return err instanceof Error ? err.name : 'Error';
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Where an operator's answer finds an execution of the pipeline: its step, and for a forEach item its
 * index in the whole step (a batch's label carries it, offset included); a compensation answers to
 * `<step>#compensation`.
 */
function operatorAddressOf(liveKey: string, label: string): OperatorAddress {
  const compensation = liveKey.endsWith('#compensation');
  const match = /^(?:undo )?(.+?)(?:\[(\d+)\])?$/.exec(label)!;
  const step = compensation ? `${match[1]!}#compensation` : match[1]!;
  return match[2] === undefined ? { step } : { step, item: Number(match[2]) };
}
