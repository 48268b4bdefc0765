import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');

// The README's first command, end to end: its own Temporal server with the UI, the mock, the worker.
test('npm run demo -- --once runs five executions to the end, one failing with Codika message', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', '--once'],
    {
      cwd: ROOT,
      timeout: 170_000,
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );

  expect(stdout).toMatch(/Web UI http:\/\/127\.0\.0\.1:\d+/);
  for (const workflowId of ['text-summarizer', 'http-direct-messaging', 'scheduled-report', 'flaky-import']) {
    expect(stdout).toMatch(new RegExp(`✔ ${workflowId} +success after \\d+ polls?:`));
  }
  expect(stdout).toMatch(
    /✘ invoice-check +failed: Codika execution \S+ of "invoice-check" failed: Invoice total does not match/,
  );
  expect(stdout).toMatch(/\/namespaces\/default\/workflows\/codika-invoice-check-pi_demo-/);
  expect(stdout).toMatch(/✔ pipeline document-digest +extract \(\d+ polls\), summarize_en .*, notify \(\d+ polls\)/);
}, 180_000);
