import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostRow } from '../cost/measure-cost';
import type { DetectionResult } from '../detection/measure-detection';
import type { OverheadResult } from '../overhead/measure-overhead';
import type { ScaleResult } from '../scale/scale-result';
import type { BenchPlan } from '../shared/plan';

/** Everything one benchmark run measured, as written to `bench/results/`. */
export interface BenchResults {
  startedAt: string;
  elapsedMs: number;
  plan: BenchPlan;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  temporal: { address: string; source: string; dynamicConfig: Readonly<Record<string, unknown>> };
  overhead?: OverheadResult;
  detection?: DetectionResult;
  cost?: CostRow[];
  /** Only in `--scale` mode. */
  scale?: ScaleResult;
  /** Set when the run stopped early; the sections measured so far are kept. */
  error?: string;
}

/** `bench/results/`, where every run writes. */
export const RESULTS_DIR = join(__dirname, '..', 'results');

/**
 * Writes `bench/results/<timestamp>.json` and `bench/results/latest.json` (a scale run:
 * `scale-<timestamp>.json` and `scale-latest.json`, leaving the main results alone); returns the first path.
 */
export function writeResults(results: BenchResults, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const prefix = results.plan.mode === 'scale' ? 'scale-' : '';
  const file = join(dir, `${prefix}${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(join(dir, `${prefix}latest.json`), json);
  return file;
}
