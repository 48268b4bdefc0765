import { DEFAULT_STRATEGIES, MAX_SCALE_COUNT } from './plan';

/**
 * `--strategies=timer,activity`: the strategies to measure, in order; every strategy without the flag.
 *
 * @throws Error when the list is empty or a name is not lowercase words joined by `-`.
 */
export function strategiesFlag(args: string[]): string[] {
  const value = args.find((a) => a.startsWith('--strategies='))?.slice('--strategies='.length);
  if (value === undefined) return DEFAULT_STRATEGIES;
  const strategies = value.split(',').filter(Boolean);
  if (strategies.length === 0 || strategies.some((s) => !/^[a-z][a-z-]*$/.test(s))) {
    throw new Error(`--strategies takes a comma-separated list such as timer,activity,retry; got "${value}"`);
  }
  return strategies;
}

/**
 * `--scale` or `--scale=1000,5000`: the counts to run (`--scale` alone: 1,000), or undefined without the flag.
 *
 * @throws Error when a count is not a whole number from 1 to {@link MAX_SCALE_COUNT}.
 */
export function scaleFlag(args: string[]): number[] | undefined {
  const flag = args.find((a) => a === '--scale' || a.startsWith('--scale='));
  if (flag === undefined) return undefined;
  if (flag === '--scale') return [1_000];
  const value = flag.slice('--scale='.length);
  const counts = value.split(',').filter(Boolean).map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SCALE_COUNT)) {
    throw new Error(`--scale takes a comma-separated list of counts from 1 to ${MAX_SCALE_COUNT}; got "${value}"`);
  }
  return counts;
}
