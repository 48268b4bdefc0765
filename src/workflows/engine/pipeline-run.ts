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
  isCancellation,
  log,
  patched,
  setCurrentDetails,
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
import { CODIKA_TEMPLATE_ERROR } from '../../shared/errors';
import type {
  CodikaPipelineInput,
  CodikaPipelineResume,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type { CodikaPipelineDefinition, CodikaPipelineStep } from '../../pipeline/definition';
import { renderTemplate, type TemplateScope } from '../../pipeline/templates';
import { TemplateError } from '../../pipeline/errors';
import { executeCodikaStep, initialStepState } from './codika-step';
import { pipelineDetails, showingDetails } from './current-details';
import { invalid, resolvePollSettings } from './poll-settings';
import { underPath, validateExecutionInput } from './validate-input';
import { validateId } from '../../shared/validation';

/**
 * Pipelines started before they could continue as new keep running in one history when they
 * replay; new ones continue as new when Temporal suggests it.
 */
export const PIPELINE_CONTINUE_AS_NEW_PATCH = 'codika-pipeline-continue-as-new';

/** A step's status after which it will not run (again). */
const DID_NOT_SUCCEED = new Set(['failed', 'skipped', 'cancelled']);

/** One pipeline run: the steps' states, the scheduler and the saga. */
export class PipelineRun {
  private readonly state: CodikaPipelineState;
  private readonly stepsById: Map<string, { step: CodikaPipelineStep; index: number }>;
  /** Executions in flight, whose polls and executionId the state query reads live. */
  private readonly live = new Map<string, CodikaExecutionState>();
  private readonly results = new Map<string, CodikaExecutionResult>();
  /** Succeeded step ids in the order they finished: compensations run in reverse. */
  private readonly finished: string[] = [];
  private failure: { stepId: string; error: unknown } | undefined;
  private running = 0;
  private changes = 0;
  /** Each running step's scope, cancelled to continue as new. */
  private readonly scopes = new Map<string, CancellationScope>();
  /** Set while the run stops its steps to continue as new: their cancellation is not an end. */
  private continuing = false;
  /** A replayed history from before continue-as-new existed: never again in this run. */
  private continueAsNewDeclined = false;

  constructor(
    private readonly pipeline: CodikaPipelineDefinition,
    order: string[],
    private readonly input: unknown,
    private readonly resume?: CodikaPipelineResume,
  ) {
    this.stepsById = new Map(pipeline.steps.map((step, index) => [step.id, { step, index }]));
    const steps: Record<string, CodikaPipelineStepState> = {};
    for (const step of pipeline.steps) {
      steps[step.id] = {
        status: 'pending',
        workflowId: step.workflowId,
        processInstanceId: step.processInstanceId ?? pipeline.processInstanceId!,
        polls: 0,
      };
    }
    this.state = { phase: 'running', order, steps, leftRunning: [] };
    if (resume) {
      for (const [id, step] of Object.entries(resume.steps)) steps[id] = { ...step };
      for (const { stepId, result } of resume.finished) {
        this.results.set(stepId, result);
        this.finished.push(stepId);
      }
    }
  }

  /** The state with live figures of running executions; a copy, so a query never changes the run. */
  snapshot(): CodikaPipelineState {
    const steps: Record<string, CodikaPipelineStepState> = {};
    for (const [id, step] of Object.entries(this.state.steps)) {
      const live = this.live.get(id);
      steps[id] = live
        ? { ...step, executionId: live.executionId, polls: live.polls, lastStatus: live.lastStatus }
        : { ...step };
      const compensating = this.live.get(`${id}#compensation`);
      if (compensating && step.compensation) {
        steps[id]!.compensation = { ...step.compensation, executionId: compensating.executionId };
      }
    }
    return { ...this.state, steps, leftRunning: [...this.state.leftRunning] };
  }

  /** The run's current details in the Temporal UI: its phase and each step's status. */
  private showDetails(): void {
    setCurrentDetails(pipelineDetails(this.snapshot()));
  }

  async execute(): Promise<CodikaPipelineResult> {
    for (const [id, progress] of Object.entries(this.resume?.polling ?? {})) this.start(id, progress);
    try {
      await this.runSteps();
    } catch (err) {
      if (isCancellation(err)) this.recordCancellation();
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

  /** Starts every step whose dependencies succeeded, until nothing runs and nothing can start. */
  private async runSteps(): Promise<void> {
    for (;;) {
      for (const id of this.state.order) {
        const step = this.state.steps[id]!;
        if (step.status !== 'pending') continue;
        const dependsOn = this.stepsById.get(id)!.step.dependsOn ?? [];
        const blocker = dependsOn.find((dep) => DID_NOT_SUCCEED.has(this.state.steps[dep]!.status));
        if (blocker !== undefined) {
          // The order is topological, so a skip reaches the steps below it in this same pass.
          step.status = 'skipped';
          step.error = `step "${blocker}" did not succeed`;
        } else if (!this.failure && dependsOn.every((dep) => this.state.steps[dep]!.status === 'succeeded')) {
          this.start(id);
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
        step.error = `the pipeline stopped after step "${this.failure?.stepId}" failed`;
      }
    }
  }

  /** Starts a step, or resumes one that was polling when the previous run continued as new. */
  private start(id: string, resume?: CodikaStepProgress): void {
    const step = this.state.steps[id]!;
    step.status = 'running';
    if (!resume) step.startedAt = new Date().toISOString();
    this.running += 1;
    const scope = new CancellationScope();
    this.scopes.set(id, scope);
    scope
      .run(() => this.runStep(id, resume))
      .then(
        (result) => {
          this.results.set(id, result);
          this.finished.push(id);
          step.status = 'succeeded'; // executionId and polls were recorded as the execution ended
        },
        (err: unknown) => {
          if (isCancellation(err)) {
            // Stopped to continue as new: the next run resumes it, still running.
            if (!this.continuing) step.status = 'cancelled';
            return;
          }
          step.status = 'failed';
          step.error = messageOf(err);
          if (this.stepsById.get(id)!.step.onFailure !== 'continue') this.failure ??= { stepId: id, error: err };
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
   * Temporal suggests continuing as new (the history is long), and no step is between its trigger
   * and Codika's answer: every running step is polling a known executionId, which the next run
   * resumes. Saga and failure handling stay in one run.
   */
  private mayContinueAsNew(): boolean {
    if (this.continueAsNewDeclined || this.failure || !workflowInfo().continueAsNewSuggested) return false;
    return [...this.live.values()].every((execution) => execution.phase === 'polling' && execution.executionId);
  }

  /** Stops the polling steps and continues as new with every step's state; never returns. */
  private async continueAsNew(): Promise<never> {
    this.continuing = true;
    const polling: Record<string, CodikaStepProgress> = {};
    for (const [id, execution] of this.live) {
      const { index } = this.stepsById.get(id)!;
      polling[id] = {
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
    const finished = this.finished.map((stepId) => ({ stepId, result: this.results.get(stepId)! }));
    return continueAsNew<(args: CodikaPipelineInput) => Promise<CodikaPipelineResult>>({
      pipeline: this.pipeline,
      input: this.input,
      resume: { steps, finished, polling },
    });
  }

  private settingsOf(index: number) {
    const step = this.pipeline.steps[index]!;
    return resolvePollSettings({ ...this.pipeline.poll, ...step.poll }, `steps[${index}].poll`);
  }

  private async runStep(id: string, resume?: CodikaStepProgress): Promise<CodikaExecutionResult> {
    const { step, index } = this.stepsById.get(id)!;
    const input = this.executionInput(
      {
        processInstanceId: this.state.steps[id]!.processInstanceId,
        workflowId: step.workflowId,
        payload: step.payload ?? {},
        triggerDelivery: step.triggerDelivery ?? this.pipeline.triggerDelivery,
      },
      `steps[${index}].payload`,
    );
    return this.runExecution(
      id,
      index,
      input,
      (execution) => {
        const state = this.state.steps[id]!;
        state.executionId = execution.executionId;
        state.polls = execution.polls;
        state.lastStatus = execution.lastStatus;
      },
      resume,
    );
  }

  /**
   * Runs one Codika execution with the poll options of `steps[index]`, its live state visible to the
   * query under `liveKey`; `record` keeps what it reached once it ends, however it ends.
   */
  private async runExecution(
    liveKey: string,
    index: number,
    input: Required<CodikaExecutionInput>,
    record: (execution: CodikaExecutionState) => void,
    resume?: CodikaStepProgress,
  ): Promise<CodikaExecutionResult> {
    const settings = this.settingsOf(index);
    // A step's executionId and polls show in the pipeline's details as they change.
    const execution = showingDetails(initialStepState(input, resume), () => pipelineDetails(this.snapshot()));
    this.live.set(liveKey, execution);
    try {
      return await executeCodikaStep(input, settings, execution, { resume });
    } finally {
      this.live.delete(liveKey);
      record(execution);
    }
  }

  /** Renders a payload template against the input and the results so far, then checks it like any input. */
  private executionInput(
    raw: { processInstanceId: string; workflowId: string; payload: unknown; triggerDelivery?: CodikaTriggerDelivery },
    at: string,
  ): Required<CodikaExecutionInput> {
    const scope: TemplateScope = { input: this.input, steps: {} };
    for (const [id, result] of this.results) {
      scope.steps[id] = { resultData: result.resultData, executionId: result.executionId };
    }
    let payload: unknown;
    try {
      payload = renderTemplate(raw.payload, scope, at);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw nonRetryableFailure(CODIKA_TEMPLATE_ERROR, err.message, { at: err.at });
    }
    return validateExecutionInput(
      {
        processInstanceId: raw.processInstanceId,
        workflowId: raw.workflowId,
        payload: payload as Record<string, unknown>,
        triggerDelivery: raw.triggerDelivery,
      },
      at.replace(/\.payload$/, ''),
    );
  }

  /** The saga: compensations of the succeeded steps, last finished first. Their failures are recorded, not thrown. */
  private async compensate(): Promise<void> {
    this.state.phase = 'compensating';
    for (const id of [...this.finished].reverse()) {
      const { step, index } = this.stepsById.get(id)!;
      const compensation = step.compensate;
      if (!compensation) continue;
      const state = this.state.steps[id]!;
      state.status = 'compensating';
      state.compensation = { status: 'running' };
      this.showDetails();
      try {
        const input = this.executionInput(
          {
            processInstanceId: compensation.processInstanceId ?? state.processInstanceId,
            workflowId: compensation.workflowId,
            payload: compensation.payload ?? {},
            triggerDelivery: compensation.triggerDelivery ?? step.triggerDelivery ?? this.pipeline.triggerDelivery,
          },
          `steps[${index}].compensate.payload`,
        );
        const result = await this.runExecution(`${id}#compensation`, index, input, (execution) => {
          state.compensation!.executionId = execution.executionId;
        });
        state.status = 'compensated';
        state.compensation = { status: 'succeeded', executionId: result.executionId };
        this.showDetails();
      } catch (err) {
        if (isCancellation(err)) throw err;
        state.status = 'succeeded';
        state.compensation = { ...state.compensation, status: 'failed', error: messageOf(err) };
        this.showDetails();
      }
    }
  }

  /** Codika has no cancel endpoint: say which executions were left running, in the memo and the log. */
  private recordCancellation(): void {
    this.state.phase = 'cancelled';
    for (const [id, step] of Object.entries(this.state.steps)) {
      // A step whose wait was cancelled a moment earlier in this same activation is `cancelled` already.
      if (step.status !== 'running' && step.status !== 'compensating' && step.status !== 'cancelled') continue;
      const compensating = step.status === 'compensating';
      const executionId = compensating
        ? (this.live.get(`${id}#compensation`)?.executionId ?? step.compensation?.executionId)
        : (this.live.get(id)?.executionId ?? step.executionId);
      step.status = 'cancelled';
      if (executionId !== undefined) this.state.leftRunning.push({ stepId: id, executionId });
    }
    upsertMemo({ codikaLeftRunning: this.state.leftRunning });
    this.showDetails();
    if (this.state.leftRunning.length > 0) {
      log.warn('Pipeline cancelled: these Codika executions may still be running', {
        leftRunning: this.state.leftRunning,
      });
    }
  }

  /** The first failure, keeping its type, prefixed with its step; details say what the saga did. */
  private pipelineFailure({ stepId, error }: { stepId: string; error: unknown }): ApplicationFailure {
    const original = error instanceof ApplicationFailure ? error : undefined;
    const compensations = Object.entries(this.state.steps).flatMap(([id, s]) =>
      s.compensation ? [{ stepId: id, ...s.compensation }] : [],
    );
    return nonRetryableFailure(
      original?.type ?? (error instanceof Error ? error.name : 'Error'),
      `Step "${stepId}" failed: ${messageOf(error)}`,
      { stepId, executionId: this.state.steps[stepId]!.executionId, compensations },
      error instanceof Error ? error : undefined,
    );
  }
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
    Object.keys(resume.polling).every((id) => ids.has(id));
  if (!ok) throw invalid('input.resume', "expected the state a continued pipeline carries, for this pipeline's steps");
  for (const [id, progress] of Object.entries(resume.polling)) {
    underPath(`input.resume.polling.${id}`, () => validateId('executionId', progress?.executionId));
  }
}
