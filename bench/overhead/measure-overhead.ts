import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_INSTANCE, type BenchEnv } from '../shared/bench-env';
import { fetchHistoryChain, historyCost } from '../shared/history-cost';
import { runBareTemporalLoop, runLibraryExecution, type LibraryRun } from '../shared/library-run';
import type { BenchPlan } from '../shared/plan';
import { linearFit, median, ratio, spreadOf, summarize, type Summary } from '../shared/stats';
import { runBaselineExecution } from './baseline-fetch-loop';
import { addPollPhases, emptyPollPhases, pollCycles, timerLateness, type PollPhases } from './poll-phases';

/** One execution of the overhead scenario: time from start to result in the caller's hands. */
export interface OverheadSample {
  /** The seed's loop in a plain process, the bare Temporal loop (bench/shared/bare-workflows.ts), the library. */
  runner: 'baseline' | 'bare' | 'library';
  durationMs: number;
  timeMs: number;
  polls?: number;
  /** From the instant the mock marked the execution finished to the result in hand. */
  detectionMs?: number;
  /** History events of the library run. */
  events?: number;
  /** Each timer poll's cost from its timer firing to the next poll's timer, from the history (bare and library runs). */
  pollCyclesMs?: number[];
  /** How late the server fired each of the run's timers (bare and library runs). */
  timerLatenessMs?: number[];
  /** The round it ran in, from 0: the runners alternate which goes first from round to round. */
  round?: number;
  error?: string;
}

/** Baseline against library for one execution duration. */
export interface OverheadRow {
  durationMs: number;
  baseline: Summary;
  library: Summary;
  bare: Summary;
  baselinePolls: number | null;
  libraryPolls: number | null;
  /** (median library time − median baseline time) / median library polls. */
  perPollOverheadMs: number | null;
  /** The same for the bare Temporal loop: what any timer-and-activity poll costs on this server. */
  perPollFloorMs: number | null;
  /**
   * Each timer poll's cost beyond its wait, from the server's event times: one value per poll of
   * every run, so a row has many more samples than runs. `ratio`: library median ÷ bare median.
   */
  pollCycle?: CycleComparison;
  failures: number;
}

/** What the overhead scenario measured. */
export interface OverheadResult {
  rows: OverheadRow[];
  samples: OverheadSample[];
  /**
   * The library's extra time split by least squares over the durations: a fixed part per
   * execution and a marginal part per poll.
   */
  fit: { fixedMs: number; perPollMs: number } | null;
  /** Start to result of the first library executions after the worker started (not measured above). */
  coldStartMs: number[];
  /** Where each of the library's polls spent its time, from the histories. */
  phases: PollPhases;
  /** Every poll cycle of every duration pooled, library and bare loop: the per-poll comparison with the most samples. */
  pollCycle: CycleComparison;
}

/** Poll cycles of the library and the bare loop, and the ratio of their medians. */
export interface CycleComparison {
  library: Summary;
  bare: Summary;
  ratio: number | null;
  /** The ratio of each round's medians (over every duration), in round order. */
  ratioByRound?: (number | null)[];
  /** The largest round ratio less the smallest: how far the figure moves between rounds. */
  spread?: number | null;
  /** How late the server fired the timers of each runner: the server's, so not in the cycles. */
  timerLateness?: { library: Summary; bare: Summary };
}

/** Slack on top of an execution's duration before a run counts as stuck. */
const STUCK_AFTER_MS = 30_000;

/**
 * For each duration, in each round: the baseline's executions all at once, then the bare loop's and
 * the library's side by side (or the other way round: the order flips from round to round), all
 * polling every 1.5 s against the same mock script. Side by side, the machine's drift lands on both
 * Temporal loops alike; the ratio is reported per round with its spread.
 * Rounds add samples without adding contention. One unmeasured batch first warms the worker up: its
 * first workflows take a few hundred milliseconds longer.
 */
