/**
 * The benchmark results as one SVG chart: detection latency and overhead side by side, cost per
 * execution (history events, actions) below. A vega-lite spec compiled by `vega-lite` and rendered headless by `vega`
 * (`renderer: 'none'`, no browser, no canvas). Both packages are ESM-only, so they are loaded with
 * a dynamic `import()` when a chart is rendered, not when this module is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './report';

type ConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;
type Panel = ConcatSpec['hconcat'][number];

/** Plot size of each panel: two panels a row, with their axes and gaps, come to about 900 px. */
const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 200;
const COLORS = {
  p50: '#9ecae9',
  p95: '#1f77b4',
  baseline: '#bab0ac',
  library: '#f58518',
};
/** Each panel its own colours and bar groups (vega-lite shares them across a concat by default). */
const INDEPENDENT = {
  scale: { color: 'independent', xOffset: 'independent' },
  legend: { color: 'independent' },
} as const;
/** Light to dark, for 1 to 4 execution durations. */
const GREENS: Record<number, string[]> = {
  1: ['#31a354'],
  2: ['#74c476', '#006d2c'],
  3: ['#a1d99b', '#41ab5d', '#006d2c'],
  4: ['#c7e9c0', '#74c476', '#31a354', '#006d2c'],
};
const STATS: string[] = ['p50', 'p95'];
const RUNNERS: string[] = ['baseline', 'library'];

/** Renders the chart for one results file; returns the SVG text. */
export async function renderBenchChart(results: BenchResults): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  // Without node-canvas, vega guesses every character 0.8 em wide and sizes the layout for text
  // nearly twice as wide as it is; measure with Helvetica's widths instead (a hook vega provides
  // for this, not in its typings).
  (vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth;
  const { spec } = vegaLite.compile(chartSpec(results));
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the chart and writes it to `file` (default `bench/results/chart.svg`); returns the path. */
export async function writeChart(
  results: BenchResults,
  file = join(__dirname, 'results', 'chart.svg'),
): Promise<string> {
  const svg = await renderBenchChart(results);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
  return file;
}

/** The vega-lite spec: one panel per measured section, sections missing or without data left out. */
export function chartSpec(results: BenchResults): TopLevelSpec {
  const present = (panels: (Panel | undefined)[]) => panels.filter((p): p is Panel => p !== undefined);
  // Latency and overhead (both times) in the first row; the cost panel holds two plots, the second.
  const firstRow = present([detectionPanel(results), overheadPanel(results)]);
  const rows = present([
    firstRow.length > 0 ? { hconcat: firstRow, resolve: INDEPENDENT } : undefined,
    costPanel(results),
  ]);
  const { plan, machine } = results;
  const subtitle = [
    [
      results.startedAt?.slice(0, 16).replace('T', ' '),
      machine ? `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}` : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
    ...(results.error ? [`The run stopped early: ${results.error}`] : []),
  ];
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `codika-temporal benchmark${plan?.mode ? ` (${plan.mode})` : ''}`, subtitle, offset: 20 },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      title: { fontSize: 15, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#555' },
      axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#333' },
      legend: { orient: 'top', columnPadding: 20, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
      header: { labelFontSize: 11 },
      view: { stroke: null },
      concat: { spacing: 50 },
    },
  } as const;
  if (rows.length === 0) {
    return {
      ...common,
      width: 400,
      height: 40,
      data: { values: [{ text: 'No measured sections in this results file.' }] },
      mark: { type: 'text', align: 'left', x: 0, y: 20, fontSize: 13 },
      encoding: { text: { field: 'text', type: 'nominal' } },
    };
  }
  return {
    ...common,
    vconcat: rows,
    spacing: 35,
    resolve: INDEPENDENT,
  };
}

/** (a) Detection latency p50 and p95 per strategy. */
function detectionPanel(results: BenchResults): Panel | undefined {
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
    title: 'poll strategy',
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

/** (b) History events and billable actions per execution, per strategy and execution duration. */
function costPanel(results: BenchResults): Panel | undefined {
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
        title: 'poll strategy',
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
          ? [
              'default poll schedule, at full length;',
              'actions as Temporal Cloud bills them (heartbeats estimated)',
              ...notAvailable(all),
            ]
          : [
              `scaled down ${scale}×: ran ${ran.join(' and ')} with the poll schedule ÷ ${scale} (as many checks), ` +
                'reported at full length;',
              'actions as Temporal Cloud bills them (heartbeats estimated)',
              ...notAvailable(all),
            ],
    },
    data: { values },
    hconcat: measures.map(({ key, title }) => chart(key, title)),
  };
}

/** (c) Median start-to-result time of the seed's fetch loop and the library, per execution duration. */
function overheadPanel(results: BenchResults): Panel | undefined {
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

/**
 * Advance widths of Helvetica (and Arial, which matches it), in 1/1000 em, for the printable ASCII
 * characters from the space on; other characters count as 0.6 em.
 */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];

/** The width in pixels of one line of a text mark, for vega's layout. */
function textWidth(item: { fontSize?: number; fontWeight?: string | number; text?: unknown }, text?: unknown): number {
  const value = String(text ?? item.text ?? '');
  let em = 0;
  for (const char of value) em += (HELVETICA_WIDTHS[char.charCodeAt(0) - 32] ?? 600) / 1000;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return em * (item.fontSize ?? 11) * (bold ? 1.08 : 1);
}

/** A subtitle line naming the strategies the server rejected, if any. */
function notAvailable(rows: { strategy: string; available: boolean }[]): string[] {
  const names = unique(rows.filter((r) => !r.available).map((r) => r.strategy));
  return names.length === 0 ? [] : [`not available (left out): ${names.join(', ')}`];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function seconds(valueMs: number): string {
  return `${Number((valueMs / 1000).toFixed(1))} s`;
}
