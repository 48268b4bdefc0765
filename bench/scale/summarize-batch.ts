import { round, summarize } from '../shared/stats';
import { TICKS_PER_SECOND } from './cpu-time';
import type { HistoryTimings } from './history-timings';
import type { Sampler } from './sampling';
import type { ScaleExecution } from './scale-execution';
import type { CpuUse, ScaleRun, ScaleRunner, ScaleServerKind } from './scale-result';

/** What one batch left behind, for {@link summarizeBatch}. */
export interface BatchRecord {
  count: number;
  runner: ScaleRunner;
  server: ScaleServerKind;
  workers: number;
  activitySlots: number;
  executions: ScaleExecution[];
  sampler: Sampler;
  firstStartMs: number;
  /** From the first start to the last. */
  startWallMs: number;
  /** The last execution's end (the first start when none ended). */
  lastEndMs: number;
  terminated: number;
  /** The highest peak RSS and heap of any worker, in bytes; null when none reported. */
  peak: { rss: number; heap: number } | null;
  timings: HistoryTimings;
}

/** The batch's figures: throughput, polls, detection, memory, CPU while in flight, and what went wrong. */
export function summarizeBatch({
  count,
  runner,
  server,
  workers,
  activitySlots,
  executions,
  sampler,
  firstStartMs,
  startWallMs,
  lastEndMs,
  terminated,
  peak,
  timings,
}: BatchRecord): ScaleRun {
  const ok = executions.filter((e) => e.outcome === 'ok');
  const started = executions.filter((e) => e.handle).length;
  const perExecution = (totalMs: number | undefined) =>
    totalMs === undefined || started === 0 ? null : round(totalMs / started, 2);
  const ends = ok.map((e) => e.endedAtMs!).sort((a, b) => a - b);
  const wallMs = lastEndMs - firstStartMs;
  const inFlight = sampler.seconds.filter((s) => s.t * 1000 <= wallMs + 1000);
  const pollCounts = inFlight.map((s) => s.statusPolls);
  const totalPolls = sampler.seconds.reduce((sum, s) => sum + s.statusPolls, 0);
  const polls = ok.flatMap((e) => (e.polls === undefined ? [] : [e.polls]));
  return {
    count,
    runner,
    server,
    workers,
    complete: !executions.some((e) => e.outcome === 'aborted' || e.outcome === undefined),
    activitySlots,
    wallMs,
    start: {
      wallMs: startWallMs,
      perSecond: startWallMs > 0 ? round((started / startWallMs) * 1000) : 0,
      failed: executions.filter((e) => e.outcome === 'start-failed').length,
    },
    completed: ok.length,
    completionsPerSecond: {
      overall: wallMs > 0 && ends.length > 0 ? round((ok.length / wallMs) * 1000) : null,
      peak5s: round(peakInWindow(ends, 5_000) / 5),
    },
    statusPolls: {
      total: totalPolls,
      perSecondMean: wallMs > 0 ? round((totalPolls / wallMs) * 1000) : null,
      perSecondPeak: Math.max(0, ...pollCounts),
      perExecutionMedian: summarize(polls).median,
    },
    detection: summarize(ok.flatMap((e) => (e.detectionMs === undefined ? [] : [e.detectionMs]))),
    triggerLag: summarize(ok.flatMap((e) => (e.triggerLagMs === undefined ? [] : [e.triggerLagMs]))),
    workerPeakRssMb: peak === null ? null : Math.round(peak.rss / 2 ** 20),
    workerPeakHeapMb: peak === null ? null : Math.round(peak.heap / 2 ** 20),
    failed: executions.filter((e) => e.outcome === 'failed' || e.outcome === 'start-failed').length,
    outcomeUnknown: executions.filter((e) => e.outcome === 'outcome-unknown').length,
    stuck: executions.filter((e) => e.outcome === 'stuck').length,
    notStarted: executions.filter((e) => e.outcome === undefined || (e.outcome === 'aborted' && !e.handle)).length,
    stopped: executions.filter((e) => e.outcome === 'aborted' && e.handle).length,
    terminated,
    errors: [
      ...new Set([...sampler.errors, ...executions.flatMap((e) => (e.error === undefined ? [] : [e.error]))]),
    ].slice(0, 5),
    cpu: {
      worker: cpuUse(inFlight.map((s) => s.cpu.worker)),
      server: cpuUse(inFlight.map((s) => s.cpu.server)),
      harness: cpuUse(inFlight.map((s) => s.cpu.harness)),
      machine: cpuUse(inFlight.map((s) => s.cpu.machine)),
    },
    cpuMsPerExecution: {
      worker: perExecution(sampler.totals.workerUs === undefined ? undefined : sampler.totals.workerUs / 1000),
      server: perExecution(
        sampler.totals.serverTicks === undefined ? undefined : (sampler.totals.serverTicks / TICKS_PER_SECOND) * 1000,
      ),
    },
    historyTimings: timings,
    timeline: sampler.seconds,
  };
}

function cpuUse(values: (number | null)[]): CpuUse {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return { mean: null, peak: null };
  return { mean: round(known.reduce((s, v) => s + v, 0) / known.length, 0), peak: round(Math.max(...known), 0) };
}

/** Most events within any window of `windowMs`, of a sorted list of times. */
function peakInWindow(sortedMs: number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < sortedMs.length; to += 1) {
    while (sortedMs[to] - sortedMs[from] >= windowMs) from += 1;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}