export async function measureOverhead(env: BenchEnv, plan: BenchPlan): Promise<OverheadResult> {
  const { durationsMs, perDuration, pollIntervalMs, rounds = 1 } = plan.overhead;
  const poll = {
    strategy: 'timer' as const,
    firstPollAfter: pollIntervalMs,
    backoffCoefficient: 1,
    maxPollInterval: pollIntervalMs,
  };
  const coldStartMs = await warmUp(env, perDuration);
  const samples: OverheadSample[] = [];
  const phases = emptyPollPhases();
  const rows: OverheadRow[] = [];
  for (const durationMs of durationsMs) {
    const codikaWorkflowId = `bench-overhead-${durationMs}ms`;
    env.mock.script(codikaWorkflowId, { durationMs, resultData: { done: true } });
    const finishedAt = (executionId: string | undefined) =>
      executionId ? env.mock.executions.get(executionId)?.finishesAt : undefined;

    // Each Temporal loop starts at a random moment of its first interval, both runners drawn alike.
    // Started all at once, every loop's timer fires in one burst per interval and the workflow tasks
    // queue behind each other, so whichever runner started first is served first in every burst: with
    // the order flipped each round and no such start, the library's cycle came out at 2.51, 1.09 and
    // 2.83 times the bare loop's (2026-12-06 22:56, `--overhead=30`; library first in the second round).
    const startPhaseMs = () => Math.floor(Math.random() * pollIntervalMs);
    const baseline: OverheadSample[] = [];
    const bare: OverheadSample[] = [];
    const library: OverheadSample[] = [];
    const runBaseline = () =>
      Promise.all(
        Array.from({ length: perDuration }, async (): Promise<OverheadSample> => {
          const startedAt = Date.now();
          try {
            const result = await runBaselineExecution(
              env.target,
              { processInstanceId: BENCH_INSTANCE, workflowId: codikaWorkflowId },
              { pollIntervalMs, maxWaitMs: durationMs + STUCK_AFTER_MS },
            );
            const endedAt = Date.now();
            const detectionMs = endedAt - (finishedAt(result.executionId) ?? endedAt);
            return { runner: 'baseline', durationMs, timeMs: endedAt - startedAt, polls: result.polls, detectionMs };
          } catch (err) {
            return { runner: 'baseline', durationMs, timeMs: Date.now() - startedAt, error: String(err) };
          }
        }),
      );
    const runBare = () =>
      Promise.all(
        Array.from({ length: perDuration }, async (): Promise<OverheadSample> => {
          await sleep(startPhaseMs());
          const run = await runBareTemporalLoop(env, codikaWorkflowId, pollIntervalMs, durationMs + STUCK_AFTER_MS);
          const sample = sampleOf('bare', durationMs, run, finishedAt);
          if (sample.error !== undefined) return sample;
          const chain = await fetchHistoryChain(env.client, run.workflowId!, run.firstRunId!);
          return { ...sample, pollCyclesMs: pollCycles(chain), timerLatenessMs: timerLateness(chain) };
        }),
      );
    const runLibrary = () =>
      Promise.all(
        Array.from({ length: perDuration }, async (): Promise<OverheadSample> => {
          await sleep(startPhaseMs());
          const run = await runLibraryExecution(env, codikaWorkflowId, poll, durationMs + STUCK_AFTER_MS);
          const sample: OverheadSample = { runner: 'library', durationMs, timeMs: run.endedAtMs - run.startedAtMs };
          if (run.error !== undefined) return { ...sample, error: run.error };
          const chain = await fetchHistoryChain(env.client, run.workflowId!, run.firstRunId!);
          addPollPhases(chain, phases);
          const detectionMs = run.endedAtMs - (finishedAt(run.executionId) ?? run.endedAtMs);
          return {
            ...sample,
            polls: run.polls,
            detectionMs,
            events: historyCost(chain).events,
            pollCyclesMs: pollCycles(chain),
            timerLatenessMs: timerLateness(chain),
          };
        }),
      );
    // The two Temporal loops run side by side, on one worker and one server at one moment, so what
    // the machine does meanwhile lands on both; the baseline, a plain process, goes before or after.
    const temporalLoops = async (round: number) => {
      const [bareRuns, libraryRuns] =
        round % 2 === 0
          ? await Promise.all([runBare(), runLibrary()])
          : await Promise.all([runLibrary(), runBare()]).then(([l, b]) => [b, l]);
      bare.push(...bareRuns.map((sample) => ({ ...sample, round })));
      library.push(...libraryRuns.map((sample) => ({ ...sample, round })));
    };
    const baselineLoop = async (round: number) =>
      baseline.push(...(await runBaseline()).map((sample) => ({ ...sample, round })));
    for (let round = 0; round < rounds; round++) {
      for (const run of round % 2 === 0 ? [baselineLoop, temporalLoops] : [temporalLoops, baselineLoop]) {
        await run(round);
      }
    }
    samples.push(...baseline, ...bare, ...library);
    rows.push(overheadRow(durationMs, baseline, bare, library));
  }
  const fit = linearFit(
    rows.flatMap((r) =>
      r.library.median === null || r.baseline.median === null || r.libraryPolls === null
        ? []
        : [{ x: r.libraryPolls, y: r.library.median - r.baseline.median }],
    ),
  );
  return {
    rows,
    samples,
    pollCycle: compareCycles(samples),
    fit: fit && { fixedMs: fit.intercept, perPollMs: fit.slope },
    coldStartMs,
    phases,
  };
}

