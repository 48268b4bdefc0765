/**
 * The package as people install it: `npm pack` gives compiled JS, type declarations and the
 * `exports` map; installed from the tarball into a scratch project, its entry points load, its
 * types resolve under Node16 module resolution, and a workflow importing `codika-temporal/workflows`
 * bundles (the Temporal bundler refuses Node built-ins, so this also proves that entry is workflow-safe).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { packedTarball, repositoryRoot as repoRoot } from '../../helpers/packed-tarball';
import { linksOf } from '../../helpers/markdown-links';

const scratch = mkdtempSync(join(tmpdir(), 'codika-pack-'));
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let files: string[];
beforeAll(async () => {
  const packed = await packedTarball();
  files = packed.files;
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  // The SDK comes as peers (npm installs the required ones); `codika-temporal/testing` wants the optional one too.
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.path, '@temporalio/testing@^1.24.0'],
    scratch,
  );
}, 900_000);
// An installed SDK weighs about 300 MB: nothing of it outlives the run.
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('the tarball holds compiled JS and declarations for each entry point, and no sources or tests', () => {
  for (const entry of ['index', 'workflows/index', 'testing/index', 'cli/main', 'worker']) {
    expect(files).toContain(`dist/${entry}.js`);
    expect(files).toContain(`dist/${entry}.d.ts`);
  }
  expect(files).toContain('README.md');
  expect(files.filter((file) => /^(src|test|bench|scripts)\//.test(file) && file !== 'bench/README.md')).toEqual([]);
  // The README's relative links resolve inside the package too.
  for (const doc of [
    'docs/polling.md',
    'docs/faults.md',
    'examples/pipelines/document-digest.json',
    'schema/codika-pipeline.schema.json',
  ])
    expect(files).toContain(doc);
  const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/codika-temporal/package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  expect(Object.keys(manifest.exports).sort()).toEqual(['.', './nexus', './testing', './workflows']);
});

test('every relative link of the shipped docs leads to a shipped file: the README and docs read whole from node_modules', () => {
  const shipped = new Set(files);
  const isShipped = (path: string) => shipped.has(path) || files.some((file) => file.startsWith(`${path}/`));
  const broken = files
    .filter((file) => file.endsWith('.md'))
    .flatMap((doc) =>
      linksOf(readFileSync(join(repoRoot, doc), 'utf8'))
        .map(({ line, target }) => ({ line, path: decodeURIComponent(target.split('#')[0]!.split('?')[0]!) }))
        .filter(({ path }) => path !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(path))
        .filter(({ path }) => !isShipped(normalize(join(dirname(doc), path)).replace(/\/$/, '')))
        .map(({ line, path }) => `${doc}:${line}: ${path}`),
    );
  expect(broken).toEqual([]);
});

test('every compiled file comes from a source file of today: nothing left from an older layout', () => {
  const compiled = files.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
  expect(compiled.length).toBeGreaterThan(0);
  const orphans = compiled.filter(
    (file) => !existsSync(join(repoRoot, file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))),
  );
  expect(orphans).toEqual([]);
});

test('installed, the four entry points load', () => {
  const out = run(
    process.execPath,
    [
      '-e',
      "const c = require('codika-temporal'); const w = require('codika-temporal/workflows'); const t = require('codika-temporal/testing'); const n = require('codika-temporal/nexus');" +
        'console.log([typeof c.createCodikaWorker, typeof c.startCodikaExecution, typeof w.runCodikaExecution, typeof t.MockCodikaServer, n.codikaNexusService.name].join(" "))',
    ],
    scratch,
  );
  expect(out.trim()).toBe('function function function function codika');
});

test('its types resolve through the exports map (Node16 resolution)', () => {
  writeFileSync(
    join(scratch, 'check.ts'),
    [
      "import { startCodikaExecution, type CodikaExecutionResult } from 'codika-temporal';",
      "import { runCodikaExecution } from 'codika-temporal/workflows';",
      "import { MockCodikaServer } from 'codika-temporal/testing';",
      'export const types: [typeof startCodikaExecution, typeof runCodikaExecution, typeof MockCodikaServer] | undefined = undefined;',
      'export type Result = CodikaExecutionResult<{ rows: number }>;',
    ].join('\n'),
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: true },
      files: ['check.ts'],
    }),
  );
  expect(() => run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', scratch], scratch)).not.toThrow();
});

test('a workflow that imports codika-temporal/workflows, and a Nexus caller of codika-temporal/nexus, bundle with the Temporal bundler', () => {
  writeFileSync(
    join(scratch, 'workflows.ts'),
    [
      "import { runCodikaExecution } from 'codika-temporal/workflows';",
      "export { codikaExecutionWorkflow } from 'codika-temporal/workflows';",
      "import { createNexusServiceClient } from '@temporalio/workflow';",
      "import { codikaNexusService } from 'codika-temporal/nexus';",
      'export async function viaNexus(): Promise<string> {',
      "  const codika = createNexusServiceClient({ service: codikaNexusService, endpoint: 'codika' });",
      "  return (await codika.executeOperation('runExecution', { processInstanceId: 'pi_1', workflowId: 'welcome-sms' })).executionId;",
      '}',
      'export async function onboarding(): Promise<string> {',
      "  const { executionId } = await runCodikaExecution({ processInstanceId: 'pi_1', workflowId: 'welcome-sms' });",
      '  return executionId;',
      '}',
    ].join('\n'),
  );
  const out = run(
    process.execPath,
    [
      '-e',
      "require('@temporalio/worker').bundleWorkflowCode({ workflowsPath: require.resolve('./workflows.ts'), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } })" +
        '.then((bundle) => console.log(JSON.stringify({ bytes: bundle.code.length, onboarding: bundle.code.includes("onboarding"), viaNexus: bundle.code.includes("viaNexus"), codika: bundle.code.includes("codikaExecutionWorkflow") })))',
    ],
    scratch,
  );
  const bundle = JSON.parse(out.trim().split('\n').pop()!) as {
    bytes: number;
    onboarding: boolean;
    viaNexus: boolean;
    codika: boolean;
  };
  expect(bundle).toMatchObject({ onboarding: true, viaNexus: true, codika: true });
  expect(bundle.bytes).toBeGreaterThan(100_000);
});
