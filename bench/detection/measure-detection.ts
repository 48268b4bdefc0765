import type { BenchEnv } from '../shared/bench-env';
import { pollWithStrategy, runLibraryExecution, type LibraryRun } from '../shared/library-run';
import { STANDALONE_RUNNER, type BenchPlan } from '../shared/plan';
import { runStandaloneExecution } from '../shared/standalone-run';
import { median, summarize, type Summary } from '../shared/stats';

/** One execution of the detection scenario. */
export interface DetectionSample {
  strategy: string;
  durationMs: number;
  /** From the instant the mock marked the execution finished to the result in the caller's hands. */
  detectionMs?: number;
  polls?: number;
  error?: string;
}

/** Detection latency of one strategy, with the library's default poll schedule. */
export interface DetectionRow {
  /** A poll strategy, or `standalone`: the execution run as one standalone activity (default options). */
  strategy: string;
  available: boolean;
  /** Over every duration. */
  overall: Summary;
  /** Median per execution duration, in the plan's order. */
  medianByDurationMs: Record<number, number | null>;
  failures: number;
  errors: string[];
}

/** What the detection scenario measured. */
export interface DetectionResult {
  rows: DetectionRow[];
  samples: DetectionSample[];
}

const STUCK_AFTER_MS = 60_000;
/**
 * Each execution lasts its nominal duration plus up to this much, drawn at random: the checks of
 * `auto` and `timer` come on a fixed schedule from the trigger, so whole-second durations would always
 * finish at the same phase of it and detection would be fixed by the durations rather than sampled.
 * One second covers a whole period of the first checks.
 */
export const DETECTION_JITTER_MS = 1_000;

/**
 * Per strategy, one batch of executions of every duration at once, polled with the library's
 * defaults; strategies run one after another so they do not compete for the worker. `standalone`
 * runs its batch as standalone activities, with `startCodikaActivity`'s defaults.
 */
export async function measureDetection(env: BenchEnv, plan: BenchPlan): Promise<DetectionResult> {
  const { durationsMs, perDuration } = plan.detection;
  for (const durationMs of durationsMs) {
    const jittered = () => durationMs + Math.floor(Math.random() * DETECTION_JITTER_MS);
    env.mock.script(scriptName(durationMs), { durationMs: jittered, resultData: {} });
  }
  const rows: DetectionRow[] = [];
  const samples: DetectionSample[] = [];
  for (const strategy of plan.strategies) {
    const batch = durationsMs.flatMap((durationMs) => Array.from({ length: perDuration }, () => durationMs));
    const measured = await Promise.all(
      batch.map(async (durationMs): Promise<DetectionSample & { rejected: boolean }> => {
        const timeoutMs = 2 * (durationMs + DETECTION_JITTER_MS) + STUCK_AFTER_MS;
        const run: LibraryRun =
          strategy === STANDALONE_RUNNER
            ? await runStandaloneExecution(env, scriptName(durationMs), { poll: {} }, timeoutMs)
            : await runLibraryExecution(env, scriptName(durationMs), pollWithStrategy({}, strategy), timeoutMs);
        const finishesAt = run.executionId ? env.mock.executions.get(run.executionId)?.finishesAt : undefined;
        return {
          strategy,
          durationMs,
          detectionMs: finishesAt === undefined ? undefined : run.endedAtMs - finishesAt,
          polls: run.polls,
          error: run.error,
          rejected: run.strategyRejected,
        };
      }),
    );
    const available = !measured.some((s) => s.rejected);
    samples.push(...measured.map(({ rejected: _rejected, ...sample }) => sample));
    rows.push(detectionRow(strategy, available, measured, durationsMs));
  }
  return { rows, samples };
}

function detectionRow(
  strategy: string,
  available: boolean,
  samples: DetectionSample[],
  durationsMs: number[],
): DetectionRow {
  const ok = samples.filter((s) => s.error === undefined && s.detectionMs !== undefined);
  const latencies = (list: DetectionSample[]) => list.map((s) => s.detectionMs!);
  return {
    strategy,
    available,
    overall: summarize(latencies(ok)),
    medianByDurationMs: Object.fromEntries(
      durationsMs.map((d) => [d, median(latencies(ok.filter((s) => s.durationMs === d)))]),
    ),
    failures: available ? samples.length - ok.length : 0,
    errors: [...new Set(samples.flatMap((s) => (s.error === undefined ? [] : [s.error])))],
  };
}

function scriptName(durationMs: number): string {
  return `bench-detection-${durationMs}ms`;
}
