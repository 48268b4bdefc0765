import { DEFAULT_STATUS_CHECKS_PER_SECOND } from '../../src/activities/check-pacer';
import { DEFAULT_ACTIVITY_SLOTS } from '../../src/worker-setup/create-codika-worker';
import { ms, row } from '../shared/format';
import type { ScalePlan } from '../shared/plan';
import { ratio } from '../shared/stats';
import { compareRunners } from './compare-runners';
import type { CpuUse, ScaleFigures, ScaleResult } from './scale-result';

/** The scale scenario as markdown: library beside bare, then one row per batch, CPU per process, then how to read them. */
export function scaleSection(scale: ScaleResult, plan: ScalePlan): string[] {
  const pct = (use: CpuUse) => (use.mean === null ? '—' : `${use.mean}% / ${use.peak}%`);
  const side = (library: number | null | undefined, bare: number | null | undefined, show: (v: number) => string) =>
    `${library == null ? '—' : show(library)} / ${bare == null ? '—' : show(bare)} (${ratio(library, bare) ?? '—'}×)`;
  const pick = (f: ScaleFigures | null, key: keyof ScaleFigures) => (f ? (f[key] as number | null) : null);
  const comparisons = compareRunners(scale.batches, '');
  const lines = [
    `### Scale: executions in flight at once, ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, ${plan.server === 'dev' ? 'dev server' : 'PostgreSQL cluster'} ` +
      `(\`auto\`, mock durations uniform over ${plan.minDurationMs / 1000}–${plan.maxDurationMs / 1000} s, ` +
      `${plan.startConcurrency} starts in flight)`,
    '',
    'Library / bare floor (library ÷ bare), each on a fresh server:',
    '',
    '| executions | server | worker CPU per execution | server CPU per execution | start → trigger p50 | start → trigger p95 | completions/s | detection p50 | worker peak RSS | lost | trigger outcome unknown |',
    '| --: | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...comparisons.map((c) =>
      row([
        String(c.executions) + ([c.library, c.bare].some((f) => f && !f.complete) ? ' (capped)' : ''),
        c.server,
        side(pick(c.library, 'workerCpuMsPerExecution'), pick(c.bare, 'workerCpuMsPerExecution'), (v) => `${v} ms`),
        side(pick(c.library, 'serverCpuMsPerExecution'), pick(c.bare, 'serverCpuMsPerExecution'), (v) => `${v} ms`),
        side(pick(c.library, 'startToTriggerP50Ms'), pick(c.bare, 'startToTriggerP50Ms'), ms),
        side(pick(c.library, 'startToTriggerP95Ms'), pick(c.bare, 'startToTriggerP95Ms'), ms),
        side(pick(c.library, 'completionsPerSecond'), pick(c.bare, 'completionsPerSecond'), String),
        side(pick(c.library, 'detectionP50Ms'), pick(c.bare, 'detectionP50Ms'), ms),
        side(pick(c.library, 'workerPeakRssMb'), pick(c.bare, 'workerPeakRssMb'), (v) => `${v} MB`),
        `${c.library?.lost ?? '—'} / ${c.bare?.lost ?? '—'}`,
        `${c.library?.triggerOutcomeUnknown ?? '—'} / ${c.bare?.triggerOutcomeUnknown ?? '—'}`,
      ]),
    ),
    '',
    ...comparisons.flatMap((c) =>
      c.workerCpuRatioByRound
        ? [
            `Worker CPU per execution at ${c.executions}, library ÷ bare by round: ${c.workerCpuRatioByRound.map((r) => r ?? '—').join(', ')} (spread ${c.workerCpuRatioSpread ?? '—'}; the row above is the last round).`,
            '',
          ]
        : [],
    ),
    'Every batch:',
    '',
    '| executions | runner | starts/s | start → trigger (p50 / p95) | completions/s (overall / peak 5 s) | status polls/s (mean / peak) | polls per execution (p50) | detection p50 | detection p95 | worker peak RSS | lost or stuck | CodikaTriggerOutcomeUnknown | wall |',
    '| --: | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...scale.batches.map((r) =>
      row([
        String(r.count) + (r.complete ? '' : ' (incomplete)'),
        r.runner,
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
    '| executions | runner | workers | Temporal server | harness + mock | whole machine |',
    '| --: | :-- | --: | --: | --: | --: |',
    ...scale.batches.map((r) =>
      row([String(r.count), r.runner, pct(r.cpu.worker), pct(r.cpu.server), pct(r.cpu.harness), pct(r.cpu.machine)]),
    ),
    '',
    "Calls of the batch's one process instance at the mock: the per-key limit the server held (runner " +
      '`limited`: `ensureCodikaRateLimits`), the most calls in any one second, and what the limit cost:',
    '',
    '| executions | runner | per-key limit | most calls in one second | completions/s | worker CPU (mean / peak) |',
    '| --: | :-- | --: | --: | --: | --: |',
    ...scale.batches.map((r) =>
      row([
        String(r.count),
        r.runner,
        r.perKey?.limitPerSecond == null ? 'none' : `${r.perKey.limitPerSecond}/s`,
        String(r.perKey?.mostCallsInOneSecond ?? '—'),
        String(r.completionsPerSecond.overall ?? '—'),
        pct(r.cpu.worker),
      ]),
    ),
    '',
    "Where start → trigger goes, from the server's event times of up to 200 runs per batch (p50 / p95): the first " +
      'workflow task waiting for a worker and running, the trigger activity waiting and running, the workflow task ' +
      'after it; and the share of later workflow tasks sent to the normal queue because the worker had evicted ' +
      'the run from its cache (each replays the whole history):',
    '',
    '| executions | runner | first task: wait / run | trigger: wait / run | task after trigger: wait / run | evicted tasks | events per run |',
    '| --: | :-- | --: | --: | --: | --: | --: |',
    ...scale.batches.map((r) => {
      const t = r.historyTimings;
      const pair = (a: { median: number | null; p95: number | null }) => `${ms(a.median)} (${ms(a.p95)})`;
      return row([
        String(r.count),
        r.runner,
        `${pair(t.firstTaskWait)} / ${pair(t.firstTaskRun)}`,
        `${pair(t.triggerWait)} / ${pair(t.triggerRun)}`,
        `${pair(t.secondTaskWait)} / ${pair(t.secondTaskRun)}`,
        t.nonStickyShare === null ? '—' : `${Math.round(t.nonStickyShare * 100)}%`,
        String(t.events ?? '—'),
      ]);
    }),
    '',
    `${plan.workers === 1 ? 'One worker in a child process' : `${plan.workers} workers in child processes`} ` +
      `(workflow bundle prebuilt by the harness, so webpack is not in their RSS) with the options \`createCodikaWorker\` defaults to (${DEFAULT_ACTIVITY_SLOTS} activity slots, at most ` +
      `${DEFAULT_STATUS_CHECKS_PER_SECOND} status checks/s) and a ${plan.workerHeapMb} MB V8 heap ` +
      `(\`--max-old-space-size\`; the SDK sizes its workflow cache from it)` +
      `${Object.keys(plan.workerOptions).length > 0 ? `, and on top, for both runners: \`${JSON.stringify(plan.workerOptions)}\`` : ''}. ` +
      `Completions per second are bounded by the spread of durations ` +
      `(about executions / ${(plan.maxDurationMs - plan.minDurationMs) / 1000} s when nothing lags). Detection is measured from the ` +
      `mock's finish time, which counts from the trigger, to the server's close time of the run; start → trigger is ` +
      `the lag before that. Lost or stuck: failed, or still open when no execution had closed for ` +
      `${plan.stallAfterMs / 1000} s (terminated at the end); a batch stopped at its cap counts the rest as stopped, not lost. ` +
      `The bare floor (\`bareAutoPoll\`) is \`auto\`'s schedule with nothing else: one trigger attempt, the check loop, the retry loop.`,
  ];
  const errors = [...new Set(scale.batches.flatMap((r) => r.errors))];
  if (errors.length > 0) lines.push('', `Errors seen: ${errors.join('; ')}`);
  return lines;
}
