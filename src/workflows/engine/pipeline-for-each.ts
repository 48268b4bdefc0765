/**
 * forEach steps: their items, `concurrency` at a time, in the pipeline's own history (up to
 * `INLINE_ITEMS_LIMIT` items, through `item-pool.ts`) or in batch child workflows past it
 * (`for-each-batches.ts` says why and how), the results in item order, and the reports of batches.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { mergePriorities } from '../../shared/priority';
import type { CodikaExecutionResult, CodikaStepProgress } from '../../shared/execution-types';
import { CODIKA_RESULT_TOO_LARGE, CODIKA_STEP_STOPPED } from '../../shared/errors';
import type { CodikaPipelineInput, CodikaPipelineItemState } from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type { CodikaPipelineDefinition, CodikaPipelineExecutionStep } from '../../pipeline/definition';
import { countItems, jsonBytes } from './pipeline-scheduling';
import { runItemPool } from './item-pool';
import { INLINE_ITEMS_LIMIT, planBatches, type CodikaForEachBatchReport } from './for-each-batches';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../shared/validation';
import { forEachResultData, itemKey, messageOf, type PipelineContext } from './pipeline-context';

/** Items in flight at once when a forEach step does not say. */
const DEFAULT_CONCURRENCY = 10;

/** The forEach steps of one pipeline run. */
export class ForEachSteps {
  /** Batch child workflows being started: the run does not continue as new in between. */
  startingBatches = 0;

  constructor(
    private readonly ctx: PipelineContext,
    /** True while no new item may start: the run is about to continue as new. */
    private readonly holding: () => boolean,
  ) {}

