import type { CodikaPollOptions } from '../src/common/execution-types';

/** What one benchmark run measures, and how much of it. */
export interface BenchPlan {
  mode: 'quick' | 'full';
  /** Strategies to measure, in order; an unknown one is reported as not available. */
  strategies: string[];
  overhead: { durationsMs: number[]; perDuration: number; pollIntervalMs: number };
  detection: { durationsMs: number[]; perDuration: number };
  cost: {
    /** Durations actually run. */
    durationsMs: number[];
    /** Durations and poll intervals were divided by this; the table reports them multiplied back. */
    scale: number;
    perDuration: number;
    poll: CodikaPollOptions;
  };
  /** The whole run is abandoned (and everything stopped) after this long. */
  budgetMs: number;
}

/** Strategies measured when `--strategies` is not given. */
export const DEFAULT_STRATEGIES = ['timer', 'activity', 'retry', 'auto'];

/** The library's default poll schedule divided by 10, so a scaled run makes as many checks as a real one. */
const TENFOLD_FASTER_POLL: CodikaPollOptions = { firstPollAfter: 150, maxPollInterval: 3_000 };

/** `--quick`: under 3 minutes on two cores. Otherwise the full run, about 10 minutes. */
export function benchPlan(quick: boolean, strategies: string[] = DEFAULT_STRATEGIES): BenchPlan {
  const overhead = { durationsMs: [500, 3_000, 10_000], pollIntervalMs: 1_500 };
  if (quick) {
    return {
      mode: 'quick',
      strategies,
      overhead: { ...overhead, perDuration: 3 },
      detection: { durationsMs: [2_000, 5_000, 10_000], perDuration: 3 },
      cost: { durationsMs: [1_000, 6_000], scale: 10, perDuration: 1, poll: TENFOLD_FASTER_POLL },
      budgetMs: 170_000,
    };
  }
  return {
    mode: 'full',
    strategies,
    overhead: { ...overhead, perDuration: 10 },
    detection: { durationsMs: [2_000, 10_000, 30_000, 60_000], perDuration: 10 },
    cost: { durationsMs: [10_000, 60_000, 600_000], scale: 1, perDuration: 2, poll: {} },
    budgetMs: 30 * 60_000,
  };
}
