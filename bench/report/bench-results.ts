import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostRow } from '../cost/measure-cost';
import type { DetectionResult } from '../detection/measure-detection';
import type { OverheadResult } from '../overhead/measure-overhead';
import { compareRunners, mergeComparisons } from '../scale/compare-runners';
import type { ScaleComparison, ScaleResult } from '../scale/scale-result';
import type { BenchPlan } from '../shared/plan';

/** Everything one benchmark run measured, as written to `bench/results/`. */
export interface BenchResults {
  startedAt: string;
  elapsedMs: number;
  plan: BenchPlan;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  temporal: { address: string; source: string; dynamicConfig: Readonly<Record<string, unknown>> };
  overhead?: OverheadResult;
  /** Per strategy, and `standalone` (each execution as one standalone activity) when it ran. */
  detection?: DetectionResult;
  /**
   * Per strategy and duration; a `standalone` row has no history (`events` and `runs` null) and adds
   * `standalone` (attempts, the server's heartbeat count, the heartbeat timeout). Every row has `detectionMs`.
   */
  cost?: CostRow[];
  /**
   * Only in `--scale` mode: the library beside the bare floor, per count and server. In
   * `scale-latest.json`, also the earlier runs' pairs this run did not measure again.
   */
  runs?: ScaleComparison[];
  /** Only in `--scale` mode: every batch in full. */
  scale?: ScaleResult;
  /** Set when the run stopped early; the sections measured so far are kept. */
  error?: string;
}

/** `bench/results/`, where every run writes. */
export const RESULTS_DIR = join(__dirname, '..', 'results');

/**
 * Writes `bench/results/<timestamp>.json` and `bench/results/latest.json` (a scale run:
 * `scale-<timestamp>.json` and `scale-latest.json`, leaving the main results alone, with the
 * previous `scale-latest.json`'s pairs for counts and servers not measured again); returns the first path.
 */
export function writeResults(results: BenchResults, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const scale = results.plan.mode === 'scale';
  const prefix = scale ? 'scale-' : results.plan.mode === 'overhead' ? 'overhead-' : '';
  const file = join(dir, `${prefix}${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const latest = join(dir, `${prefix}latest.json`);
  const json = (value: BenchResults) => `${JSON.stringify(value, null, 2)}\n`;
  if (!scale) {
    writeFileSync(file, json(results));
    writeFileSync(latest, json(results));
    return file;
  }
  const runs = compareRunners(results.scale?.batches ?? [], results.startedAt, results.plan.scale?.workerOptions);
  const { startedAt, elapsedMs, ...rest } = results;
  writeFileSync(file, json({ startedAt, elapsedMs, runs, ...rest }));
  writeFileSync(latest, json({ startedAt, elapsedMs, runs: mergeComparisons(runs, previousRuns(latest)), ...rest }));
  return file;
}

/** The pairs an earlier scale run left in `scale-latest.json`; none when it is missing or older in shape. */
function previousRuns(path: string): ScaleComparison[] {
  if (!existsSync(path)) return [];
  try {
    const runs = (JSON.parse(readFileSync(path, 'utf8')) as { runs?: unknown }).runs;
    return Array.isArray(runs) ? (runs as ScaleComparison[]).filter((r) => r && typeof r.executions === 'number') : [];
  } catch {
    return [];
  }
}
