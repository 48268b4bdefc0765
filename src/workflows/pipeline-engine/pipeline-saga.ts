/**
 * How a pipeline ends badly: the saga that undoes the succeeded steps and items after a failure, the
 * record of the Codika executions a cancellation leaves running, and the failure the pipeline throws.
 */
import { ApplicationFailure, isCancellation, log, upsertMemo } from '@temporalio/workflow';
import { nonRetryableFailure } from '../../shared/failures';
import { isApprovalStep } from '../../pipeline/step-kinds';
import { itemKey, messageOf, type PipelineContext } from './pipeline-context';

/**
 * The saga: compensations of the succeeded steps (and forEach items), last finished first. Their
 * failures are recorded, not thrown. `between`, when given, runs before each compensation and may
 * continue as new (never returning); the next run's saga skips what ended here.
 */
export async function compensate(ctx: PipelineContext, between?: () => Promise<void>): Promise<void> {
  ctx.state.phase = 'compensating';
  for (const { stepId: id, index: itemIndex } of [...ctx.finished].reverse()) {
    const { step, index } = ctx.stepsById.get(id)!;
    if (isApprovalStep(step) || !step.compensate) continue;
    const compensation = step.compensate;
    const state = ctx.state.steps[id]!;
    const target = itemIndex === undefined ? state : state.items![itemIndex]!;
    // Undone (or tried) by a run of the chain before this one.
    if (between && target.compensation !== undefined) continue;
    await between?.();
    const liveKey = itemIndex === undefined ? id : itemKey(id, itemIndex);
    const statusBefore = state.status;
    state.status = 'compensating';
    target.status = 'compensating';
    target.compensation = { status: 'running' };
    ctx.showDetails();
    try {
      const input = ctx.executionInput(
        {
          ...compensation,
          triggerDelivery: compensation.triggerDelivery ?? step.triggerDelivery,
          priority: step.priority,
        },
        index,
        compensation.processInstanceId ?? state.processInstanceId!,
        itemIndex === undefined ? ctx.scope() : ctx.itemScope(id, itemIndex),
        `steps[${index}].compensate.payload`,
      );
      const result = await ctx.runExecution(
        `${liveKey}#compensation`,
        index,
        input,
        (execution) => {
          target.compensation!.executionId = execution.executionId;
        },
        undefined,
        `undo ${itemIndex === undefined ? id : itemKey(id, itemIndex + ctx.indexOffset)}`,
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
    ctx.showDetails();
  }
}

/** Codika has no cancel endpoint: say which executions were left running, in the memo and the log. */
export function recordCancellation(ctx: PipelineContext): void {
  ctx.state.phase = 'cancelled';
  const inFlight = (status: string) => status === 'running' || status === 'compensating' || status === 'cancelled';
  const leftRunning = (key: string, status: string, executionId: string | undefined, compensationId?: string) => {
    const compensating = status === 'compensating';
    const id = compensating
      ? (ctx.live.get(`${key}#compensation`)?.execution.executionId ?? compensationId)
      : (ctx.live.get(key)?.execution.executionId ?? executionId);
    if (id !== undefined) ctx.state.leftRunning.push({ stepId: key, executionId: id });
  };
  for (const [id, step] of Object.entries(ctx.state.steps)) {
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

  upsertMemo({ codikaLeftRunning: ctx.state.leftRunning });
  ctx.showDetails();
  if (ctx.state.leftRunning.length > 0) {
    log.warn('Pipeline cancelled: these Codika executions may still be running', {
      leftRunning: ctx.state.leftRunning,
    });
  }
}

/** The first failure, keeping its type, prefixed with its step; details say what the saga did. */
export function pipelineFailure(
  ctx: PipelineContext,
  { stepId, error }: { stepId: string; error: unknown },
): ApplicationFailure {
  const original = error instanceof ApplicationFailure ? error : undefined;
  const compensations = Object.entries(ctx.state.steps).flatMap(([id, s]) => [
    ...(s.compensation ? [{ stepId: id, ...s.compensation }] : []),
    ...(s.items ?? []).flatMap((item, i) =>
      item.compensation ? [{ stepId: itemKey(id, i), ...item.compensation }] : [],
    ),
  ]);
  // No step failed when the result was too large to return: the pipeline says so itself.
  const prefix = ctx.state.failure?.ofPipeline ? 'The pipeline could not return its result' : `Step "${stepId}" failed`;
  return nonRetryableFailure(
    original?.type ?? (error instanceof Error ? error.name : 'Error'),
    `${prefix}: ${messageOf(error)}`,
    { stepId, executionId: ctx.state.steps[stepId]!.executionId, compensations },
    error instanceof Error ? error : undefined,
  );
}
