/**
 * forEach steps: their items, `concurrency` at a time, in the pipeline's own history (up to
 * `forEach.batchSize` items, 200 by default, through `item-pool.ts`) or in batch child workflows past
 * it (`for-each-batches.ts` says why and how), the results in item order, and the reports of batches.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { mergePriorities } from '../../shared/priority';
import type { CodikaExecutionResult, CodikaStepProgress } from '../../shared/execution-types';
import { CODIKA_BATCH_LOST, CODIKA_RESULT_TOO_LARGE, CODIKA_STEP_STOPPED } from '../../shared/errors';
import type {
  CodikaPipelineBatchState,
  CodikaPipelineInput,
  CodikaPipelineItemState,
} from '../../pipeline/pipeline-types';
import { nonRetryableFailure } from '../../shared/failures';
import type { CodikaPipelineDefinition, CodikaPipelineExecutionStep } from '../../pipeline/definition';
import { countItems, jsonBytes } from './pipeline-scheduling';
import { runItemPool } from './item-pool';
import {
  BATCH_SIZE,
  BATCH_WATCH_INTERVAL_MS,
  codikaForEachBatchStopSignal,
  codikaForEachBatchWatchSignal,
  INLINE_ITEMS_LIMIT,
  planBatches,
  planBatchesBySize,
  type CodikaForEachBatchReport,
} from './for-each-batches';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../shared/validation';
import { itemKey, messageOf, type PipelineContext } from './pipeline-context';
import { firstFailedItem, forEachResultData } from './pipeline-state';

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
   * past `forEach.batchSize` items in batch child workflows (`for-each-batches.ts`).
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
    // A batch runs its items itself; a step of more items than a batch holds runs them in batches.
    const batched = oneState
      ? !this.ctx.batchOf && items.length > (step.forEach!.batchSize ?? INLINE_ITEMS_LIMIT)
      : items.length > INLINE_ITEMS_LIMIT;
    const poolFailure = batched
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
    // A run id starts with its time (UUIDv7): its random end tells two chains started together apart.
    const runTag = this.ctx.oneState ? info.firstExecutionRunId.slice(-12) : info.firstExecutionRunId.slice(0, 8);
    const workflowIdOf = (batch: number) => `${info.workflowId}/${id}/batch-${batch}-${runTag}`;
    // One state: the payloads travel as the batch's input, data never read as templates again.
    const payloads = this.ctx.oneState ? this.payloadsOf(id, step, index) : undefined;
    state.batches ??= payloads
      ? planBatchesBySize(payloads.map(jsonBytes), step.forEach!.batchSize ?? BATCH_SIZE, workflowIdOf)
      : planBatches(state.items!.length, workflowIdOf);
    const firstFailure = () => firstFailedItem(state.items!);
    for (const [batch, plan] of state.batches.entries()) {
      if (plan.status === 'done') continue;
      if ((stopOnFailure && firstFailure()) || this.ctx.failure !== undefined) break;
      if (plan.status === 'pending') {
        // Running before the child starts: its report may arrive in the activation that says it started.
        plan.status = 'running';
        for (let i = plan.from; i < plan.to; i += 1) state.items![i]!.status = 'running';
        const batchOf = { parentWorkflowId: info.workflowId, stepId: id, batch, firstIndex: plan.from };
        const batchInput: CodikaPipelineInput = payloads
          ? {
              pipeline: this.batchPipeline(id, step, { $ref: 'input.payloads' }),
              input: { payloads: payloads.slice(plan.from, plan.to) },
              batchOf,
            }
          : {
              pipeline: this.batchPipeline(id, step, this.payloadsOf(id, step, index, plan.from, plan.to)),
              batchOf,
            };
        this.startingBatches += 1;
        try {
          const batchCount = state.batches.length;
          const start = () =>
            startChild('codikaPipelineWorkflow', {
              workflowId: plan.workflowId,
              args: [batchInput],
              parentClosePolicy: ParentClosePolicy.ABANDON,
              staticSummary: `Batch ${batch + 1} of ${batchCount} of step ${id}: items ${plan.from}–${plan.to - 1}`,
            });
          // One state: a batch outlives the run that starts it, so stopping this run's steps to continue
          // as new neither drops a start already decided nor cancels a batch that runs.
          const child = payloads ? await CancellationScope.nonCancellable(start) : await start();
          // In the run that started it, a batch that ends without reporting (terminated by hand) is noticed.
          child.result().then(
            () => this.batchEndedSilently(id, batch, 'its run ended without reporting its items'),
            (err: unknown) => this.batchEndedSilently(id, batch, messageOf(err)),
          );
        } finally {
          this.startingBatches -= 1;
        }
      }
      if (payloads) await this.awaitBatch(id, batch, plan);
      else await condition(() => plan.status === 'done');
    }
    for (const item of state.items!) if (item.status === 'pending') item.status = 'skipped';
    return firstFailure();
  }

  /**
   * Waits for a batch's report. Once the pipeline failed, the batch is told to start no more items (those
   * running poll to their end, for the saga). A batch that has not reported is looked for every
   * `BATCH_WATCH_INTERVAL_MS`: one that no longer runs (cancelled, terminated, timed out by hand) cannot
   * take a signal, and its items end `CodikaBatchLost`. Whichever run of the chain waits does this.
   */
  private async awaitBatch(id: string, batch: number, plan: CodikaPipelineBatchState): Promise<void> {
    const done = () => plan.status === 'done';
    const stopWanted = () => this.ctx.failure !== undefined && !plan.stopRequested;
    while (!done()) {
      // Kept in the state, so a run that continues often still looks when the time comes.
      plan.nextCheckAt ??= new Date(Date.now() + BATCH_WATCH_INTERVAL_MS).toISOString();
      const waitMs = Math.max(1, Date.parse(plan.nextCheckAt) - Date.now());
      await condition(() => done() || stopWanted(), waitMs);
      if (done()) return;
      plan.nextCheckAt = undefined;
      const stopping = stopWanted();
      if (stopping) plan.stopRequested = true;
      await getExternalWorkflowHandle(plan.workflowId)
        .signal(stopping ? codikaForEachBatchStopSignal : codikaForEachBatchWatchSignal)
        .catch((err: unknown) => {
          if (isCancellation(err)) throw err; // the run continues as new: the next one watches
          this.batchEndedSilently(id, batch, `it no longer runs (${messageOf(err)})`);
        });
    }
  }

  /** The payloads of items `from`..`to` (all by default), rendered as each item's execution would render it. */
  private payloadsOf(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    from = 0,
    to = this.ctx.itemsOf(id).length,
  ): Record<string, unknown>[] {
    const processInstanceId = this.ctx.state.steps[id]!.processInstanceId!;
    const payloads: Record<string, unknown>[] = [];
    for (let i = from; i < to; i += 1)
      payloads.push(this.ctx.executionInput(step, index, processInstanceId, this.ctx.itemScope(id, i)).payload);
    return payloads;
  }

  /**
   * The one-step pipeline a batch runs over `items`: one state's `{"$ref": "input.payloads"}`, the
   * rendered payloads handed over as the batch's input, so nothing in them is read as a template
   * again; before it, the payloads themselves, written into the definition (and read again there).
   */
  private batchPipeline(
    id: string,
    step: CodikaPipelineExecutionStep,
    items: { $ref: 'input.payloads' } | Record<string, unknown>[],
  ): CodikaPipelineDefinition {
    const priority = mergePriorities(this.ctx.pipeline.priority, step.priority);
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
          forEach: { items: items as never, concurrency: step.forEach!.concurrency ?? DEFAULT_CONCURRENCY },
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
    if (report.batchWorkflowId !== undefined && report.batchWorkflowId !== plan.workflowId) {
      // A batch of an earlier chain under this workflow id (one terminated while its batch ran).
      log.warn('A forEach batch report from another run chain was refused', {
        stepId: report.stepId,
        batch: report.batch,
        from: report.batchWorkflowId,
        expected: plan.workflowId,
      });
      return;
    }
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
    plan.nextCheckAt = undefined;
    this.ctx.changes += 1;
  }

  private batchEndedSilently(stepId: string, batch: number, why: string): void {
    const plan = this.ctx.state.steps[stepId]?.batches?.[batch];
    if (!plan || plan.status === 'done') return;
    const error = `batch child ${plan.workflowId} ended without reporting: ${why}`;
    // One state: its items end typed, so the step fails with a type an operator can match on.
    const items = this.ctx.oneState
      ? Array.from({ length: plan.to - plan.from }, () => ({
          status: 'failed' as const,
          polls: 0,
          error,
          failureType: CODIKA_BATCH_LOST,
        }))
      : [];
    this.receiveBatchReport({ stepId, batch, items, results: [], finishOrder: [], error });
  }

  /** What this run, a batch of a large forEach step, reports to its pipeline. */
  batchReport(stepId: string, error?: string): CodikaForEachBatchReport {
    const state = this.ctx.state.steps[stepId];
    const items = (state?.items ?? []).map((item) => ({ ...item }));
    const finishOrder = this.ctx.finished.flatMap((f) =>
      f.stepId === stepId && f.index !== undefined ? [f.index] : [],
    );
    const results = items.map((_, i) => this.ctx.itemResults.get(stepId)?.[i] ?? null);
    return {
      stepId,
      batch: this.ctx.batchOf?.batch ?? 0,
      ...(this.ctx.oneState ? { batchWorkflowId: workflowInfo().workflowId } : {}),
      items,
      results,
      finishOrder,
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
