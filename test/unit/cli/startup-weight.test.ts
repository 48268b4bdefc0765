import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// `--version`, `pipeline check` and every client command must start without the SDK's native worker
// bridge: it costs a quarter of a second and fails on a machine where the native binary cannot load.
test('loading the CLI loads no @temporalio/worker (only `codika-temporal worker` does, when it runs)', () => {
  const probe = [
    "require('tsx/cjs');",
    `require(${JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'cli', 'program.ts'))});`,
    "console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes('@temporalio/worker'))));",
  ].join('\n');
  const loaded = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim()) as string[];
  expect(loaded).toEqual([]);
});
