import type { BenchResults } from '../report/bench-results';
import { seconds } from '../shared/format';
import { STANDALONE_RUNNER } from '../shared/plan';
import { GREENS, notAvailable, PANEL_HEIGHT, PANEL_WIDTH, unique, type Panel } from './chart-style';

/**
 * (b) History events and billable actions per execution, per strategy and execution duration; the
 * standalone activity has actions only (no history).
 */
export function costPanel(results: BenchResults): Panel | undefined {
  const all = results.cost ?? [];
  const rows = all.filter((r) => r.available);
  const measures = [
    { key: 'events', title: 'history events / execution' },
    { key: 'actions', title: 'billable actions / execution' },
  ] as const;
  const values = rows.flatMap((r) =>
    measures.flatMap(({ key }) => {
      const value = r[key];
      return value === null || value === undefined
        ? []
        : [{ strategy: r.strategy, durationMs: r.durationMs, duration: seconds(r.durationMs), measure: key, value }];
    }),
  );
  if (values.length === 0) return undefined;
  const strategies = unique(values.map((v) => v.strategy));
  const durations = unique([...values].sort((a, b) => a.durationMs - b.durationMs).map((v) => v.duration));
  const scale = results.plan?.cost?.scale ?? 1;
  const ran = unique(rows.map((r) => seconds(r.ranDurationMs)));
  const actionsLine = rows.some((r) => r.strategy === STANDALONE_RUNNER)
    ? 'actions as Temporal Cloud bills them (heartbeats estimated; standalone: counted, and no history)'
    : 'actions as Temporal Cloud bills them (heartbeats estimated)';
  const color = {
    field: 'duration',
    type: 'nominal',
    title: 'execution',
    legend: { titleOrient: 'left', titlePadding: 8 },
    scale: {
      domain: durations,
      ...(GREENS[durations.length] ? { range: GREENS[durations.length] } : { scheme: 'greens' }),
    },
  } as const;
  const chart = (key: 'events' | 'actions', title: string): Panel => {
    const encoding = {
      x: {
        field: 'strategy',
        type: 'nominal',
        title: strategies.includes(STANDALONE_RUNNER) ? 'poll strategy, or standalone activity' : 'poll strategy',
        sort: strategies,
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'duration', type: 'nominal', sort: durations },
      y: { field: 'value', type: 'quantitative', title },
    } as const;
    return {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      transform: [{ filter: { field: 'measure', equal: key } }],
      layer: [
        { mark: 'bar', encoding: { ...encoding, color } },
        {
          mark: { type: 'text', dy: -5, fontSize: 9, color: '#333' },
          encoding: { ...encoding, text: { field: 'value', type: 'quantitative' } },
        },
      ],
    };
  };
  return {
    title: {
      text: 'Cost per execution',
      subtitle:
        scale === 1
          ? ['default poll schedule, at full length;', actionsLine, ...notAvailable(all)]
          : [
              `scaled down ${scale}×: ran ${ran.join(' and ')} with the poll schedule ÷ ${scale} (as many checks), ` +
                'reported at full length;',
              actionsLine,
              ...notAvailable(all),
            ],
    },
    data: { values },
    // A run of the standalone activity alone has no history events to plot.
    hconcat: measures
      .filter(({ key }) => values.some((v) => v.measure === key))
      .map(({ key, title }) => chart(key, title)),
  };
}
