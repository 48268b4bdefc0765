/**
 * forEach steps: their items, `concurrency` at a time, in the pipeline's own history (up to
 * `forEach.batchSize` items, 200 by default, through `item-pool.ts`) or in batch child workflows past
 * it (`for-each-batches.ts` says why and how), the results in item order, and the reports of batches.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
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
  codikaForEachBatchProgressSignal,
  codikaForEachBatchSlotsSignal,
  codikaForEachBatchStopSignal,
  codikaForEachBatchWatchSignal,
  INLINE_ITEMS_LIMIT,
  nextWindowMove,
  planBatches,
  planBatchesBySize,
  type CodikaForEachBatchProgress,
  type CodikaForEachBatchReport,
} from './for-each-batches';
import { retryWaitMs } from './pipeline-retries';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../shared/validation';

/** A batch report a little under the payload limit: the signal's own envelope fits beside it. */
const REPORT_LIMIT_BYTES = TEMPORAL_PAYLOAD_LIMIT_BYTES - 64 * 1024;
import { itemKey, messageOf, type PipelineContext } from './pipeline-context';
import { firstFailedItem, forEachResultData, splitKey } from './pipeline-state';

/** Items in flight at once when a forEach step does not say. */
const DEFAULT_CONCURRENCY = 10;

/** The forEach steps of one pipeline run. */
export class ForEachSteps {
  /** Batch child workflows being started: the run does not continue as new in between. */
  startingBatches = 0;
  /** Signals between a pipeline and its batches on their way: the run does not continue as new in between. */
  private signalling = 0;
  /** Counts every report, progress and lost batch, which the batch window waits for. */
  private windowChanges = 0;
  /** What this batch last told its pipeline of its draining: it tells again only once enough room freed up. */
  private lastTold: { running: number; itemFailed: boolean } | undefined;

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
      : await this.runPool(id, step, index, polling, stopOnFailure, itemFailed);
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
    const reported = state.batches?.find((plan) => plan.resultsTooLarge !== undefined)?.resultsTooLarge;
    const bytes = reported ?? jsonBytes(resultData);
    if (bytes > TEMPORAL_PAYLOAD_LIMIT_BYTES || reported !== undefined) {
      throw nonRetryableFailure(
        CODIKA_RESULT_TOO_LARGE,
        reported === undefined
          ? `the results of its ${items.length} items take ${(bytes / 1024 / 1024).toFixed(1)} MB as JSON, over Temporal's 2 MB payload limit: have the Codika workflow return less (an id to fetch the rest from)`
          : `the report of one of its batches takes ${(bytes / 1024 / 1024).toFixed(2)} MB as JSON with its items' results, over the ${(REPORT_LIMIT_BYTES / 1024 / 1024).toFixed(2)} MB a report may carry (Temporal's payload limit is 2 MB): have the Codika workflow return less (an id to fetch the rest from)`,
        { stepId: id, bytes, limitBytes: reported === undefined ? TEMPORAL_PAYLOAD_LIMIT_BYTES : REPORT_LIMIT_BYTES },
      );
    }
    return resultData;
  }

  /**
   * Runs the items in this run's history. In a batch of the window's way, the pool's room is the share
   * its pipeline gave it (raised by `codikaForEachBatchSlots`), and the batch tells its pipeline when
   * it frees room, when an item failed, and (batch 0) its first items' executionIds.
   */
  private runPool(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    polling: Record<string, CodikaStepProgress>,
    stopOnFailure: boolean,
    itemFailed: () => boolean,
  ): Promise<{ index: number; error: unknown } | undefined> {
    const state = this.ctx.state.steps[id]!;
    const defined = step.forEach!.concurrency ?? DEFAULT_CONCURRENCY;
    const inWindow = this.ctx.ways.batchWindow && this.ctx.batchOf !== undefined;
    if (inWindow && this.ctx.batchOf!.batch === 0)
      void this.tellFirstTriggers(id, Math.min(defined, state.items!.length));
    return runItemPool({
      items: state.items!,
      concurrency: inWindow ? () => state.concurrency ?? defined : defined,
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
      ...(inWindow
        ? {
            draining: (running: number) =>
              this.tellPipeline(id, {
                running,
                ...(stopOnFailure && firstFailedItem(state.items!) ? { itemFailed: true } : {}),
              }),
          }
        : {}),
    });
  }

  /** Batch 0 of a window: once its first items are past their trigger, their executionIds (an early return waits for them). */
  private async tellFirstTriggers(id: string, count: number): Promise<void> {
    const items = this.ctx.state.steps[id]!.items!;
    const executionIdOf = (i: number) =>
      this.ctx.live.get(itemKey(id, i))?.execution.executionId ?? items[i]!.executionId;
    const past = (i: number) =>
      executionIdOf(i) !== undefined || (items[i]!.status !== 'running' && items[i]!.status !== 'pending');
    const first = Array.from({ length: count }, (_, i) => i);
    try {
      await condition(() => first.every(past));
    } catch (err) {
      if (isCancellation(err)) return; // the run continues as new, or is cancelled: nothing to tell
      throw err;
    }
    const executionIds: Record<string, string> = {};
    for (const i of first) {
      const executionId = executionIdOf(i);
      if (executionId !== undefined) executionIds[String(i)] = executionId;
    }
    this.tellPipeline(id, { executionIds });
  }

  /**
   * Whether a draining batch tells its pipeline now: when it first drains, when an item failed, when
   * it runs nothing more, or once a quarter of its share freed since it last told (each telling costs
   * the pipeline's history about six events; room given on in steps keeps a large fan-out's history short).
   */
  private worthTelling(stepId: string, running: number, itemFailed: boolean): boolean {
    const last = this.lastTold;
    const { step: definition } = this.ctx.stepsById.get(stepId)!;
    const share =
      this.ctx.state.steps[stepId]!.concurrency ??
      (definition as CodikaPipelineExecutionStep).forEach?.concurrency ??
      DEFAULT_CONCURRENCY;
    const step = Math.max(1, Math.floor(share / 4));
    const worth =
      last === undefined || itemFailed !== last.itemFailed || running === 0 || last.running - running >= step;
    if (worth) this.lastTold = { running, itemFailed };
    return worth;
  }

  /** Sends this batch's progress to its pipeline; a pipeline that no longer takes it is logged, not an error. */
  private tellPipeline(
    stepId: string,
    progress: Omit<CodikaForEachBatchProgress, 'stepId' | 'batch' | 'batchWorkflowId'>,
  ): void {
    const batchOf = this.ctx.batchOf!;
    if (progress.running !== undefined && !this.worthTelling(stepId, progress.running, progress.itemFailed === true))
      return;
    const message = { stepId, batch: batchOf.batch, batchWorkflowId: workflowInfo().workflowId, ...progress };
    this.sendSignal(() =>
      getExternalWorkflowHandle(batchOf.parentWorkflowId).signal(codikaForEachBatchProgressSignal, message),
    );
  }

  /**
   * Sends a signal between a pipeline and one of its batches, whatever scope asked: continuing as new
   * waits for it rather than dropping it. A workflow that no longer runs is logged; the watch notices a lost batch.
   */
  private sendSignal(send: () => Promise<void>): void {
    this.signalling += 1;
    void CancellationScope.nonCancellable(send)
      .catch((err: unknown) => log.warn('A forEach batch signal was not delivered', { error: messageOf(err) }))
      .finally(() => {
        this.signalling -= 1;
      });
  }

  /** Batches starting or signals on their way: continuing as new now would drop them. */
  busy(): boolean {
    return this.startingBatches > 0 || this.signalling > 0;
  }

  /** This run is a batch whose pipeline raised its share of the step's `concurrency` (the `codikaForEachBatchSlots` signal). */
  raiseSlots(slots: number): void {
    const state = this.ctx.batchOf && this.ctx.state.steps[this.ctx.batchOf.stepId];
    if (!state || !this.ctx.ways.batchWindow || !Number.isInteger(slots) || slots < 1) return;
    state.concurrency = Math.max(state.concurrency ?? 0, slots);
  }

  /** Applies a running batch's progress (the `codikaForEachBatchProgress` signal); see {@link nextWindowMove}. */
  receiveBatchProgress(progress: CodikaForEachBatchProgress): void {
    const state = this.ctx.state.steps[progress.stepId];
    const plan = state?.batches?.[progress.batch];
    if (!state?.items || !plan || plan.status !== 'running' || progress.batchWorkflowId !== plan.workflowId) return;
    if (progress.running !== undefined) {
      plan.slots = Math.min(plan.slots ?? progress.running, progress.running);
      plan.draining = true;
    }
    if (progress.itemFailed) plan.itemFailed = true;
    for (const [local, executionId] of Object.entries(progress.executionIds ?? {})) {
      const item = state.items[plan.from + Number(local)];
      if (item?.status === 'running' && item.executionId === undefined) item.executionId = executionId;
    }
    this.windowChanges += 1;
  }

  /**
   * Runs a large forEach step's items in batch child workflows: as a sliding window (`runBatchWindow`), or
   * in runs from before it, one batch at a time. Each batch is a
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
    if (this.ctx.ways.batchWindow) {
      await this.runBatchWindow(id, step, payloads!);
    } else {
      for (const [batch, plan] of state.batches.entries()) {
        if (plan.status === 'done') continue;
        if ((stopOnFailure && firstFailure()) || this.ctx.failure !== undefined) break;
        if (plan.status === 'pending') await this.startBatch(id, step, index, batch, payloads);
        if (payloads) await this.awaitBatch(id, batch, plan, () => this.ctx.failure !== undefined);
        else await condition(() => plan.status === 'done');
      }
    }
    for (const item of state.items!) if (item.status === 'pending') item.status = 'skipped';
    return firstFailure();
  }

  /**
   * The window's way: batches side by side, `concurrency` items in flight across them, room handed on
   * as it frees up ({@link nextWindowMove}). Once the step stops (an item failed under `fail`, or the
   * pipeline failed), no batch starts and the running ones are told to stop.
   */
  private async runBatchWindow(
    id: string,
    step: CodikaPipelineExecutionStep,
    payloads: Record<string, unknown>[],
  ): Promise<void> {
    const state = this.ctx.state.steps[id]!;
    const batches = state.batches!;
    const concurrency = step.forEach!.concurrency ?? DEFAULT_CONCURRENCY;
    const stepStopping = () => this.stepStopping(id);
    const watches: Promise<void>[] = [];
    const watch = (batch: number) => watches.push(this.awaitBatch(id, batch, batches[batch]!, stepStopping));
    try {
      for (const [batch, plan] of batches.entries()) if (plan.status === 'running') watch(batch);
      while (!stepStopping()) {
        // Stopped to continue as new: the next run starts what is left.
        if (CancellationScope.current().consideredCancelled) break;
        const move = nextWindowMove(batches, concurrency, Date.now());
        if (move.kind === 'raise') {
          this.raiseBatch(batches[move.batch]!, move.slots);
        } else if (move.kind === 'start') {
          await this.startBatch(id, step, -1, move.batch, payloads, move.slots);
          watch(move.batch);
        } else {
          if (!batches.some((plan) => plan.status !== 'done')) break;
          const seen = this.windowChanges;
          const changed = () => stepStopping() || this.windowChanges !== seen;
          const dueInMs = this.untilNextStart(batches);
          await (dueInMs === undefined ? condition(changed) : condition(changed, dueInMs));
        }
      }
    } finally {
      // Each watch ends once its batch reported (or, when the run stops, at once): none is left behind.
      await Promise.allSettled(watches);
    }
    // Stopped while it waited for the watches (to continue as new): the step has not ended.
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('forEach batches stopped');
  }

  /**
   * Whether a batched step stops: the pipeline failed, a batch's results were too large, or (under
   * `onFailure: 'fail'`) an item failed, on record or said by its batch before it reports.
   */
  private stepStopping(id: string): boolean {
    const { step } = this.ctx.stepsById.get(id)!;
    const state = this.ctx.state.steps[id]!;
    const batches = state.batches ?? [];
    const stopOnFailure = (step as CodikaPipelineExecutionStep).onFailure !== 'continue';
    return (
      this.ctx.failure !== undefined ||
      batches.some((plan) => plan.resultsTooLarge !== undefined) ||
      (stopOnFailure && (firstFailedItem(state.items ?? []) !== undefined || batches.some((plan) => plan.itemFailed)))
    );
  }

  /** The wait until a batch that runs again after a backoff is due, if one waits. */
  private untilNextStart(batches: readonly CodikaPipelineBatchState[]): number | undefined {
    const due = batches.flatMap((plan) =>
      plan.status === 'pending' && plan.startsAt ? [Date.parse(plan.startsAt)] : [],
    );
    return due.length === 0 ? undefined : Math.max(1, Math.min(...due) - Date.now());
  }

  /** Gives a batch that still starts items more room: its pipeline's part now, the batch's when the signal lands. */
  private raiseBatch(plan: CodikaPipelineBatchState, slots: number): void {
    plan.slots = slots;
    this.sendSignal(() => getExternalWorkflowHandle(plan.workflowId).signal(codikaForEachBatchSlotsSignal, slots));
  }

  /**
   * Starts batch `batch` as a child workflow: a one-step pipeline over its payloads (one state: as its
   * input; before it, written into its definition), reporting by signal (`receiveBatchReport`).
   * `slots`: the window's share of `concurrency` it starts with.
   */
  private async startBatch(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    batch: number,
    payloads: Record<string, unknown>[] | undefined,
    slots?: number,
  ): Promise<void> {
    const state = this.ctx.state.steps[id]!;
    const plan = state.batches![batch]!;
    const info = workflowInfo();
    // Running before the child starts: its report may arrive in the activation that says it started.
    plan.status = 'running';
    if (slots !== undefined) plan.slots = slots;
    plan.startsAt = undefined;
    for (let i = plan.from; i < plan.to; i += 1) state.items![i]!.status = 'running';
    const batchOf = { parentWorkflowId: info.workflowId, stepId: id, batch, firstIndex: plan.from };
    // Each batch polls its own items' executions from before (a redrive), keyed by the whole step's index.
    const attach = Object.fromEntries(
      Object.entries(this.ctx.attach).filter(([key]) => {
        const { stepId, index: at } = splitKey(key);
        return stepId === id && at !== undefined && at >= plan.from && at < plan.to;
      }),
    );
    const attaching = Object.keys(attach).length > 0 ? { attach } : {};
    const batchInput: CodikaPipelineInput = payloads
      ? {
          pipeline: this.batchPipeline(id, step, { $ref: 'input.payloads' }, slots),
          input: { payloads: payloads.slice(plan.from, plan.to) },
          batchOf,
          ...attaching,
        }
      : {
          pipeline: this.batchPipeline(id, step, this.payloadsOf(id, step, index, plan.from, plan.to)),
          batchOf,
          ...attaching,
        };
    const workflowId = plan.workflowId;
    this.startingBatches += 1;
    try {
      const batchCount = state.batches!.length;
      const again = (plan.attempt ?? 1) > 1 ? `, attempt ${plan.attempt}` : '';
      const start = () =>
        startChild('codikaPipelineWorkflow', {
          workflowId,
          args: [batchInput],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `Batch ${batch + 1} of ${batchCount} of step ${id}: items ${plan.from}–${plan.to - 1}${again}`,
        });
      // One state: a batch outlives the run that starts it, so stopping this run's steps to continue
      // as new neither drops a start already decided nor cancels a batch that runs.
      const child = payloads ? await CancellationScope.nonCancellable(start) : await start();
      // In the run that started it, a batch that ends without reporting (terminated by hand) is noticed.
      child.result().then(
        () => this.batchEndedSilently(id, batch, 'its run ended without reporting its items', workflowId),
        (err: unknown) => this.batchEndedSilently(id, batch, messageOf(err), workflowId),
      );
    } finally {
      this.startingBatches -= 1;
    }
  }

  /**
   * Waits for a batch's report. Once the pipeline failed, the batch is told to start no more items (those
   * running poll to their end, for the saga). A batch that has not reported is looked for every
   * `BATCH_WATCH_INTERVAL_MS`: one that no longer runs (cancelled, terminated, timed out by hand) cannot
   * take a signal, and its items end `CodikaBatchLost`. Whichever run of the chain waits does this.
   */
  private async awaitBatch(
    id: string,
    batch: number,
    plan: CodikaPipelineBatchState,
    stopping: () => boolean,
  ): Promise<void> {
    // A lost batch run again under `retry` is another workflow, watched from its own start.
    const { workflowId } = plan;
    const done = () => plan.status !== 'running' || plan.workflowId !== workflowId;
    const stopWanted = () => stopping() && !plan.stopRequested;
    while (!done()) {
      // Kept in the state, so a run that continues often still looks when the time comes.
      plan.nextCheckAt ??= new Date(Date.now() + BATCH_WATCH_INTERVAL_MS).toISOString();
      const waitMs = Math.max(1, Date.parse(plan.nextCheckAt) - Date.now());
      await condition(() => done() || stopWanted(), waitMs);
      if (done()) return;
      plan.nextCheckAt = undefined;
      const stop = stopWanted();
      if (stop) plan.stopRequested = true;
      const send = () =>
        getExternalWorkflowHandle(workflowId).signal(
          stop ? codikaForEachBatchStopSignal : codikaForEachBatchWatchSignal,
        );
      const lost = (err: unknown) => {
        if (isCancellation(err)) throw err; // the run continues as new: the next one watches
        this.batchEndedSilently(id, batch, `it no longer runs (${messageOf(err)})`, workflowId);
      };
      if (!this.ctx.ways.batchWindow) {
        await send().catch(lost);
        continue;
      }
      // The window's way: a stop on record is a stop sent, even when the run continues as new meanwhile.
      this.signalling += 1;
      try {
        await CancellationScope.nonCancellable(send).catch(lost);
      } finally {
        this.signalling -= 1;
      }
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
    slots?: number,
  ): CodikaPipelineDefinition {
    const priority = mergePriorities(this.ctx.pipeline.priority, step.priority);
    return {
      processInstanceId: this.ctx.state.steps[id]!.processInstanceId!,
      triggerDelivery: step.triggerDelivery ?? this.ctx.pipeline.triggerDelivery,
      poll: { ...this.ctx.pipeline.poll, ...step.poll },
      ...(priority ? { priority } : {}),
      ...concurrencyOf(step, this.ctx.pipeline),
      ...this.ctx.operatorOptions(step),
      steps: [
        {
          id,
          workflowId: step.workflowId,
          payload: { $ref: 'item' } as unknown as Record<string, never>,
          forEach: { items: items as never, concurrency: slots ?? step.forEach!.concurrency ?? DEFAULT_CONCURRENCY },
          ...(step.retry ? { retry: step.retry } : {}),
          ...(step.onFailure ? { onFailure: step.onFailure } : {}),
          ...(step.result ? { result: step.result } : {}),
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
      } else if (report.resultsTooLarge !== undefined) {
        // Succeeded without its result in hand: still undone by the saga, once.
        this.ctx.finished.push({ stepId: report.stepId, index: plan.from + local });
      }
    }
    if (report.resultsTooLarge !== undefined) plan.resultsTooLarge = report.resultsTooLarge;
    plan.status = 'done';
    plan.nextCheckAt = undefined;
    this.ctx.changes += 1;
    this.windowChanges += 1;
  }

  private batchEndedSilently(stepId: string, batch: number, why: string, workflowId: string): void {
    const plan = this.ctx.state.steps[stepId]?.batches?.[batch];
    if (!plan || plan.status === 'done' || plan.workflowId !== workflowId) return;
    const error = `batch child ${plan.workflowId} ended without reporting: ${why}`;
    if (this.runAgain(stepId, plan, error)) return;
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

  /**
   * Plans a lost batch again, as a new child after the step's `retry` backoff, when `retry` has attempts
   * left and the step's delivery is `at-least-once`: what the lost batch triggered is unknown, so its
   * items may reach Codika twice, which only that delivery accepts.
   */
  private runAgain(stepId: string, plan: CodikaPipelineBatchState, error: string): boolean {
    const { step } = this.ctx.stepsById.get(stepId)!;
    const { retry, triggerDelivery = this.ctx.pipeline.triggerDelivery } = step as CodikaPipelineExecutionStep;
    const attempt = plan.attempt ?? 1;
    const allowed =
      this.ctx.ways.batchWindow &&
      retry !== undefined &&
      attempt < retry.maximumAttempts &&
      triggerDelivery === 'at-least-once' &&
      !this.stepStopping(stepId);
    if (!allowed) return false;
    log.warn("A forEach batch was lost; it runs again under the step's retry", { stepId, error, attempt: attempt + 1 });
    const items = this.ctx.state.steps[stepId]!.items!;
    for (let i = plan.from; i < plan.to; i += 1) items[i] = { status: 'pending', polls: 0 };
    plan.attempt = attempt + 1;
    plan.workflowId = `${plan.workflowId.replace(/-attempt-\d+$/, '')}-attempt-${attempt + 1}`;
    plan.status = 'pending';
    plan.startsAt = new Date(Date.now() + retryWaitMs(retry!, attempt + 1)).toISOString();
    for (const key of ['slots', 'draining', 'itemFailed', 'stopRequested', 'nextCheckAt'] as const) delete plan[key];
    this.windowChanges += 1;
    return true;
  }

  /** What this run, a batch of a large forEach step, reports to its pipeline. */
  batchReport(stepId: string, error?: string): CodikaForEachBatchReport {
    const state = this.ctx.state.steps[stepId];
    const items = (state?.items ?? []).map((item) => ({ ...item }));
    const finishOrder = this.ctx.finished.flatMap((f) =>
      f.stepId === stepId && f.index !== undefined ? [f.index] : [],
    );
    const results = items.map((_, i) => this.ctx.itemResults.get(stepId)?.[i] ?? null);
    const report: CodikaForEachBatchReport = {
      stepId,
      batch: this.ctx.batchOf?.batch ?? 0,
      ...(this.ctx.oneState ? { batchWorkflowId: workflowInfo().workflowId } : {}),
      items,
      results,
      finishOrder,
      ...(error ? { error } : {}),
    };
    // A signal over the payload limit would fail this batch's every task: the results stay behind instead.
    const bytes = jsonBytes(report);
    if (this.ctx.ways.sizesChecked && bytes > REPORT_LIMIT_BYTES) {
      log.warn('A forEach batch report is over the payload limit: its results stay behind', { stepId, bytes });
      return { ...report, results: results.map(() => null), resultsTooLarge: bytes };
    }
    return report;
  }

  private async runItem(
    id: string,
    step: CodikaPipelineExecutionStep,
    index: number,
    i: number,
    progress?: CodikaStepProgress,
  ): Promise<CodikaExecutionResult> {
    const processInstanceId = this.ctx.state.steps[id]!.processInstanceId!;
    // A redrive's attach map names items by their index in the whole step.
    const { input, retriedInput } = this.ctx.attemptInputs(
      step,
      index,
      processInstanceId,
      this.ctx.itemScope(id, i),
      itemKey(id, i + this.ctx.indexOffset),
    );
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
      retriedInput,
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

/** The key's limit a batch's items hold to: the step's, else the pipeline's. */
function concurrencyOf(
  step: CodikaPipelineExecutionStep,
  pipeline: Pick<CodikaPipelineDefinition, 'concurrency'>,
): Pick<CodikaPipelineDefinition, 'concurrency'> {
  const concurrency = step.concurrency ?? pipeline.concurrency;
  return concurrency ? { concurrency } : {};
}
