/**
 * `codika-temporal run --standalone` refuses the workflow-only flags by their own names, before it
 * connects: the real CLI in its own process, pointed at an address where no server listens.
 */
import { runCli, type CliRun } from '../../helpers/cli-process';

/** The real CLI, pointed at an address nothing listens on: what it refuses, it refuses before connecting. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' }, 30_000);
}

test.each([
  [['--on-trigger-outcome-unknown', 'ask'], '--on-trigger-outcome-unknown ask: not with --standalone'],
  [['--operator-timeout', '1 hour'], '--operator-timeout: not with --standalone'],
  [['--strategy', 'timer'], '--strategy: not with --standalone'],
])(
  'run --standalone %j: a usage error naming the flag (exit 2), no server needed',
  async (flags, says) => {
    const { code, stderr } = await cli('run', 'pi_a', 'summarize', '--standalone', ...flags);

    expect(code).toBe(2);
    expect(stderr).toContain(says);
  },
  30_000,
);
