import { HEARTBEATS_ESTIMATED } from '../shared/history-cost';
import { num, row, seconds } from '../shared/format';
import type { BenchPlan } from '../shared/plan';
import type { CostRow } from './measure-cost';

/** The cost scenario as markdown: one row per strategy and duration, then what counts as an action. */
export function costSection(cost: CostRow[], plan: BenchPlan): string[] {
  const { scale, durationsMs } = plan.cost;
  const scaled =
    scale === 1
      ? 'run at full length with the default poll schedule'
      : `**scaled down ${scale}×**: ${durationsMs.map(seconds).join(' and ')} executions were run with the poll ` +
        `schedule also divided by ${scale} (so as many checks as at full length), reported as ` +
        durationsMs.map((d) => seconds(d * scale)).join(' and ');
  return [
    `### Cost per execution: history events and estimated Temporal Cloud actions (${scaled})`,
    '',
    '| strategy | execution | polls | history events | actions | starts + continue-as-new | timers | activities | activity retries | signals | search attribute upserts | heartbeats (est.) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...cost.map((r) =>
      r.available
        ? row([
            r.strategy,
            seconds(r.durationMs),
            num(r.polls),
            num(r.events),
            num(r.actions),
            num(r.byKind?.workflowStarts),
            num(r.byKind?.timers),
            num(r.byKind?.activities),
            num(r.byKind?.activityRetries),
            num(r.byKind?.signals),
            num(r.byKind?.searchAttributeUpserts),
            num(r.byKind?.heartbeats) + (r.failures ? ` (${r.failures} failed: ${r.errors[0]})` : ''),
          ])
        : row([r.strategy, seconds(r.durationMs), 'not available', '', '', '', '', '', '', '', '', '']),
    ),
    '',
    `Actions: workflow start and each continue-as-new, each timer, each activity scheduled and each retry ` +
      `attempt, each signal, each heartbeat; ${HEARTBEATS_ESTIMATED}.`,
  ];
}