  /**
   * Runs a forEach step's items, `concurrency` at a time, in item order: in this run's history, or
   * past `INLINE_ITEMS_LIMIT` items in batch child workflows (`for-each-batches.ts`).
   */
  async run(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    polling: Record<string, CodikaStepProgress>,
  ): Promise<unknown[]> {
    const state = this.ctx.state.steps[id]!;
    const items = this.ctx.itemsOf(id);
    state.items ??= items.map(() => ({ status: 'pending', polls: 0 }));
    const stopOnFailure = step.onFailure !== 'continue';
    const { oneState } = this.ctx;
    // A failed item is in the items' state, which a continued run carries: it stops the step there too.
    const itemFailed = () => oneState && stopOnFailure && firstFailedItem(state.items!) !== undefined;
    const poolFailure =
      items.length > INLINE_ITEMS_LIMIT
        ? await this.runBatches(id, step, index, stopOnFailure)
        : await runItemPool({
            items: state.items,
            concurrency: step.forEach!.concurrency ?? DEFAULT_CONCURRENCY,
            stopOnFailure,
            stopped: () => this.ctx.failure !== undefined || itemFailed(),
            holding: () => this.holding(),
            continuing: () => this.ctx.continuing,
            run: (i, progress) => this.runItem(id, step, index, i, progress),
            progressOf: (i) => polling[itemKey(id, i)],
            succeeded: (i, result) => {
              this.ctx.itemResultsOf(id)[i] = result;
              this.ctx.finished.push({ stepId: id, index: i });
            },
          });
    const failure = oneState ? firstFailedItem(state.items) : poolFailure;
    if (failure !== undefined && stopOnFailure) {
      const { index: i, error } = failure;
      const original = error instanceof ApplicationFailure ? error : undefined;
      throw nonRetryableFailure(
        original?.type ?? 'Error',
        `item ${i + this.ctx.indexOffset}: ${messageOf(error)}`,
        { stepId: id, index: i + this.ctx.indexOffset, executionId: state.items[i]!.executionId },
        error instanceof Error ? error : undefined,
      );
    }
    const stopped = (item: CodikaPipelineItemState) =>
      item.status === 'skipped' || (oneState && item.failureType === CODIKA_STEP_STOPPED);
    if (this.ctx.failure !== undefined && state.items.some(stopped)) {
      throw nonRetryableFailure(CODIKA_STEP_STOPPED, `stopped after step "${this.ctx.failure.stepId}" failed`, {
        stepId: id,
        counts: countItems(state.items),
      });
    }
    const resultData = forEachResultData(this.ctx.itemResultsOf(id), state);
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
    const state = this.ctx.state.steps[id]!;
    const info = workflowInfo();
    const runTag = info.firstExecutionRunId.slice(0, 8);
    state.batches ??= planBatches(state.items!.length, (batch) => `${info.workflowId}/${id}/batch-${batch}-${runTag}`);
    const firstFailure = () => firstFailedItem(state.items!);
    for (const [batch, plan] of state.batches.entries()) {
      if (plan.status === 'done') continue;
      if ((stopOnFailure && firstFailure()) || this.ctx.failure !== undefined) break;
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
    const priority = mergePriorities(this.ctx.pipeline.priority, step.priority);
    for (let i = from; i < to; i += 1) {
      payloads.push(
        this.ctx.executionInput(step, index, this.ctx.state.steps[id]!.processInstanceId!, this.ctx.itemScope(id, i))
          .payload,
      );
    }
    return {
      processInstanceId: this.ctx.state.steps[id]!.processInstanceId!,
      triggerDelivery: step.triggerDelivery ?? this.ctx.pipeline.triggerDelivery,
      poll: { ...this.ctx.pipeline.poll, ...step.poll },
      ...(priority ? { priority } : {}),
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
    const state = this.ctx.state.steps[report.stepId];
    const plan = state?.batches?.[report.batch];
    if (!state?.items || !plan || plan.status === 'done') return; // a duplicate, or not ours
    const results = this.ctx.itemResultsOf(report.stepId);
    for (let i = plan.from; i < plan.to; i += 1) {
      const item = report.items[i - plan.from];
      state.items[i] = item ?? {
        status: 'failed',
        polls: 0,
        error: report.error ?? 'the batch did not report this item',
      };
    }
    for (const local of report.finishOrder) {
      const result = report.results[local];
      if (result) {
        results[plan.from + local] = result;
        this.ctx.finished.push({ stepId: report.stepId, index: plan.from + local });
      }
    }
    plan.status = 'done';
    this.ctx.changes += 1;
  }

  private batchEndedSilently(stepId: string, batch: number, why: string): void {
    const plan = this.ctx.state.steps[stepId]?.batches?.[batch];
    if (!plan || plan.status === 'done') return;
    this.receiveBatchReport({
      stepId,
      batch,
      items: [],
      results: [],
      finishOrder: [],
      error: `batch child ${plan.workflowId} ended without reporting: ${why}`,
    });
  }

  /** What this run, a batch of a large forEach step, reports to its pipeline. */
  batchReport(stepId: string, error?: string): CodikaForEachBatchReport {
    const state = this.ctx.state.steps[stepId];
    const items = (state?.items ?? []).map((item) => ({ ...item }));
    const finishOrder = this.ctx.finished.flatMap((f) =>
      f.stepId === stepId && f.index !== undefined ? [f.index] : [],
    );
    const results = items.map((_, i) => this.ctx.itemResults.get(stepId)?.[i] ?? null);
    return { stepId, batch: this.ctx.batchOf?.batch ?? 0, items, results, finishOrder, ...(error ? { error } : {}) };
  }

  private async runItem(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    i: number,
    progress?: CodikaStepProgress,
  ): Promise<CodikaExecutionResult> {
    const processInstanceId = this.ctx.state.steps[id]!.processInstanceId!;
    const input = this.ctx.executionInput(step, index, processInstanceId, this.ctx.itemScope(id, i));
    const item = this.ctx.state.steps[id]!.items![i]!;
    // Live under its index in this run; labelled with its index in the parent's step (a batch's offset).
    return this.ctx.runAttempts(
      item,
      step.retry,
      itemKey(id, i),
      index,
      input,
      progress,
      itemKey(id, i + this.ctx.indexOffset),
    );
  }

  /** Batches outlive the run that started them (`ABANDON`): a cancelled pipeline asks the running ones to stop. */
  async cancelRunningBatches(): Promise<void> {
    const running = Object.values(this.ctx.state.steps).flatMap((step) =>
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
}

/**
 * The first item (in item order) that failed on its own, rebuilt from its state with its failure's
 * type; an item stopped by another step's failure is not one.
 */
export function firstFailedItem(
  items: readonly CodikaPipelineItemState[],
): { index: number; error: unknown } | undefined {
  const i = items.findIndex((item) => item.status === 'failed' && item.failureType !== CODIKA_STEP_STOPPED);
  if (i < 0) return undefined;
  const item = items[i]!;
  return { index: i, error: nonRetryableFailure(item.failureType ?? 'Error', item.error ?? 'failed', { index: i }) };
}
