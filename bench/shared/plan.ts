import { POLL_STRATEGIES, type CodikaPollOptions } from '../../src/shared/poll-options';

/** What one benchmark run measures, and how much of it. */
export interface BenchPlan {
  mode: 'quick' | 'full' | 'scale';
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
  /** Only in `--scale` mode, which measures nothing else. */
  scale?: ScalePlan;
}

/** The scale scenario: many executions in flight at once on one worker (in a child process). */
export interface ScalePlan {
  /** Executions started at once, one batch per count, in order. */
  counts: number[];
  /** Mock durations are spread uniformly over this range, from a seeded generator. */
  minDurationMs: number;
  maxDurationMs: number;
  seed: number;
  /** Workflow starts in flight at a time. */
  startConcurrency: number;
  /**
   * The worker's V8 heap limit (`--max-old-space-size`), as docs/operations.md advises for production: with
   * the default (a quarter of RAM, 4 GB here) V8 collects so lazily that RSS says little.
   */
  workerHeapMb: number;
  /**
   * The batch stops waiting when no execution has closed for this long: whatever is still open
   * then is stuck (the system stopped making progress on it), not merely slow.
   */
  stallAfterMs: number;
}

/** Counts the issue asks for; only the first is run by default. */
export const SCALE_COUNTS = [1_000, 5_000, 10_000];
/** Never more than this many executions in one batch. */
export const MAX_SCALE_COUNT = 10_000;

/**
 * `--scale[=1000,5000]`: the scale scenario alone. Its budget allows each batch the start, the
 * longest duration and a drain at 10 completions a second (saturated, this machine managed 15).
 */
export function scalePlan(counts: number[] = SCALE_COUNTS.slice(0, 1)): BenchPlan {
  const batchBudgetMs = (count: number) => 5 * 60_000 + (count / 10) * 1_000;
  return {
    mode: 'scale',
    strategies: ['auto'],
    overhead: { durationsMs: [], perDuration: 0, pollIntervalMs: 0 },
    detection: { durationsMs: [], perDuration: 0 },
    cost: { durationsMs: [], scale: 1, perDuration: 0, poll: {} },
    budgetMs: counts.reduce((sum, count) => sum + batchBudgetMs(count), 0),
    scale: {
      counts,
      minDurationMs: 5_000,
      maxDurationMs: 60_000,
      seed: 20_240_601,
      startConcurrency: 50,
      workerHeapMb: 640,
      stallAfterMs: 120_000,
    },
  };
}

/** Strategies measured when `--strategies` is not given. */
export const DEFAULT_STRATEGIES: string[] = [...POLL_STRATEGIES];

/** The library's default poll schedule divided by 10, so a scaled run makes as many checks as a real one. */
const TENFOLD_FASTER_POLL: CodikaPollOptions = { firstPollAfter: 150, maxPollInterval: 3_000 };

/** `--quick`: under 3 minutes on two cores. Otherwise the full run, about 20 minutes. */
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