/** Runs `count` quick executions at once through a fresh worker, so its start-up costs stay out of the measurements. */
async function warmUp(env: BenchEnv, count: number): Promise<number[]> {
  const codikaWorkflowId = 'bench-warm-up';
  env.mock.script(codikaWorkflowId, { durationMs: 0, resultData: {} });
  const poll = { firstPollAfter: 100, maxPollInterval: 100 };
  const runs = await Promise.all(
    Array.from({ length: count }, () => runLibraryExecution(env, codikaWorkflowId, poll, STUCK_AFTER_MS)),
  );
  return runs.map((r) => r.endedAtMs - r.startedAtMs);
}

function sampleOf(
  runner: OverheadSample['runner'],
  durationMs: number,
  run: LibraryRun,
  finishedAt: (executionId: string | undefined) => number | undefined,
): OverheadSample {
  const sample: OverheadSample = { runner, durationMs, timeMs: run.endedAtMs - run.startedAtMs };
  if (run.error !== undefined) return { ...sample, error: run.error };
  return { ...sample, polls: run.polls, detectionMs: run.endedAtMs - (finishedAt(run.executionId) ?? run.endedAtMs) };
}

function overheadRow(
  durationMs: number,
  baseline: OverheadSample[],
  bare: OverheadSample[],
  library: OverheadSample[],
): OverheadRow {
  const ok = (samples: OverheadSample[]) => samples.filter((s) => s.error === undefined);
  const time = (samples: OverheadSample[]) => summarize(ok(samples).map((s) => s.timeMs));
  const polls = (samples: OverheadSample[]) => median(ok(samples).map((s) => s.polls ?? 0));
  const base = time(baseline);
  const perPoll = (samples: OverheadSample[]) => {
    const { median: m } = time(samples);
    const n = polls(samples);
    return m !== null && base.median !== null && n ? (m - base.median) / n : null;
  };
  const all = [baseline, bare, library];
  const failures = all.reduce((sum, samples) => sum + samples.length - ok(samples).length, 0);

  return {
    durationMs,
    baseline: base,
    library: time(library),
    bare: time(bare),
    baselinePolls: polls(baseline),
    libraryPolls: polls(library),
    perPollOverheadMs: perPoll(library),
    perPollFloorMs: perPoll(bare),
    pollCycle: compareCycles([...bare, ...library]),
    failures,
  };
}

/** The library's and the bare loop's poll cycles among `samples`, and library median ÷ bare median. */
function compareCycles(samples: OverheadSample[]): CycleComparison {
  // Every value of one field over a runner's runs that ended well, pooled.
  const pooled = (
    from: OverheadSample[],
    runner: OverheadSample['runner'],
    field: 'pollCyclesMs' | 'timerLatenessMs',
  ) => summarize(from.filter((s) => s.runner === runner && s.error === undefined).flatMap((s) => s[field] ?? []));
  const library = pooled(samples, 'library', 'pollCyclesMs');
  const bare = pooled(samples, 'bare', 'pollCyclesMs');
  const rounds = [...new Set(samples.map((s) => s.round ?? 0))].sort((a, b) => a - b);
  const ratioByRound = rounds.map((round) => {
    const inRound = samples.filter((s) => (s.round ?? 0) === round);
    return ratio(pooled(inRound, 'library', 'pollCyclesMs').median, pooled(inRound, 'bare', 'pollCyclesMs').median);
  });
  return {
    library,
    bare,
    ratio: ratio(library.median, bare.median),
    ratioByRound,
    spread: spreadOf(ratioByRound),
    timerLateness: {
      library: pooled(samples, 'library', 'timerLatenessMs'),
      bare: pooled(samples, 'bare', 'timerLatenessMs'),
    },
  };
}
