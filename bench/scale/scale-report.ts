import { DEFAULT_STATUS_CHECKS_PER_SECOND } from '../../src/activities/check-pacer';
import { DEFAULT_ACTIVITY_SLOTS } from '../../src/worker-setup/create-codika-worker';
import { ms, row } from '../shared/format';
import type { ScalePlan } from '../shared/plan';
import type { CpuUse, ScaleResult } from './scale-result';

/** The scale scenario as markdown: one row per batch, CPU per process, then how to read them. */
export function scaleSection(scale: ScaleResult, plan: ScalePlan): string[] {
  const pct = (use: CpuUse) => (use.mean === null ? '—' : `${use.mean}% / ${use.peak}%`);
  const lines = [
    `### Scale: executions in flight at once on one worker (\`auto\`, mock durations uniform over ` +
      `${plan.minDurationMs / 1000}–${plan.maxDurationMs / 1000} s, ${plan.startConcurrency} starts in flight)`,
    '',
    '| executions | starts/s | start → trigger (p50 / p95) | completions/s (overall / peak 5 s) | status polls/s (mean / peak) | polls per execution (p50) | detection p50 | detection p95 | worker peak RSS | lost or stuck | CodikaTriggerOutcomeUnknown | wall |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...scale.runs.map((r) =>
      row([
        String(r.count) + (r.complete ? '' : ' (incomplete)'),
        String(r.start.perSecond),
        `${ms(r.triggerLag.median)} / ${ms(r.triggerLag.p95)}`,
        `${r.completionsPerSecond.overall ?? '—'} / ${r.completionsPerSecond.peak5s}`,
        `${r.statusPolls.perSecondMean ?? '—'} / ${r.statusPolls.perSecondPeak}`,
        String(r.statusPolls.perExecutionMedian ?? '—'),
        ms(r.detection.median),
        ms(r.detection.p95),
        r.workerPeakRssMb === null ? '—' : `${r.workerPeakRssMb} MB (heap ${r.workerPeakHeapMb} MB)`,
        `${r.failed + r.stuck}${r.stopped ? ` (+${r.stopped} stopped)` : ''}${r.notStarted ? ` (+${r.notStarted} not started)` : ''}`,
        String(r.outcomeUnknown),
        `${(r.wallMs / 1000).toFixed(1)} s`,
      ]),
    ),
    '',
    `CPU while in flight, mean / peak of one-second samples, in % of one core (${scale.machineCpus} cores):`,
    '',
    '| executions | worker | Temporal server | harness + mock | whole machine |',
    '| --: | --: | --: | --: | --: |',
    ...scale.runs.map((r) =>
      row([String(r.count), pct(r.cpu.worker), pct(r.cpu.server), pct(r.cpu.harness), pct(r.cpu.machine)]),
    ),
    '',
    `One worker in a child process (workflow bundle prebuilt by the harness, so webpack is not in its RSS) with ` +
      `the options \`createCodikaWorker\` defaults to (${DEFAULT_ACTIVITY_SLOTS} activity slots, at most ` +
      `${DEFAULT_STATUS_CHECKS_PER_SECOND} status checks/s) and a ${plan.workerHeapMb} MB V8 heap ` +
      `(\`--max-old-space-size\`; the SDK sizes its workflow cache from it). Completions per second are bounded by the spread of durations ` +
      `(about executions / ${(plan.maxDurationMs - plan.minDurationMs) / 1000} s when nothing lags). Detection is measured from the ` +
      `mock's finish time, which counts from the trigger, to the server's close time of the run; start → trigger is ` +
      `the lag before that. Lost or stuck: failed, or still open when no execution had closed for ` +
      `${plan.stallAfterMs / 1000} s or the run's budget ended (terminated at the end).`,
  ];
  const errors = [...new Set(scale.runs.flatMap((r) => r.errors))];
  if (errors.length > 0) lines.push('', `Errors seen: ${errors.join('; ')}`);
  return lines;
}
