/**
 * `codika-temporal run --standalone` refuses the workflow-only flags by their own names, before it
 * connects: the real CLI in its own process, pointed at an address where no server listens.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, timeout: 30_000 },
      (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
    );
  });
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
