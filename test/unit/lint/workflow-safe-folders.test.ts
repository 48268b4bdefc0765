/**
 * `npm run lint` must refuse a Node import anywhere in the folders bundled into workflows, by folder
 * glob: a file added tomorrow is covered without anyone listing it. ESLint lints real files of each
 * folder with one import added, with the project's own configuration, as `npm run lint` would.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';

/** The folders docs/architecture.md names as bundled into workflows. */
const WORKFLOW_SAFE = ['src/shared', 'src/pipeline', 'src/workflows'];

/** Every .ts file under a folder, subfolders included. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Probe {
  file: string;
  line: string;
}

/** One ESLint process for every probe (each costs seconds to start with typed linting). */
function lintProbes(probes: Probe[]): string[][] {
  const cases = probes.map(({ file, line }) => ({ file, text: `${line}\n${readFileSync(file, 'utf8')}` }));
  const output = execFileSync(process.execPath, [join(ROOT, 'test', 'helpers', 'lint-probe.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const messages = JSON.parse(output) as { ruleId: string | null; message: string }[][];
  return messages.map((list) => list.filter((m) => m.ruleId === RULE).map((m) => m.message));
}

const NODE_IMPORT = "import { readFileSync } from 'node:fs';";
const OTHER_REFUSED: [line: string, reason: string][] = [
  ["import { setTimeout as wait } from 'timers/promises';", 'Node built-ins'],
  ["import { CodikaClient } from '../codika/client';", 'only from workflow-safe folders'],
  ["import { createCodikaWorker } from '../worker-setup/create-codika-worker';", 'only from workflow-safe folders'],
];
const ENGINE_FILE = join(ROOT, 'src', 'workflows', 'execution', 'codika-step.ts');
const CLIENT_FILE = join(ROOT, 'src', 'codika', 'client.ts');

const everyFile = WORKFLOW_SAFE.flatMap((folder) => tsFiles(join(ROOT, folder)));
const onePerFolder = WORKFLOW_SAFE.map((folder) => tsFiles(join(ROOT, folder))[0]!);
const probes: Probe[] = [
  ...everyFile.map((file) => ({ file, line: NODE_IMPORT })),
  ...OTHER_REFUSED.flatMap(([line]) => onePerFolder.map((file) => ({ file, line }))),
  { file: ENGINE_FILE, line: "import type { CodikaClient } from '../../codika/client';" },
  { file: CLIENT_FILE, line: NODE_IMPORT },
];
let results: string[][];
beforeAll(() => {
  results = lintProbes(probes);
}, 120_000);

/** What ESLint said about each probe matching `filter`, keyed by file. */
function found(filter: (probe: Probe) => boolean): Record<string, string[]> {
  return Object.fromEntries(
    probes.flatMap((probe, i) => (filter(probe) ? [[relative(ROOT, probe.file), results[i]!]] : [])),
  );
}

test('a Node built-in is refused in every file of every workflow-safe folder, subfolders included', () => {
  expect(everyFile.some((file) => file.startsWith(join(ROOT, 'src', 'workflows', 'pipeline-engine')))).toBe(true);
  const refused = found((p) => p.line === NODE_IMPORT && p.file !== CLIENT_FILE);
  expect(Object.keys(refused)).toHaveLength(everyFile.length);
  for (const [file, messages] of Object.entries(refused)) {
    expect({ file, messages }).toEqual({ file, messages: [expect.stringContaining('Node built-ins')] });
  }
});

test.each(OTHER_REFUSED)('%s is refused in each workflow-safe folder', (line, reason) => {
  const refused = found((p) => p.line === line);
  expect(Object.keys(refused)).toHaveLength(WORKFLOW_SAFE.length);
  for (const [file, messages] of Object.entries(refused)) {
    expect({ file, messages }).toEqual({ file, messages: [expect.stringContaining(reason)] });
  }
});

test('a type-only import of another layer is allowed there, and Node stays allowed outside those folders', () => {
  expect(found((p) => p.line.startsWith('import type'))).toEqual({ 'src/workflows/execution/codika-step.ts': [] });
  expect(found((p) => p.file === CLIENT_FILE)).toEqual({ 'src/codika/client.ts': [] });
});

test('every folder of src/ is classified, so a new Node folder cannot be imported by workflow code unnoticed', () => {
  const output = execFileSync(process.execPath, [join(ROOT, 'test', 'helpers', 'lint-probe.mjs'), '--folders'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const lists = JSON.parse(output) as { WORKFLOW_SAFE_FOLDERS: string[]; NOT_WORKFLOW_SAFE: string[] };
  expect(lists.WORKFLOW_SAFE_FOLDERS).toEqual(WORKFLOW_SAFE);
  const classified = new Set([
    ...lists.WORKFLOW_SAFE_FOLDERS.map((f) => f.replace('src/', '')),
    ...lists.NOT_WORKFLOW_SAFE,
  ]);
  const folders = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory());
  expect(folders.filter((name) => !classified.has(name))).toEqual([]);
});
