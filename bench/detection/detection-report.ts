import type { OverheadResult, OverheadSample } from '../overhead/measure-overhead';
import { ms, row, seconds } from '../shared/format';
import { STANDALONE_RUNNER, type BenchPlan } from '../shared/plan';
import { summarize } from '../shared/stats';
import type { DetectionResult } from './measure-detection';

/**
 * The detection scenario as markdown: one row per strategy, then (when the overhead scenario ran)
 * the baseline's and the fixed-interval timer's detection latency from its runs, for comparison.
 */
export function detectionSection(
  detection: DetectionResult,
  overhead: OverheadResult | undefined,
  plan: BenchPlan,
): string[] {
  const { durationsMs, perDuration } = plan.detection;
  const fixed = (runner: OverheadSample['runner'], label: string) => {
    const samples = (overhead?.samples ?? []).filter((s) => s.runner === runner && s.detectionMs !== undefined);
    const stats = summarize(samples.map((s) => s.detectionMs!));
    return row([label, ms(stats.median), ms(stats.p95), ...durationsMs.map(() => '—'), '0', 'overhead runs']);
  };
  return [
    `### Detection latency: the mock marks the execution finished → result in hand ` +
      `(library default poll schedule, ${perDuration} per duration, all at once per strategy)`,
    '',
    `| strategy | p50 | p95 | ${durationsMs.map((d) => `${seconds(d)} (p50)`).join(' | ')} | failed | note |`,
    `| --- | --: | --: | ${durationsMs.map(() => '--:').join(' | ')} | --: | --- |`,
    ...detection.rows.map((r) =>
      r.available
        ? row([
            r.strategy,
            ms(r.overall.median),
            ms(r.overall.p95),
            ...durationsMs.map((d) => ms(r.medianByDurationMs[d] ?? null)),
            String(r.failures),
            r.errors[0] ?? '',
          ])
        : row([
            r.strategy,
            '—',
            '—',
            ...durationsMs.map(() => '—'),
            '—',
            `not available (${unavailableWhy(r.strategy)})`,
          ]),
    ),
    ...(overhead
      ? [
          fixed('baseline', `baseline, fixed ${seconds(plan.overhead.pollIntervalMs)}`),
          fixed('library', `timer, fixed ${seconds(plan.overhead.pollIntervalMs)}`),
        ]
      : []),
    ...(detection.rows.some((r) => r.strategy === STANDALONE_RUNNER)
      ? [
          '',
          '`standalone`: each execution as one standalone activity (`startCodikaActivity`, no workflow) with its ' +
            "default options: it checks in its own loop as `auto`'s first phase does (first after 1.5 s, then every second for 75 s after acceptance, then from 10 s ×1.5 up to 30 s).",
        ]
      : []),
  ];
}

/** Why a row is not available: the workflow refused the strategy, or the server cannot run standalone activities. */
export function unavailableWhy(strategy: string): string {
  return strategy === STANDALONE_RUNNER ? 'the server cannot run standalone activities' : 'Invalid poll.strategy';
}
