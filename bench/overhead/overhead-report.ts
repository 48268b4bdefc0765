import { ms, row, seconds } from '../shared/format';
import type { BenchPlan } from '../shared/plan';
import { median, summarize } from '../shared/stats';
import type { CycleComparison, OverheadResult } from './measure-overhead';

/** The overhead scenario as markdown: the table per duration, then the per-poll figures and phases. */
export function overheadSection(overhead: OverheadResult, plan: BenchPlan): string[] {
  const perPoll = median(overhead.rows.flatMap((r) => (r.perPollOverheadMs === null ? [] : [r.perPollOverheadMs])));
  const phase = (values: number[]) => ms(median(values));
  const { phases } = overhead;
  return [
    `### Overhead: fixed ${seconds(plan.overhead.pollIntervalMs)} polling, start to result in hand ` +
      `(${plan.overhead.perDuration} concurrent executions per duration and runner` +
      `${(plan.overhead.rounds ?? 1) > 1 ? `, ${plan.overhead.rounds} rounds` : ''})`,
    '',
    '| execution | baseline median | baseline p95 | bare Temporal loop median | library median | library p95 | polls (baseline / library) | per-poll overhead: library (bare loop) | poll cycle from history: library / bare loop (ratio, polls) | failed |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...overhead.rows.map((r) =>
      row([
        seconds(r.durationMs),
        ms(r.baseline.median),
        ms(r.baseline.p95),
        ms(r.bare?.median ?? null),
        ms(r.library.median),
        ms(r.library.p95),
        `${r.baselinePolls ?? '—'} / ${r.libraryPolls ?? '—'}${r.baselinePolls !== r.libraryPolls ? ' ⚠' : ''}`,
        `${ms(r.perPollOverheadMs, 1)} (${ms(r.perPollFloorMs ?? null, 1)})`,
        r.pollCycle
          ? `${ms(r.pollCycle.library.median, 1)} / ${ms(r.pollCycle.bare.median, 1)} ` +
            `(${r.pollCycle.ratio ?? '—'}×, ${r.pollCycle.library.n} / ${r.pollCycle.bare.n})`
          : '—',
        String(r.failures),
      ]),
    ),
    '',
    `Per-poll overhead of the library (timer strategy) against the baseline: ${ms(perPoll, 1)} median over ` +
      'durations (goal ≤ 10 ms). The bare Temporal loop (bench/shared/bare-workflows.ts: trigger, then a timer and the same ' +
      'status activity, nothing else) shows the floor any timer-and-activity poll pays on this server: ' +
      `${ms(median(overhead.rows.flatMap((r) => (r.perPollFloorMs == null ? [] : [r.perPollFloorMs]))), 1)} median. ` +
      '⚠ marks a duration where the two needed different numbers of polls. ' +
      "The poll cycle is each timer poll's cost once its timer fired, up to the next poll timer's start in the " +
      'history (median over every poll of every run): the same measure for both, without the fixed start and ' +
      "trigger costs that the end-to-end figure spreads over few polls, nor the server's lateness in firing the timer. " +
      (overhead.pollCycle
        ? `Over every poll of every duration: library ${ms(overhead.pollCycle.library.median, 1)}, bare loop ` +
          `${ms(overhead.pollCycle.bare.median, 1)} (median of ${overhead.pollCycle.library.n} and ` +
          `${overhead.pollCycle.bare.n} polls), ${overhead.pollCycle.ratio ?? '—'}× (goal ≤ 1.1). ` +
          cycleSpread(overhead.pollCycle) +
          (overhead.pollCycle.timerLateness
            ? `The server fired the timers ${ms(overhead.pollCycle.timerLateness.library.median)} late for the library ` +
              `and ${ms(overhead.pollCycle.timerLateness.bare.median)} for the bare loop (medians). `
            : '')
        : '') +
      (overhead.fit
        ? `Split by a least-squares fit over the durations: ${ms(overhead.fit.fixedMs)} per execution plus ` +
          `${ms(overhead.fit.perPollMs, 1)} per poll. `
        : '') +
      `The worker's first ${overhead.coldStartMs.length} executions (warm-up, not measured) took ` +
      `${ms(median(overhead.coldStartMs))} (median) for a 0 ms execution polled after 100 ms. ` +
      `Each library poll, from the server's event times (medians over ${phases.timerLateness.length} polls): ` +
      `timer fired ${phase(phases.timerLateness)} late (max ${ms(summarize(phases.timerLateness).max)}), ` +
      `workflow task to schedule the check ${phase(phases.workflowTaskAfterTimer)}, activity dispatch ` +
      `${phase(phases.activityDispatch)}, activity run ${phase(phases.activityRun)}, workflow task after it ` +
      `${phase(phases.workflowTaskAfterActivity)}.`,
  ];
}

/** Goal of the poll cycle's ratio, and the most its round-to-round spread may be for a verdict on it. */
const CYCLE_GOAL = 1.1;
const CYCLE_SPREAD_MARGIN = 0.1;

/** The ratio round by round (runners alternate which goes first), and whether it holds still enough to judge. */
function cycleSpread(cycle: CycleComparison): string {
  const rounds = cycle.ratioByRound ?? [];
  if (rounds.length < 2 || cycle.spread == null) return '';
  const listed = `By round: ${rounds.map((r) => (r === null ? '—' : `${r}×`)).join(', ')} (spread ${cycle.spread}). `;
  if (cycle.spread >= CYCLE_SPREAD_MARGIN) {
    return `${listed}The spread is at least ${CYCLE_SPREAD_MARGIN}: this run cannot say whether the goal (≤ ${CYCLE_GOAL}) is met. `;
  }
  const met = cycle.ratio !== null && cycle.ratio <= CYCLE_GOAL;
  return `${listed}Goal ${met ? 'met' : '**not met**'}. `;
}
