/** Median, p95 and count of a sample; `null` statistics for an empty sample. */
export interface Summary {
  n: number;
  median: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
}

/**
 * The value below which `p` percent of the sample lies, by nearest rank (no interpolation, so
 * every reported value was measured). With fewer than 20 values, p95 is the maximum.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median, p95, min and max of a sample. */
export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p95: percentile(values, 95),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

/** Least-squares line through the points; `null` with fewer than two distinct x values. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | null {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const spreadX = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  if (n < 2 || spreadX === 0) return null;
  const slope = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / spreadX;
  return { slope, intercept: meanY - slope * meanX };
}

/** `value` rounded to `digits` decimals, as a number (for JSON that stays readable). */
export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** `numerator ÷ denominator` to two decimals, or null when either is missing or the denominator is zero. */
export function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  if (numerator == null || denominator == null || denominator === 0) return null;
  return Math.round((numerator / denominator) * 100) / 100;
}

/** The largest of the known ratios less the smallest, to two decimals: how far a figure moves between rounds; null with fewer than two. */
export function spreadOf(ratios: readonly (number | null)[]): number | null {
  const known = ratios.filter((r): r is number => r !== null);
  return known.length > 1 ? Math.round((Math.max(...known) - Math.min(...known)) * 100) / 100 : null;
}
