/**
 * `codika-temporal worker` refuses a bad configuration before it connects anywhere (exit 2, the
 * message names the variable and never its value), and exits 3 when Temporal is unreachable.
 */
import { runCli } from '../../../src/cli/main';
import { runCli as runCliProcess } from '../../helpers/cli-process';

// No profile file from the home folder of whoever runs the tests.
const NO_FILE = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

/** The CLI in this process, with exactly `env`, and what it wrote. */
async function worker(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['worker'],
    { out: (text) => out.push(text), err: (text) => err.push(text), stderr: process.stderr },
    { ...NO_FILE, ...env },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('without an API key: exit 2, naming CODIKA_API_KEY and CODIKA_API_KEYS', async () => {
  const { code, out, err } = await worker({});

  expect(code).toBe(2);
  expect(err).toContain('CODIKA_API_KEY or CODIKA_API_KEYS');
  expect(out).toBe('');
});

test('with CODIKA_API_KEYS that is not JSON: exit 2, naming the variable and not echoing its keys', async () => {
  const { code, err } = await worker({ CODIKA_API_KEYS: '{pi_1: ck_secret_123' });

  expect(code).toBe(2);
  expect(err).toContain('CODIKA_API_KEYS');
  expect(err).not.toContain('ck_secret_123');
});

test('with malformed encryption keys: exit 2, naming CODIKA_CODEC_KEYS', async () => {
  const { code, err } = await worker({ CODIKA_API_KEY: 'ck_1', CODIKA_CODEC_KEYS: 'not json' });

  expect(code).toBe(2);
  expect(err).toContain('CODIKA_CODEC_KEYS');
});

test('with Temporal unreachable: exit 3, naming the address', async () => {
  // In a process of its own: connecting starts the SDK's runtime, which this test process must not keep.
  const { code, stderr } = await runCliProcess(['--address', '127.0.0.1:1', 'worker'], {
    ...NO_FILE,
    CODIKA_API_KEY: 'ck_1',
  });

  expect(code).toBe(3);
  expect(stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
}, 30_000);
