import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../report/bench-results';
import { INDEPENDENT, type Panel } from './chart-style';
import { costPanel } from './cost-panel';
import { detectionPanel } from './detection-panel';
import { overheadPanel } from './overhead-panel';

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
