/**
 * One key's flow control, held by Temporal for every worker: at most `limit` permits to Codika
 * executions of the key (granted by Update, in order of asking, the grant signalled to a waiting
 * holder), permits of holders whose runs ended without giving them back taken back by looking at
 * those runs, and a `429`'s back-off that workers read from its memo. Its whole state is one
 * `FlowControlState`; continue-as-new carries exactly it, and it ends after a quiet minute.
 */
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
  defineQuery,
  defineSignal,
  defineUpdate,
} from '@temporalio/workflow';
import type { CodikaFlowControlActivities } from '../../activities/flow-control-activities';
import {
  FLOW_CONTROL_STATE_QUERY,
  FLOW_PAUSE_MEMO,
  MAX_CONCURRENCY_LIMIT,
  PAUSE_SIGNAL,
  PERMIT_GRANTED_SIGNAL,
  RELEASE_PERMIT_SIGNAL,
  REQUEST_PERMIT_UPDATE,
  type FlowControlState,
  type FlowPause,
  type CodikaPermitAnswer,
  type CodikaPermitLease,
  type CodikaPermitRequest,
} from '../../shared/flow-control';

export const requestPermitUpdate = defineUpdate<CodikaPermitAnswer, [CodikaPermitRequest]>(REQUEST_PERMIT_UPDATE);
export const releasePermitSignal = defineSignal<[{ leaseId: string }]>(RELEASE_PERMIT_SIGNAL);
export const flowPauseSignal = defineSignal<[FlowPause]>(PAUSE_SIGNAL);
export const permitGrantedSignal = defineSignal<[{ leaseId: string }]>(PERMIT_GRANTED_SIGNAL);
/** Query: the key's `FlowControlState` (permits, line, back-off). */
export const flowControlStateQuery = defineQuery<FlowControlState>(FLOW_CONTROL_STATE_QUERY);

/**
 * How often the holders' runs are looked at while someone waits for a permit, and while no one does:
 * a holder whose run ended without giving its permit back (terminated, its workers gone) loses it
 * within this, plus one look.
 */
export const RECLAIM_EVERY_MS = { whileWaiting: 10_000, otherwise: 60_000 } as const;
/** With no holder, no one waiting and no back-off for this long, the workflow ends. */
export const IDLE_END_MS = 60_000;
/** Continue-as-new past this many events (or when the server suggests it). */
const CONTINUE_AFTER_EVENTS = 2_000;

/** The flow-control workflow of one key; see the module comment. */
export async function codikaFlowControlWorkflow(state: FlowControlState): Promise<FlowControlState> {
  const activities = proxyActivities<CodikaFlowControlActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
  });
  const holders = state.holders;
  /** Bumped by every handler that changes the state: the loop's wait ends on it. */
  let changes = 0;
  let lastPauseInMemo: number | undefined;
  let nextReclaimAtMs = Infinity;
  let quietSinceMs = Date.now();

  const grantWaiting = () => {
    while (holders.length < state.limit && state.waiting.length > 0) {
      const next = state.waiting.shift()!;
      holders.push({ ...next, sinceMs: Date.now(), untold: true });
      state.granted += 1;
      changes += 1;
    }
  };

  setHandler(flowControlStateQuery, () => state);
  setHandler(
    requestPermitUpdate,
    (request) => {
      const { lease } = request;
      const holding = holders.find((h) => h.leaseId === lease.leaseId);
      const waitingAt = state.waiting.findIndex((w) => w.leaseId === lease.leaseId);
      // A step asking again, or taking back what it held, brings no new limit: only a first request does,
      // so an old waiter's limit cannot undo a newer one.
      if (!holding && waitingAt < 0 && !request.held) state.limit = request.limit;
      if (holding) {
        // The same holder asking again (a retried activity, a continued run): its run may have moved on.
        Object.assign(holding, lease);
        holding.untold = undefined;
        grantWaiting();
        return answer(true);
      }
      if (waitingAt >= 0) {
        Object.assign(state.waiting[waitingAt]!, lease);
        grantWaiting();
        return answer(
          holders.some((h) => h.leaseId === lease.leaseId),
          waitingAt + 1,
        );
      }
      changes += 1;
      if (request.held || (holders.length < state.limit && state.waiting.length === 0)) {
        holders.push({ ...lease, sinceMs: Date.now() });
        state.granted += 1;
        return answer(true);
      }
      state.waiting.push({ ...lease, sinceMs: Date.now() });
      grantWaiting();
      return answer(
        holders.some((h) => h.leaseId === lease.leaseId),
        state.waiting.length,
      );
    },
    { validator: checkRequest },
  );
  setHandler(releasePermitSignal, ({ leaseId }) => {
    const at = holders.findIndex((h) => h.leaseId === leaseId);
    if (at >= 0) {
      holders.splice(at, 1);
      state.released += 1;
    } else {
      // A holder that gave up waiting (cancelled, failed) leaves the line.
      state.waiting = state.waiting.filter((w) => w.leaseId !== leaseId);
    }
    changes += 1;
    grantWaiting();
  });
  setHandler(flowPauseSignal, (pause) => {
    if (!(pause.untilMs > (state.pausedUntilMs ?? 0))) return;
    state.pausedUntilMs = pause.untilMs;
    state.pauseReason = pause.reason;
    changes += 1;
  });

  function answer(granted: boolean, position?: number): CodikaPermitAnswer {
    return { granted, ...(granted ? {} : { position }), inUse: holders.length, limit: state.limit };
  }

  for (;;) {
    // Counted before any await: a handler that runs during one is a change the wait below must see.
    const seen = changes;
    await tellGranted(holders, state);
    // Someone waiting makes a dead holder costly: look at the holders' runs sooner.
    const reclaimEveryMs = state.waiting.length > 0 ? RECLAIM_EVERY_MS.whileWaiting : RECLAIM_EVERY_MS.otherwise;
    nextReclaimAtMs = holders.length === 0 ? Infinity : Math.min(nextReclaimAtMs, Date.now() + reclaimEveryMs);
    if (Date.now() >= nextReclaimAtMs) {
      await reclaimFromEnded(activities, holders, state);
      nextReclaimAtMs = Date.now() + reclaimEveryMs;
    }
    // Permits freed by a holder gone (its grant undeliverable, its run ended) go to the next in line.
    grantWaiting();
    if (holders.some((h) => h.untold)) continue;
    if (state.pausedUntilMs !== undefined && state.pausedUntilMs !== lastPauseInMemo) {
      // Workers read the back-off from the memo (a describe, which the server answers without any worker).
      upsertMemo({ [FLOW_PAUSE_MEMO]: { pausedUntilMs: state.pausedUntilMs, reason: state.pauseReason } });
      lastPauseInMemo = state.pausedUntilMs;
    }

    const pausedUntilMs = (state.pausedUntilMs ?? 0) > Date.now() ? state.pausedUntilMs : undefined;
    const busy = holders.length > 0 || state.waiting.length > 0 || pausedUntilMs !== undefined;
    if (busy || changes !== seen) quietSinceMs = Date.now();
    else if (Date.now() - quietSinceMs >= IDLE_END_MS) return state;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AFTER_EVENTS) {
      // Every handler is synchronous, so none is half done: the state is all there is.
      await continueAsNew<typeof codikaFlowControlWorkflow>(state);
    }
    setCurrentDetails(flowControlDetails(state, pausedUntilMs));
    // Waiting without holders cannot last (grantWaiting gave them permits), so one of these is set.
    const wakeAtMs = holders.length > 0 ? nextReclaimAtMs : (pausedUntilMs ?? quietSinceMs + IDLE_END_MS);
    await condition(() => changes !== seen, Math.max(1, wakeAtMs - Date.now()));
  }
}

