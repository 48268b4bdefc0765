/**
 * The quickstart as a user runs it: the library packed as `npm publish` packs it, installed from the
 * tarball into a copy of examples/quickstart that cannot see this repository's sources, type-checked
 * with the quickstart's own TypeScript, then its worker and its client run against a real Temporal
 * server and the mock Codika. The SDK packages resolve from the quickstart's own ranges, so this is
 * also the newest `@temporalio/*` the peer range allows.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { quickDemoScripts } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';
import { packedTarball, repositoryRoot } from '../../helpers/packed-tarball';

const API_KEY = 'ck_quickstart_key_0123456789';
const execFileAsync = promisify(execFile);

const scratch = mkdtempSync(join(tmpdir(), 'codika-quickstart-'));
const project = join(scratch, 'quickstart');
let mock: MockCodikaServer;
let version: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const tarball = await packedTarball();
  version = tarball.version;
  // Only the quickstart's own files: its imports can reach the library through node_modules alone.
  cpSync(join(repositoryRoot, 'examples', 'quickstart'), project, {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  });
  // No --prefer-offline: the registry's metadata is read afresh, so the ranges resolve to the newest versions.
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', tarball.path], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
  mock = new MockCodikaServer({ apiKey: API_KEY, scripts: quickDemoScripts() });
  await mock.start();
}, 900_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    if (child.spawnargs[0] === 'npm')
      process.kill(-child.pid!, 'SIGKILL'); // npm and the mock it started
    else child.kill('SIGKILL');
  }
  await mock?.stop();
  rmSync(scratch, { recursive: true, force: true }); // an installed SDK weighs about 300 MB
});

const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

let newestInPeerRange: string;
beforeAll(async () => {
  const range = (
    JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
    }
  ).peerDependencies['@temporalio/worker'];
  const { stdout } = await execFileAsync('npm', ['view', `@temporalio/worker@${range}`, 'version', '--json']);
  const versions = JSON.parse(stdout) as string | string[];
  const numbers = (version: string) => version.split(/[.-]/).map(Number);
  newestInPeerRange = [versions]
    .flat()
    .sort((a, b) => numbers(a).reduce((order, part, i) => order || part - (numbers(b)[i] ?? 0), 0))
    .pop()!;
}, 120_000);

test('one copy of each Temporal SDK package, from the peer range, beside the tarball', () => {
  expect(installedVersion('codika-temporal')).toBe(version);
  const sdk = installedVersion('@temporalio/worker');
  expect(sdk).toBe(newestInPeerRange);
  for (const name of ['client', 'workflow', 'activity', 'common'])
    expect(installedVersion(`@temporalio/${name}`)).toBe(sdk);
  // A second copy under the library would mean two workflow runtimes in one bundle.
  expect(existsSync(join(project, 'node_modules', 'codika-temporal', 'node_modules', '@temporalio'))).toBe(false);
});

test('the quickstart type-checks against the installed package (its own tsconfig, Node16 resolution)', async () => {
  await expect(
    execFileAsync(join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project }),
  ).resolves.toBeDefined();
}, 120_000);

test('its worker and its start script chain two executions: a summary, then a message with it', async () => {
  const output: string[] = [];
  const worker = spawn(join(project, 'node_modules', '.bin', 'tsx'), ['worker.ts'], {
    cwd: project,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      CODIKA_API_KEY: API_KEY,
      CODIKA_BASE_URL: mock.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(worker);
  worker.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await waitUntil(
    () => output.join('').includes('worker ready on task queue quickstart') || worker.exitCode !== null,
    'the quickstart worker',
    { timeoutMs: 120_000, everyMs: 100 },
  );
  expect({ exitCode: worker.exitCode, output: output.join('') }).toMatchObject({ exitCode: null });

  const text = 'Revenue grew twelve percent while costs stayed flat this quarter';
  const { stdout } = await execFileAsync(
    join(project, 'node_modules', '.bin', 'tsx'),
    ['start.ts', 'pi_quickstart', text, '+32470000001'],
    {
      cwd: project,
      env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS },
      timeout: 120_000,
    },
  );
  expect(stdout.trim()).toBe('messages sent: 1');
  const [summary] = mock.executionsOf('text-summarizer').filter((e) => e.processInstanceId === 'pi_quickstart');
  const [message] = mock.executionsOf('http-direct-messaging').filter((e) => e.processInstanceId === 'pi_quickstart');
  expect(summary!.payload).toEqual({ text_input: text });
  expect(message!.payload).toEqual({
    phone_numbers: ['+32470000001'],
    message_content: 'Revenue grew twelve percent while costs stayed flat', // the mock's summary: the first eight words
  });

  // Ctrl+C (SIGINT) or a deploy's SIGTERM: the worker drains and the process ends cleanly.
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  await expect(exited).resolves.toBe(0);
}, 300_000);

test("the quickstart's range of codika-temporal accepts this version, so `npm install` there gets this package", () => {
  const quickstart = JSON.parse(
    readFileSync(join(repositoryRoot, 'examples', 'quickstart', 'package.json'), 'utf8'),
  ) as {
    dependencies: Record<string, string>;
  };
  expect(caretAccepts(quickstart.dependencies['codika-temporal']!, version)).toBe(true);
});

test('the installed CLI: --version, and `codika-temporal worker` serving a run of the ready-made workflow', async () => {
  const cli = join(project, 'node_modules', '.bin', 'codika-temporal');
  const { stdout: printed } = await execFileAsync(cli, ['--version'], { cwd: project });
  expect(printed.trim()).toBe(version);

  // The quickstart's own `npm run mock`, from the installed package, with its demo key.
  const mockOutput: string[] = [];
  const packagedMock = spawn('npm', ['run', 'mock'], {
    cwd: project,
    env: { ...process.env, CODIKA_MOCK_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // npm's child too is stopped below, by the process group
  });
  children.push(packagedMock);
  packagedMock.stdout!.on('data', (chunk: Buffer) => mockOutput.push(chunk.toString()));
  packagedMock.stderr!.on('data', (chunk: Buffer) => mockOutput.push(chunk.toString()));
  await waitUntil(() => /Mock Codika API on (\S+);/.test(mockOutput.join('')), 'the packaged mock', {
    timeoutMs: 60_000,
  });
  const mockUrl = /Mock Codika API on (\S+);/.exec(mockOutput.join(''))![1]!;

  const taskQueue = 'quickstart-bundled-worker';
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
    CODIKA_TASK_QUEUE: taskQueue,
    CODIKA_API_KEY: 'ck_demo_key',
    CODIKA_BASE_URL: mockUrl,
  };
  const output: string[] = [];
  const worker = spawn(cli, ['worker'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(worker);
  worker.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));

  // The run waits on the task queue until the worker has bundled its workflows and polls.
  const { stdout } = await execFileAsync(
    cli,
    ['run', 'pi_bundled', 'text-summarizer', '--payload', '{"text_input":"one two three"}', '--json'],
    { cwd: project, env, timeout: 180_000 },
  );
  expect(JSON.parse(stdout)).toMatchObject({
    status: 'succeeded',
    result: { resultData: { summary: 'one two three', words: 3 } },
  });

  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  await expect(exited).resolves.toBe(0);
  expect(output.join('')).not.toContain('ck_demo_key');
  process.kill(-packagedMock.pid!, 'SIGTERM');
}, 300_000);

/** Whether `^range` accepts `version` (npm's caret: below 1.0.0 the minor version is the breaking one). */
function caretAccepts(range: string, version: string): boolean {
  const [floor, candidate] = [range.replace(/^\^/, ''), version].map((v) => v.split('.').map(Number)) as [
    number[],
    number[],
  ];
  const fixed = floor[0] === 0 ? 2 : 1; // leading parts that must match exactly
  for (let i = 0; i < fixed; i += 1) if (candidate[i] !== floor[i]) return false;
  for (let i = fixed; i < 3; i += 1) if (candidate[i]! !== floor[i]!) return candidate[i]! > floor[i]!;
  return true;
}
