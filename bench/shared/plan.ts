import { DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS } from '../../src/client/standalone/codika-activity-start';
import { POLL_STRATEGIES, type CodikaPollOptions } from '../../src/shared/poll-options';
import type { ScaleRunner, ScaleServerKind } from '../scale/scale-result';

/** What one benchmark run measures, and how much of it. */
export interface BenchPlan {
  mode: 'quick' | 'full' | 'scale' | 'overhead';
  /**
   * Strategies to measure, in order; an unknown one is reported as not available. {@link STANDALONE_RUNNER}
   * is no strategy: it runs each execution as the standalone `codikaExecution` activity, with no workflow.
   */
  strategies: string[];
  /** `perDuration` executions at once per duration and runner, `rounds` times (1 when absent). */
  overhead: { durationsMs: number[]; perDuration: number; pollIntervalMs: number; rounds?: number };
  detection: { durationsMs: number[]; perDuration: number };
  cost: {
    /** Durations actually run. */
    durationsMs: number[];
    /** Durations and poll intervals were divided by this; the table reports them multiplied back. */
    scale: number;
    perDuration: number;
    poll: CodikaPollOptions;
    /**
     * The standalone activity's `heartbeatTimeout`: the library's default (10 min) divided by `scale`, so a
     * scaled-down run sends as many keep-alive heartbeats as one at full length. Absent: the default.
     */
    standaloneHeartbeatTimeoutMs?: number;
  };
  /** The whole run is abandoned (and everything stopped) after this long. */
  budgetMs: number;
  /** Only in `--scale` mode, which measures nothing else. */
  scale?: ScalePlan;
}

/** The scale scenario: many executions in flight at once, on workers in child processes. */
export interface ScalePlan {
  /** Executions started at once, one batch per count and runner, in order. */
  counts: number[];
  /** Each count runs once per runner, each on a fresh server; the first runner alternates by count. */
  runners: ScaleRunner[];
  server: ScaleServerKind;
  /** Worker processes on the batch's task queue: 1 on the dev server, 2 on the cluster (as `npm run cluster`). */
  workers: number;
  /** A batch still running after this long is stopped and reported incomplete; the run goes on. */
  batchCapMs: Record<number, number>;
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
   * Worker options set on top of `createCodikaWorker`'s defaults, the same for every runner, from
   * `BENCH_WORKER_OPTIONS` (JSON), to try a setting: `{"maxCachedWorkflows": 2000}`.
   */
  workerOptions: Record<string, number | boolean>;
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

/** Every runner, the library first: the order a count's batches alternate from. */
export const SCALE_RUNNERS: ScaleRunner[] = ['library', 'bare'];
/** Runners `--runners` accepts: the default pair, and the library under a per-key limit. */
export const ALL_SCALE_RUNNERS: ScaleRunner[] = ['library', 'bare', 'limited'];
/** The per-key rate the `limited` runner sets: calls per second of the batch's one process instance. */
export const SCALE_PER_KEY_PER_SECOND = 50;

/** What `--scale` takes besides the counts. */
export interface ScaleChoices {
  counts?: number[];
  runners?: ScaleRunner[];
  server?: ScaleServerKind;
  /** Overrides every batch's cap. */
  capMs?: number;
}

/**
 * `--scale[=1000,5000]`: the scale scenario alone. A batch's cap allows the start, the longest
 * duration and a drain at 10 completions a second (saturated, this machine managed 15); the run's
 * budget is the caps plus five minutes per batch for starting and stopping its server.
 */
export function scalePlan({
  counts = SCALE_COUNTS.slice(0, 1),
  runners = SCALE_RUNNERS,
  server = 'dev',
  capMs,
}: ScaleChoices = {}): BenchPlan {
  const batchCapMs = Object.fromEntries(counts.map((count) => [count, capMs ?? 5 * 60_000 + (count / 10) * 1_000]));
  const batches = counts.flatMap((count) => runners.map(() => batchCapMs[count] + SERVER_START_STOP_MS));
  return {
    mode: 'scale',
    strategies: ['auto'],
    overhead: { durationsMs: [], perDuration: 0, pollIntervalMs: 0 },
    detection: { durationsMs: [], perDuration: 0 },
    cost: { durationsMs: [], scale: 1, perDuration: 0, poll: {} },
    budgetMs: batches.reduce((sum, ms) => sum + ms, 0),
    scale: {
      counts,
      runners,
      server,
      workers: server === 'cluster' ? 2 : 1,
      batchCapMs,
      minDurationMs: 5_000,
      maxDurationMs: 60_000,
      seed: 20_240_601,
      startConcurrency: 50,
      workerHeapMb: 640,
      workerOptions: workerOptionsFromEnv(),
      stallAfterMs: 120_000,
    },
  };
}

/**
 * `BENCH_WORKER_OPTIONS`: numeric or boolean worker options as JSON, or none.
 *
 * @throws Error when it is not a JSON object of numbers and booleans.
 */
function workerOptionsFromEnv(): Record<string, number | boolean> {
  const text = process.env.BENCH_WORKER_OPTIONS?.trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'number' || typeof v === 'boolean');
  if (!ok) {
    throw new Error(
      `BENCH_WORKER_OPTIONS must be a JSON object of numbers and booleans, such as {"maxCachedWorkflows": 2000}; got ${text}`,
    );
  }
  return parsed as Record<string, number | boolean>;
}

