import { HEARTBEATS_ESTIMATED } from '../shared/history-cost';
import { ms, num, row, seconds } from '../shared/format';
import { STANDALONE_RUNNER, type BenchPlan } from '../shared/plan';
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
  const standalone = cost.find((r) => r.strategy === STANDALONE_RUNNER && r.standalone);
  return [
    `### Cost per execution: history events and estimated Temporal Cloud actions (${scaled})`,
    '',
    '| strategy | execution | polls | history events | actions | detection (median) | starts + continue-as-new | timers | activities | activity retries | signals | search attribute upserts | heartbeats (est.) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...cost.map((r) =>
      !r.available
        ? row([r.strategy, seconds(r.durationMs), 'not available', '', '', '', '', '', '', '', '', '', ''])
        : r.strategy === STANDALONE_RUNNER
          ? standaloneRow(r)
          : row([
              r.strategy,
              seconds(r.durationMs),
              num(r.polls),
              num(r.events),
              num(r.actions),
              ms(r.detectionMs),
              num(r.byKind?.workflowStarts),
              num(r.byKind?.timers),
              num(r.byKind?.activities),
              num(r.byKind?.activityRetries),
              num(r.byKind?.signals),
              num(r.byKind?.searchAttributeUpserts),
              num(r.byKind?.heartbeats) + failed(r),
            ]),
    ),
    '',
    `Actions: workflow start and each continue-as-new, each timer, each activity scheduled and each retry ` +
      `attempt, each signal, each heartbeat; ${HEARTBEATS_ESTIMATED}.`,
    '',
    `Detection: from the mock marking the execution finished to the result in hand, as run, every runner side by side` +
      (scale === 1 ? '.' : ` (polling ${scale}× as often as at full length: not the full-length latency).`),
    ...(standalone?.standalone
      ? [
          '',
          `\`standalone\`: each execution as one standalone activity (\`startCodikaActivity\`, no workflow), with the ` +
            `same poll options${scale === 1 ? '' : ` (÷ ${scale})`} and a heartbeat timeout of ` +
            `${seconds(standalone.standalone.heartbeatTimeoutMs)}` +
            (scale === 1
              ? ' (the default)'
              : ` (the default 10 min ÷ ${scale}, so as many keep-alives as at full length)`) +
            '. A standalone activity has no history (history events: —); its closed describe gives its attempts ' +
            "and the server's count of its heartbeats (`totalHeartbeatCount`, counted, not estimated). Actions = " +
            '1 start (under activities) + (attempts − 1) retries + heartbeats; its completion, describes and result polls are not billed.',
        ]
      : []),
  ];
}

/** A standalone activity's row: no history, its start, retries and the heartbeats the server counted. */
function standaloneRow(r: CostRow): string {
  const attempts = r.standalone?.attempts;
  const heartbeats = r.standalone?.heartbeats;
  return row([
    r.strategy,
    seconds(r.durationMs),
    num(r.polls),
    `— (${num(attempts)} attempt${attempts === 1 ? '' : 's'}, ${num(heartbeats)} heartbeat${heartbeats === 1 ? '' : 's'})`,
    num(r.actions),
    ms(r.detectionMs),
    '—',
    '—',
    num(r.byKind?.activities),
    num(r.byKind?.activityRetries),
    '—',
    '—',
    `${num(r.byKind?.heartbeats)} (counted)${failed(r)}`,
  ]);
}

function failed(r: CostRow): string {
  return r.failures ? ` (${r.failures} failed: ${r.errors[0]})` : '';
}
