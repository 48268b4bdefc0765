import type { BenchEnv } from '../shared/bench-env';
import { fetchHistoryChain, historyCost, type ActionCounts } from '../shared/history-cost';
import { pollWithStrategy, runLibraryExecution } from '../shared/library-run';
import type { BenchPlan } from '../shared/plan';
import { median } from '../shared/stats';

/** History and billable actions of one strategy for one execution duration (medians over runs). */
export interface CostRow {
  strategy: string;
  available: boolean;
  /** The duration this row stands for: the one run, times the plan's scale. */
  durationMs: number;
  /** The duration actually run. */
  ranDurationMs: number;
  executions: number;
  polls: number | null;
  events: number | null;
  actions: number | null;
  /** Runs in the continue-as-new chain. */
  runs: number | null;
  /** Action counts of the first measured execution. */
  byKind?: ActionCounts;
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
            failures: available ? runs.length - done.length : 0,
            errors: [...new Set(runs.flatMap((r) => (r.error === undefined ? [] : [r.error])))],
          };
        }),
      );
    }),
  );
  return perStrategy.flat();
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
    failures: 0,
    errors: ["auto's schedule is absolute and does not scale: see the full run"],
  };
}

function scriptName(durationMs: number): string {
  return `bench-cost-${durationMs}ms`;
}
