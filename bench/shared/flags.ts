import type { ScaleRunner } from '../scale/scale-result';
import { DEFAULT_STRATEGIES, MAX_SCALE_COUNT, ALL_SCALE_RUNNERS, type ScaleChoices } from './plan';

/**
 * `--strategies=timer,activity`: the strategies to measure, in order (`standalone` for the standalone
 * activity beside them); every strategy and `standalone` without the flag.
 *
 * @throws Error when the list is empty or a name is not lowercase words joined by `-`.
 */
export function strategiesFlag(args: string[]): string[] {
  const value = args.find((a) => a.startsWith('--strategies='))?.slice('--strategies='.length);
  if (value === undefined) return DEFAULT_STRATEGIES;
  const strategies = value.split(',').filter(Boolean);
  if (strategies.length === 0 || strategies.some((s) => !/^[a-z][a-z-]*$/.test(s))) {
    throw new Error(
      `--strategies takes a comma-separated list such as auto,standalone or timer,activity,retry; got "${value}"`,
    );
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

/**
 * The scale scenario's other flags: `--server=dev|cluster`, `--runners=library,bare` and
 * `--cap-minutes=N` (each batch's cap). Refused without `--scale`, where they would mean nothing.
 *
 * @throws Error naming the flag and what it takes.
 */
export function scaleChoicesFlags(args: string[], scaling: boolean): Omit<ScaleChoices, 'counts'> {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const given = ['server', 'runners', 'cap-minutes'].filter((name) => value(name) !== undefined);
  if (!scaling && given.length > 0) throw new Error(`--${given[0]} only applies with --scale`);
  const choices: Omit<ScaleChoices, 'counts'> = {};
  const server = value('server');
  if (server !== undefined) {
    if (server !== 'dev' && server !== 'cluster') throw new Error(`--server takes dev or cluster; got "${server}"`);
    choices.server = server;
  }
  const runners = value('runners');
  if (runners !== undefined) {
    const list = runners.split(',').filter(Boolean);
    if (list.length === 0 || list.some((r) => !ALL_SCALE_RUNNERS.includes(r as ScaleRunner))) {
      throw new Error(`--runners takes a comma-separated list of ${ALL_SCALE_RUNNERS.join(', ')}; got "${runners}"`);
    }
    choices.runners = [...new Set(list)] as ScaleRunner[];
  }
  const cap = value('cap-minutes');
  if (cap !== undefined) {
    const minutes = Number(cap);
    if (!Number.isFinite(minutes) || minutes <= 0)
      throw new Error(`--cap-minutes takes a positive number; got "${cap}"`);
    choices.capMs = minutes * 60_000;
  }
  return choices;
}

/**
 * `--overhead` or `--overhead=60`: executions per duration and runner for the overhead scenario
 * alone (`--overhead` alone: 30), or undefined without the flag.
 *
 * @throws Error when the count is not a whole number from 1 to 200.
 */
export function overheadFlag(args: string[]): number | undefined {
  const flag = args.find((a) => a === '--overhead' || a.startsWith('--overhead='));
  if (flag === undefined) return undefined;
  if (flag === '--overhead') return 30;
  const count = Number(flag.slice('--overhead='.length));
  if (!Number.isInteger(count) || count < 1 || count > 200) {
    throw new Error(`--overhead takes a number of executions per duration from 1 to 200; got "${flag}"`);
  }
  return count;
}
