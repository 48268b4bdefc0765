/**
 * Renders a benchmark results file as an SVG chart:
 * `npx tsx bench/chart/render-chart.ts [results.json] [out.svg]`, by default
 * `bench/results/latest.json` → `bench/results/chart.svg`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, type BenchResults } from '../report/bench-results';
import { writeChart } from './write-chart';

async function main(): Promise<void> {
  const [input = join(RESULTS_DIR, 'latest.json'), output = join(RESULTS_DIR, 'chart.svg')] = process.argv.slice(2);
  const results = JSON.parse(readFileSync(input, 'utf8')) as BenchResults;
  process.stderr.write(`chart of ${input} written to ${await writeChart(results, output)}\n`);
}

main().catch((err: unknown) => {
  console.error(`render-chart failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
