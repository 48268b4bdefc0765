import type { TopLevelSpec } from 'vega-lite';

type ConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;
/** One panel of the chart: a layered plot, or a concat of them. */
export type Panel = ConcatSpec['hconcat'][number];

/** Plot size of each panel: two panels a row, with their axes and gaps, come to about 900 px. */
export const PANEL_WIDTH = 330;
export const PANEL_HEIGHT = 200;
/** Bar colours of the detection (p50, p95) and overhead (baseline, library) panels. */
export const COLORS = {
  p50: '#9ecae9',
  p95: '#1f77b4',
  baseline: '#bab0ac',
  library: '#f58518',
};
/** Each panel its own colours and bar groups (vega-lite shares them across a concat by default). */
export const INDEPENDENT = {
  scale: { color: 'independent', xOffset: 'independent' },
  legend: { color: 'independent' },
} as const;
/** Light to dark, for 1 to 4 execution durations. */
export const GREENS: Record<number, string[]> = {
  1: ['#31a354'],
  2: ['#74c476', '#006d2c'],
  3: ['#a1d99b', '#41ab5d', '#006d2c'],
  4: ['#c7e9c0', '#74c476', '#31a354', '#006d2c'],
};
/** Bar order within a group. */
export const STATS: string[] = ['p50', 'p95'];
export const RUNNERS: string[] = ['baseline', 'library'];

/** A subtitle line naming the strategies the server rejected, if any. */
export function notAvailable(rows: { strategy: string; available: boolean }[]): string[] {
  const names = unique(rows.filter((r) => !r.available).map((r) => r.strategy));
  return names.length === 0 ? [] : [`not available (left out): ${names.join(', ')}`];
}

/** The values in first-seen order, without repeats. */
export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