/** Starting a fresh server (the cluster: PostgreSQL, schema, four services) and stopping it again. */
const SERVER_START_STOP_MS = 5 * 60_000;

/** Executions at once per duration and runner in `--overhead` mode: the full run's contention. */
const OVERHEAD_ROUND = 10;

/**
 * `--overhead[=N]`: the overhead scenario alone, with N executions per duration and runner (default
 * 30) in rounds of 10 at once, for per-poll figures that hold from one run to the next.
 */
export function overheadPlan(executions = 30): BenchPlan {
  const rounds = Math.max(1, Math.ceil(executions / OVERHEAD_ROUND));
  const durationsMs = [500, 3_000, 10_000];
  // Per round and duration: three batches of one duration plus the 30 s a stuck run is given at most.
  const roundMs = durationsMs.reduce((sum, d) => sum + 3 * (d + 5_000), 0);
  return {
    mode: 'overhead',
    strategies: ['timer'],
    overhead: { durationsMs, perDuration: Math.min(OVERHEAD_ROUND, executions), pollIntervalMs: 1_500, rounds },
    detection: { durationsMs: [], perDuration: 0 },
    cost: { durationsMs: [], scale: 1, perDuration: 0, poll: {} },
    budgetMs: 5 * 60_000 + rounds * roundMs * 2,
  };
}

/**
 * The pseudo-strategy that runs an execution as one standalone activity (`startCodikaActivity`) instead
 * of a workflow: measured beside the strategies in the detection and cost scenarios.
 */
export const STANDALONE_RUNNER = 'standalone';

/** Strategies measured when `--strategies` is not given: every one the library lists, then the standalone activity. */
export const DEFAULT_STRATEGIES: string[] = [...POLL_STRATEGIES, STANDALONE_RUNNER];

/** The library's default poll schedule divided by 10, so a scaled run makes as many checks as a real one. */
const TENFOLD_FASTER_POLL: CodikaPollOptions = { firstPollAfter: 150, maxPollInterval: 3_000 };

/** `--quick`: under 3 minutes on two cores. Otherwise the full run, about 20 minutes. */
export function benchPlan(quick: boolean, strategies: string[] = DEFAULT_STRATEGIES): BenchPlan {
  const overhead = { durationsMs: [500, 3_000, 10_000], pollIntervalMs: 1_500 };
  if (quick) {
    const scale = 10;
    return {
      mode: 'quick',
      strategies,
      overhead: { ...overhead, perDuration: 3 },
      detection: { durationsMs: [2_000, 5_000, 10_000], perDuration: 3 },
      cost: {
        durationsMs: [1_000, 6_000],
        scale,
        perDuration: 1,
        poll: TENFOLD_FASTER_POLL,
        standaloneHeartbeatTimeoutMs: DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS / scale,
      },
      budgetMs: 170_000,
    };
  }
  return {
    mode: 'full',
    strategies,
    overhead: { ...overhead, perDuration: 10 },
    detection: { durationsMs: [2_000, 10_000, 30_000, 60_000], perDuration: 10 },
    cost: {
      durationsMs: [10_000, 60_000, 600_000],
      scale: 1,
      perDuration: 2,
      poll: {},
      standaloneHeartbeatTimeoutMs: DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    },
    budgetMs: 30 * 60_000,
  };
}
