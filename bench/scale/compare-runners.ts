import { ratio, spreadOf } from '../shared/stats';
import type { ScaleComparison, ScaleFigures, ScaleRun } from './scale-result';

/** A batch's headline figures, as the readers compare them. */
export function scaleFigures(run: ScaleRun): ScaleFigures {
  return {
    startToTriggerP50Ms: run.triggerLag.median,
    startToTriggerP95Ms: run.triggerLag.p95,
    completionsPerSecond: run.completionsPerSecond.overall,
    detectionP50Ms: run.detection.median,
    workerPeakRssMb: run.workerPeakRssMb,
    workerCpuMsPerExecution: run.cpuMsPerExecution.worker,
    serverCpuMsPerExecution: run.cpuMsPerExecution.server,
    lost: run.failed + run.stuck,
    triggerOutcomeUnknown: run.outcomeUnknown,
    complete: run.complete,
    unfinished: run.stopped + run.notStarted,
  };
}

/** Pairs each count's library and bare batches on the same kind of server. */
export function compareRunners(
  batches: ScaleRun[],
  measuredAt: string,
  workerOptions: Record<string, number | boolean> = {},
): ScaleComparison[] {
  const comparisons: ScaleComparison[] = [];
  for (const batch of batches) {
    let entry = comparisons.find((c) => c.executions === batch.count && c.server === batch.server);
    if (!entry) {
      entry = { executions: batch.count, server: batch.server, measuredAt, library: null, bare: null };
      if (Object.keys(workerOptions).length > 0) entry.workerOptions = workerOptions;
      comparisons.push(entry);
    }
    entry[batch.runner] = scaleFigures(batch);
  }
  for (const entry of comparisons) addRounds(entry, batches);
  return comparisons;
}

/**
 * A count measured several times: the k-th library batch beside the k-th bare batch, as rounds, so
 * the worker CPU ratio comes with how far it moves from one round to the next.
 */
function addRounds(entry: ScaleComparison, batches: ScaleRun[]): void {
  const of = (runner: ScaleRun['runner']) =>
    batches.filter((b) => b.count === entry.executions && b.server === entry.server && b.runner === runner);
  const [library, bare] = [of('library'), of('bare')];
  const rounds = Math.min(library.length, bare.length);
  if (rounds < 2) return;
  entry.workerCpuRatioByRound = Array.from({ length: rounds }, (_, k) =>
    ratio(library[k]!.cpuMsPerExecution.worker, bare[k]!.cpuMsPerExecution.worker),
  );
  entry.workerCpuRatioSpread = spreadOf(entry.workerCpuRatioByRound);
}

/**
 * This run's comparisons, then the previous file's for the counts and servers this run did not
 * measure (each keeps its `measuredAt`), so a cluster run and a dev-server run share one file.
 */
export function mergeComparisons(current: ScaleComparison[], previous: ScaleComparison[]): ScaleComparison[] {
  const measured = (c: ScaleComparison) => current.some((n) => n.executions === c.executions && n.server === c.server);
  const kept = previous.filter((c) => !measured(c));
  return [...current, ...kept].sort((a, b) => a.server.localeCompare(b.server) || a.executions - b.executions);
}
