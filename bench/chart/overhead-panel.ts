import type { BenchResults } from '../report/bench-results';
import { seconds } from '../shared/format';
import { COLORS, PANEL_HEIGHT, PANEL_WIDTH, RUNNERS, unique, type Panel } from './chart-style';

/** (c) Median start-to-result time of the seed's fetch loop and the library, per execution duration. */
export function overheadPanel(results: BenchResults): Panel | undefined {
  const overhead = results.overhead;
  const values = (overhead?.rows ?? []).flatMap((r) => {
    const baseline = r.baseline?.median ?? null;
    const library = r.library?.median ?? null;
    const duration = seconds(r.durationMs);
    return [
      ...(baseline === null ? [] : [{ duration, durationMs: r.durationMs, runner: 'baseline', s: baseline / 1000 }]),
      ...(library === null
        ? []
        : [
            {
              duration,
              durationMs: r.durationMs,
              runner: 'library',
              s: library / 1000,
              label: baseline === null ? '' : `+${Math.round(library - baseline)} ms`,
            },
          ]),
    ];
  });
  if (values.length === 0) return undefined;
  const durations = unique([...values].sort((a, b) => a.durationMs - b.durationMs).map((v) => v.duration));
  const encoding = {
    x: { field: 'duration', type: 'ordinal', title: 'execution duration', sort: durations, axis: { labelAngle: 0 } },
    xOffset: { field: 'runner', type: 'nominal', sort: RUNNERS },
    y: { field: 's', type: 'quantitative', title: 'median start → result in hand (s)' },
  } as const;
  const plan = results.plan?.overhead;
  return {
    title: {
      text: 'Overhead',
      subtitle: [
        `${plan ? `fixed ${seconds(plan.pollIntervalMs)} polling, ${plan.perDuration} concurrent` : 'fixed-interval polling'} ` +
          'executions per duration;',
        'labels: library − baseline',
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
            field: 'runner',
            type: 'nominal',
            title: null,
            scale: { domain: RUNNERS, range: [COLORS.baseline, COLORS.library] },
            legend: {
              labelLimit: 200,
              labelExpr: "datum.label === 'baseline' ? 'baseline (fetch loop)' : 'library (timer)'",
            },
          },
        },
      },
      {
        transform: [{ filter: "datum.runner === 'library'" }],
        mark: { type: 'text', dy: -5, fontSize: 9, color: '#333' },
        encoding: { ...encoding, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}
