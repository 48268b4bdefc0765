import type { BenchResults } from '../report/bench-results';
import { STANDALONE_RUNNER } from '../shared/plan';
import { COLORS, notAvailable, PANEL_HEIGHT, PANEL_WIDTH, STATS, unique, type Panel } from './chart-style';

/** (a) Detection latency p50 and p95 per strategy. */
export function detectionPanel(results: BenchResults): Panel | undefined {
  const all = results.detection?.rows ?? [];
  const rows = all.filter((r) => r.available);
  const values = rows.flatMap((r) =>
    (['p50', 'p95'] as const).flatMap((stat) => {
      const ms = stat === 'p50' ? r.overall?.median : r.overall?.p95;
      return ms === null || ms === undefined ? [] : [{ strategy: r.strategy, stat, ms }];
    }),
  );
  if (values.length === 0) return undefined;
  const strategies = unique(values.map((v) => v.strategy));
  const perStrategy = Math.max(...rows.map((r) => r.overall?.n ?? 0));
  const x = {
    field: 'strategy',
    type: 'nominal',
    title: strategies.includes(STANDALONE_RUNNER) ? 'poll strategy, or standalone activity' : 'poll strategy',
    sort: strategies,
    axis: { labelAngle: 0 },
  } as const;
  const encoding = {
    x,
    xOffset: { field: 'stat', type: 'nominal', sort: STATS },
    y: { field: 'ms', type: 'quantitative', title: 'detection latency (ms)' },
  } as const;
  return {
    title: {
      text: 'Detection latency',
      subtitle: [
        'from the mock marking the execution finished to the result in hand;',
        `default poll schedule, ${perStrategy} executions per strategy`,
        ...notAvailable(all),
      ],
    },
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          ...encoding,
          color: {
            field: 'stat',
            type: 'nominal',
            title: null,
            scale: { domain: STATS, range: [COLORS.p50, COLORS.p95] },
          },
        },
      },
      {
        mark: { type: 'text', dy: -5, fontSize: 9, color: '#333' },
        encoding: { ...encoding, text: { field: 'ms', type: 'quantitative', format: '.0f' } },
      },
    ],
  };
}
