import type { Client, WorkflowHandle } from '@temporalio/client';
import { protoTimeMs } from './proto-time';

/** One run's history, as the client fetches it. */
export type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Billable actions estimated from history, by kind. */
export interface ActionCounts {
  /** The first start and every continue-as-new. */
  workflowStarts: number;
  timers: number;
  activities: number;
  /** Attempts after the first, as `ActivityTaskStarted.attempt - 1` shows them. */
  activityRetries: number;
  signals: number;
  /** Search attribute updates (the Codika attributes, when the namespace has them). */
  searchAttributeUpserts: number;
  /** Estimated from each activity's run time and heartbeat timeout; see {@link estimateHeartbeats}. */
  heartbeats: number;
}

/** What one workflow execution cost, summed over its continue-as-new chain. */
export interface HistoryCost {
  runs: number;
  events: number;
  actions: number;
  byKind: ActionCounts;
}

/**
 * Heartbeats that reach the server are billed too, but never appear in history: they are
 * estimated from each activity's run time and the SDK's heartbeat throttling.
 */
export const HEARTBEATS_ESTIMATED =
  'heartbeats reaching the server are estimated: the polling loop sends one before each status check (so a cancellation stops it within about a second) and one per 10 s of progress; a single call its first after 1 s, then at most one per 0.8 × heartbeat timeout';

/** Bounds the walk along a continue-as-new chain. */
const MAX_RUNS = 200;

/**
 * Fetches every run of a workflow, following continue-as-new from the first run.
 *
 * @throws Error when the chain is longer than 200 runs.
 */
export async function fetchHistoryChain(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const chain: History[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    if (chain.length >= MAX_RUNS)
      throw new Error(`${workflowId}: more than ${MAX_RUNS} runs in its continue-as-new chain`);
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    chain.push(history);
    const continued = history.events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes);
    runId = continued?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return chain;
}

/** Counts the history events of a continue-as-new chain and the Temporal Cloud billable actions they show. */
export function historyCost(chain: History[]): HistoryCost {
  const byKind: ActionCounts = {
    workflowStarts: 0,
    timers: 0,
    activities: 0,
    activityRetries: 0,
    signals: 0,
    searchAttributeUpserts: 0,
    heartbeats: 0,
  };
  let events = 0;
  const allEvents = chain.flatMap((history) => history.events ?? []);
  byKind.heartbeats = estimateHeartbeats(allEvents);
  for (const event of allEvents) {
    events += 1;
    if (event.workflowExecutionStartedEventAttributes) byKind.workflowStarts += 1;
    if (event.timerStartedEventAttributes) byKind.timers += 1;
    if (event.activityTaskScheduledEventAttributes) byKind.activities += 1;
    const attempt = event.activityTaskStartedEventAttributes?.attempt;
    if (attempt) byKind.activityRetries += attempt - 1;
    if (event.workflowExecutionSignaledEventAttributes) byKind.signals += 1;
    if (event.upsertWorkflowSearchAttributesEventAttributes) byKind.searchAttributeUpserts += 1;
  }
  const actions =
    byKind.workflowStarts +
    byKind.timers +
    byKind.activities +
    byKind.activityRetries +
    byKind.signals +
    byKind.searchAttributeUpserts +
    byKind.heartbeats;
  return { runs: chain.length, events, actions, byKind };
}

type HistoryEvent = NonNullable<History['events']>[number];

const SHORT_CALL_FIRST_HEARTBEAT_MS = 1_000;
/** The polling loop records its progress this often (src/activities/heartbeats.ts). */
const LOOP_PROGRESS_EVERY_MS = 10_000;
/** A loop's checks per second of its run when its result does not say (failed, cancelled): one a second, `auto`'s pace. */
const LOOP_CHECKS_PER_SECOND = 1;

/**
 * Estimates heartbeats that reached the server: for the polling loop, one per status check and one
 * per 10 s of its run; for a single call, the first after 1 s plus one per throttle interval
 * (0.8 × heartbeat timeout) of its run time.
 */
export function estimateHeartbeats(events: HistoryEvent[]): number {
  const scheduled = new Map<string, { type: string; throttleMs: number }>();
  const started = new Map<string, number>();
  let total = 0;
  for (const event of events) {
    const id = String(event.eventId);
    const at = timeMs(event);
    const s = event.activityTaskScheduledEventAttributes;
    if (s) {
      const timeoutMs = durationMs(s.heartbeatTimeout);
      scheduled.set(id, { type: s.activityType?.name ?? '', throttleMs: timeoutMs > 0 ? 0.8 * timeoutMs : 0 });
    }
    const st = event.activityTaskStartedEventAttributes;
    if (st) started.set(String(st.scheduledEventId), at);
    const end =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (end && 'scheduledEventId' in end) {
      const key = String(end.scheduledEventId);
      const activity = scheduled.get(key);
      const startedAt = started.get(key);
      if (!activity || startedAt === undefined || activity.throttleMs === 0) continue;
      const runMs = at - startedAt;
      if (activity.type === 'pollCodikaExecution') {
        // One before each check, answered or not, plus progress; the loop's result says how many checks.
        const checks = loopChecks(event) ?? Math.floor((runMs / 1000) * LOOP_CHECKS_PER_SECOND);
        total += checks + Math.floor(runMs / LOOP_PROGRESS_EVERY_MS);
        continue;
      }
      const firstAt = SHORT_CALL_FIRST_HEARTBEAT_MS;
      if (runMs >= firstAt) total += 1 + Math.floor((runMs - firstAt) / activity.throttleMs);
    }
  }
  return total;
}

/** The checks a completed polling loop reports (`polls` in its result), when its payload is plain JSON. */
function loopChecks(event: HistoryEvent): number | undefined {
  const data = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    const polls = (JSON.parse(Buffer.from(data).toString('utf8')) as { polls?: unknown }).polls;
    return typeof polls === 'number' ? polls : undefined;
  } catch {
    return undefined;
  }
}

function timeMs(event: HistoryEvent): number {
  return event.eventTime ? protoTimeMs(event.eventTime) : 0;
}

/** 0 when missing: an activity without a heartbeat timeout sends no heartbeats and is skipped. */
function durationMs(d: Parameters<typeof protoTimeMs>[0]): number {
  return d ? protoTimeMs(d) : 0;
}
