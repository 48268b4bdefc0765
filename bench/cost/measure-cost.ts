import { DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS } from '../../src/client/standalone/codika-activity-start';
import type { BenchEnv } from '../shared/bench-env';
import { fetchHistoryChain, historyCost, type ActionCounts } from '../shared/history-cost';
import { pollWithStrategy, runLibraryExecution, type LibraryRun } from '../shared/library-run';
import { STANDALONE_RUNNER, type BenchPlan } from '../shared/plan';
import { runStandaloneExecution, standaloneActions, standalonePoll } from '../shared/standalone-run';
import { median } from '../shared/stats';

/** History and billable actions of one strategy for one execution duration (medians over runs). */
export interface CostRow {
  /** A poll strategy, or `standalone`: each execution run as one standalone activity, with no workflow. */
  strategy: string;
  available: boolean;
  /** The duration this row stands for: the one run, times the plan's scale. */
  durationMs: number;
  /** The duration actually run. */
  ranDurationMs: number;
  executions: number;
  polls: number | null;
  /** `null` for `standalone`: a standalone activity has no history. */
  events: number | null;
  actions: number | null;
  /** Runs in the continue-as-new chain; `null` for `standalone`. */
  runs: number | null;
  /**
   * Action counts of the first measured execution. For `standalone`: its start under `activities`, its
   * attempts after the first under `activityRetries`, and its heartbeats as the server counted them.
   */
  byKind?: ActionCounts;
  /**
   * Median time from the mock marking the execution finished to the result in the caller's hands, as run
   * (a scaled-down run polls `scale` times as often); runners run side by side, so under their contention.
   */
  detectionMs?: number | null;
  /** Only for `standalone`: what its describe said once it closed (medians), and its heartbeat timeout. */
  standalone?: { attempts: number | null; heartbeats: number | null; heartbeatTimeoutMs: number };
  failures: number;
  errors: string[];
}

const STUCK_AFTER_MS = 60_000;

/**
 * Per strategy, every duration at once; then each execution's history is fetched (following
 * continue-as-new) and its events and billable actions counted.
 */
export async function measureCost(env: BenchEnv, plan: BenchPlan): Promise<CostRow[]> {
  const { durationsMs, perDuration, scale, poll } = plan.cost;
  for (const durationMs of durationsMs) env.mock.script(scriptName(durationMs), { durationMs, resultData: {} });
  // Strategies run side by side: cost is read from history, not from timing, and a full run's
  // 10-minute executions would otherwise take 10 minutes per strategy.
  const perStrategy = await Promise.all(
    plan.strategies.map(async (strategy): Promise<CostRow[]> => {
      if (scale !== 1 && strategy === 'auto') return durationsMs.map((d) => autoDoesNotScale(d, scale));
      if (strategy === STANDALONE_RUNNER) return Promise.all(durationsMs.map((d) => standaloneRow(env, plan, d)));
      return Promise.all(
        durationsMs.map(async (ranDurationMs): Promise<CostRow> => {
          const runs = await Promise.all(
            Array.from({ length: perDuration }, () =>
              runLibraryExecution(
                env,
                scriptName(ranDurationMs),
                pollWithStrategy(poll, strategy),
                2 * ranDurationMs + STUCK_AFTER_MS,
              ),
            ),
          );
          const done = runs.filter((r) => r.error === undefined);
          const chains = await Promise.all(
            done.map((r) => fetchHistoryChain(env.client, r.workflowId!, r.firstRunId!)),
          );
          const costs = chains.map(historyCost);
          const available = !runs.some((r) => r.strategyRejected);
          return {
            strategy,
            available,
            durationMs: ranDurationMs * scale,
            ranDurationMs,
            executions: runs.length,
            polls: median(done.map((r) => r.polls ?? 0)),
            events: median(costs.map((c) => c.events)),
            actions: median(costs.map((c) => c.actions)),
            runs: median(costs.map((c) => c.runs)),
            byKind: costs[0]?.byKind,
            detectionMs: medianDetection(env, done),
            failures: available ? runs.length - done.length : 0,
            errors: [...new Set(runs.flatMap((r) => (r.error === undefined ? [] : [r.error])))],
          };
        }),
      );
    }),
  );
  return perStrategy.flat();
}

/**
 * One duration's executions as standalone activities, with the plan's (scaled) poll options and heartbeat
 * timeout. Cost comes from each closed activity's describe: no history, attempts and the server's heartbeat count.
 */
async function standaloneRow(env: BenchEnv, plan: BenchPlan, ranDurationMs: number): Promise<CostRow> {
  const { perDuration, scale, poll, standaloneHeartbeatTimeoutMs } = plan.cost;
  const runs = await Promise.all(
    Array.from({ length: perDuration }, () =>
      runStandaloneExecution(
        env,
        scriptName(ranDurationMs),
        { poll: standalonePoll(poll), heartbeatTimeoutMs: standaloneHeartbeatTimeoutMs },
        2 * ranDurationMs + STUCK_AFTER_MS,
      ),
    ),
  );
  const done = runs.filter((r) => r.error === undefined);
  const available = !runs.some((r) => r.strategyRejected);
  const first = done[0];
  return {
    strategy: STANDALONE_RUNNER,
    available,
    durationMs: ranDurationMs * scale,
    ranDurationMs,
    executions: runs.length,
    polls: median(done.map((r) => r.polls ?? 0)),
    events: null,
    actions: median(done.map((r) => standaloneActions(r.attempts!, r.heartbeats!))),
    runs: null,
    byKind: first && {
      workflowStarts: 0,
      timers: 0,
      activities: 1,
      activityRetries: first.attempts! - 1,
      signals: 0,
      searchAttributeUpserts: 0,
      heartbeats: first.heartbeats!,
    },
    detectionMs: medianDetection(env, done),
    standalone: {
      attempts: median(done.map((r) => r.attempts!)),
      heartbeats: median(done.map((r) => r.heartbeats!)),
      heartbeatTimeoutMs: standaloneHeartbeatTimeoutMs ?? DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    },
    failures: available ? runs.length - done.length : 0,
    errors: [...new Set(runs.flatMap((r) => (r.error === undefined ? [] : [r.error])))],
  };
}

/** Median of each run's mock finish → result in hand. */
function medianDetection(env: BenchEnv, runs: LibraryRun[]): number | null {
  return median(
    runs.flatMap((r) => {
      const finishesAt = r.executionId ? env.mock.executions.get(r.executionId)?.finishesAt : undefined;
      return finishesAt === undefined ? [] : [r.endedAtMs - finishesAt];
    }),
  );
}

/** `auto` runs on its own absolute schedule, so a scaled-down run says nothing about its cost. */
function autoDoesNotScale(ranDurationMs: number, scale: number): CostRow {
  return {
    strategy: 'auto',
    available: false,
    durationMs: ranDurationMs * scale,
    ranDurationMs,
    executions: 0,
    polls: null,
    events: null,
    actions: null,
    runs: null,
    detectionMs: null,
    failures: 0,
    errors: ["auto's schedule is absolute and does not scale: see the full run"],
  };
}

function scriptName(durationMs: number): string {
  return `bench-cost-${durationMs}ms`;
}
