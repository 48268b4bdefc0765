/**
 * The benchmark results as one SVG chart: detection latency and overhead side by side, cost per
 * execution (history events, actions) below. A vega-lite spec compiled by `vega-lite` and rendered headless by `vega`
 * (`renderer: 'none'`, no browser, no canvas). Both packages are ESM-only, so they are loaded with
 * a dynamic `import()` when a chart is rendered, not when this module is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RESULTS_DIR, type BenchResults } from '../report/bench-results';
import { chartSpec } from './chart-spec';
import { textWidth } from './text-width';

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
export async function writeChart(results: BenchResults, file = join(RESULTS_DIR, 'chart.svg')): Promise<string> {
  const svg = await renderBenchChart(results);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
  return file;
}