/** The key's permits, line and back-off, as the UI shows them in the run's current details (Markdown). */
function flowControlDetails(state: FlowControlState, pausedUntilMs: number | undefined): string {
  const lines = [
    `**permits** ${state.holders.length}/${state.limit} in use · **waiting** ${state.waiting.length}`,
    `**granted** ${state.granted} · **given back** ${state.released} · **taken back** ${state.reclaimed}`,
  ];
  if (state.waiting[0]) lines.push(`**next in line** ${state.waiting[0].label ?? state.waiting[0].workflowId}`);
  if (pausedUntilMs !== undefined) {
    lines.push(
      `**backing off** until ${new Date(pausedUntilMs).toISOString().slice(11, 19)} UTC: ${state.pauseReason ?? ''}`,
    );
  }
  return lines.map((line) => `- ${line}`).join('\n');
}

/**
 * Signals each newly granted holder; a holder whose workflow is gone (it ended while waiting) gives
 * its permit back at once, so the next in line gets it.
 */
async function tellGranted(holders: CodikaPermitLease[], state: FlowControlState): Promise<void> {
  const untold = holders.filter((h) => h.untold);
  await Promise.all(
    untold.map(async (holder) => {
      try {
        await getExternalWorkflowHandle(holder.workflowId).signal(permitGrantedSignal, { leaseId: holder.leaseId });
        holder.untold = undefined;
      } catch {
        const at = holders.indexOf(holder);
        if (at >= 0) holders.splice(at, 1);
        state.reclaimed += 1;
      }
    }),
  );
}

/** Takes back the permits of holders whose runs ended (terminated, timed out, their chain gone). */
async function reclaimFromEnded(
  activities: CodikaFlowControlActivities,
  holders: CodikaPermitLease[],
  state: FlowControlState,
): Promise<void> {
  const ended = new Set(await activities.findEndedPermitHolders(holders.map(({ untold: _, ...lease }) => lease)));
  for (let i = holders.length - 1; i >= 0; i--) {
    if (ended.has(holders[i]!.leaseId)) {
      holders.splice(i, 1);
      state.reclaimed += 1;
    }
  }
}

function checkRequest(request: CodikaPermitRequest): void {
  const lease = request?.lease;
  if (
    !Number.isInteger(request?.limit) ||
    request.limit < 1 ||
    request.limit > MAX_CONCURRENCY_LIMIT ||
    typeof lease?.leaseId !== 'string' ||
    typeof lease.workflowId !== 'string' ||
    typeof lease.runId !== 'string'
  ) {
    throw new Error('a permit request needs a limit (1–1,000) and a lease with leaseId, workflowId and runId');
  }
}
