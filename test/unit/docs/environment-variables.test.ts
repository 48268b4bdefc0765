/**
 * docs/environment.md's table lists every environment variable the project reads, and nothing it no
 * longer reads. "Reads" is found by scanning the source, so a new `env.CODIKA_…` read fails here until
 * it has a row.
 *
 * The scan covers every upper-case name read, less STANDARD_VARIABLES (those of the system and of
 * other tools, documented by them), rather than a list of prefixes: a name the project invents with
 * any prefix (`CHROMIUM_PATH`, `FUZZ_SEED`) is caught too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Where the project reads its environment: code, scripts, benchmarks, tests, jest configs and CI. */
const SCANNED = ['src', 'scripts', 'bench', 'test', 'examples', '.ci/run', ...readdirSync(ROOT).filter(isJestConfig)];
const SKIPPED_FOLDERS = new Set(['node_modules', 'results', 'histories']);

/**
 * Read, but not ours to document: the system's and the shell's (`PATH`, `HOME`, `PIPESTATUS`), and
 * those of Go and the XDG base directories, whose own documentation says what they do.
 */
const STANDARD_VARIABLES = new Set(['PATH', 'HOME', 'PIPESTATUS', 'GOFLAGS', 'XDG_CACHE_HOME']);

/**
 * Names `@temporalio/envconfig` reads when the project hands it the whole environment
 * (src/client/temporal-connection.ts): taken from its source, so an SDK that reads a new one fails
 * here. `TEMPORAL_CODEC_*` it parses into a profile's codec, which `loadClientConnectConfig` drops:
 * the library never acts on them (its codec is `CODIKA_CODEC_KEYS`).
 */
function readByEnvconfig(): Set<string> {
  const lib = join(ROOT, 'node_modules', '@temporalio', 'envconfig', 'lib');
  const names = new Set<string>();
  for (const file of readdirSync(lib).filter((name) => name.endsWith('.js'))) {
    for (const [, name] of readFileSync(join(lib, file), 'utf8').matchAll(/['"](TEMPORAL_[A-Z0-9_]+)['"]/g)) {
      // `'TEMPORAL_GRPC_META_'` is a prefix: every variable starting with it is a header.
      if (!name!.startsWith('TEMPORAL_CODEC_')) names.add(name!.endsWith('_') ? `${name}*` : name!);
    }
  }
  return names;
}

/**
 * Names one TypeScript or JavaScript file reads:
 * - `env.NAME`, `env?.NAME`, `env['NAME']` (so `process.env.NAME` too, and any `env` parameter), unless
 *   it is assigned (`env.NAME = …` sets a variable for child processes; `===` is still a read);
 * - `env[CONSTANT]`, with `CONSTANT = 'NAME'` declared in the same file;
 * - `const { NAME, OTHER } = process.env` (or `= env`).
 * Any other computed read (`env[name]`, a template) fails the scan: it would hide a name from it.
 */
function readInCode(path: string, text: string): string[] {
  const notAssigned = String.raw`(?!\s*=(?!=))`;
  const direct = new RegExp(String.raw`\benv\??\.([A-Z][A-Z0-9_]*)\b` + notAssigned, 'g');
  const quoted = new RegExp(String.raw`\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]` + notAssigned, 'g');
  const byConstant = new RegExp(String.raw`\benv\[\s*([A-Z][A-Z0-9_]*)\s*\]` + notAssigned, 'g');
  const names = [...text.matchAll(direct), ...text.matchAll(quoted)].map((match) => match[1]!);
  for (const [, fields] of text.matchAll(/\{([^{}]*)\}\s*=\s*(?:process\.)?env\b/g))
    names.push(
      ...fields!
        .split(',')
        .map((field) => field.split(':')[0]!.trim())
        .filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name)),
    );
  const computed = new RegExp(String.raw`\benv\[\s*(?!['"][A-Z]|[A-Z][A-Z0-9_]*\s*\])([^\]]*)\]` + notAssigned, 'g');
  for (const [, expression] of text.matchAll(computed))
    throw new Error(`${path} reads env[${expression}]: read it by its name (env.NAME) so this scan sees it`);
  for (const [, constant] of text.matchAll(byConstant)) {
    const declared = new RegExp(String.raw`\b${constant}\s*=\s*['"]([A-Z][A-Z0-9_]*)['"]`).exec(text);
    if (!declared) throw new Error(`${path} reads env[${constant}]: declare ${constant} = '<NAME>' in that file`);
    names.push(declared[1]!);
  }
  return names;
}

/** Names one shell script reads: `$NAME` and `${NAME…}`, less those it sets itself (`NAME=`). */
function readInShell(text: string): string[] {
  const own = new Set([...text.matchAll(/^\s*(?:export\s+|local\s+)?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
  return [...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!).filter((name) => !own.has(name));
}

/** Every variable read, with the files that read it. */
function variablesRead(): Map<string, Set<string>> {
  const read = new Map<string, Set<string>>();
  const add = (name: string, where: string) => read.set(name, (read.get(name) ?? new Set()).add(where));
  let usesEnvconfig = false;
  for (const path of SCANNED.flatMap((entry) => files(join(ROOT, entry)))) {
    const where = relative(ROOT, path);
    if (where === relative(ROOT, __filename)) continue;
    const text = readFileSync(path, 'utf8');
    usesEnvconfig ||= text.includes("from '@temporalio/envconfig'");
    const names = /\.(sh)$|(^|\/)run$/.test(where) ? readInShell(text) : readInCode(where, text);
    for (const name of names) add(name, where);
  }
  if (usesEnvconfig) for (const name of readByEnvconfig()) add(name, '@temporalio/envconfig');
  for (const name of STANDARD_VARIABLES) read.delete(name);
  return read;
}

/** The names in the first column of docs/environment.md's table; `TEMPORAL_TLS_*` stands for a prefix. */
function documentedVariables(): string[] {
  const text = readFileSync(join(ROOT, 'docs', 'environment.md'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map((match) => match[1]!));
}

function covers(documented: string, name: string): boolean {
  return documented === name || (documented.endsWith('*') && name.startsWith(documented.slice(0, -1)));
}

const read = variablesRead();
const documented = documentedVariables();

test('the scan finds the variables the worker, the CLI and the tests read', () => {
  // Guards the scan itself: a regex that stopped matching would make both checks below pass vacuously.
  for (const name of ['CODIKA_API_KEY', 'CODIKA_CODEC_KEYS', 'TEMPORAL_ADDRESS', 'TEMPORAL_TEST_ADDRESS']) {
    expect(read.has(name)).toBe(true);
  }
});

test('every variable the project reads is documented in docs/environment.md', () => {
  const undocumented = [...read.keys()]
    .filter((name) => !documented.some((entry) => covers(entry, name)))
    .map((name) => `${name} (read in ${[...read.get(name)!].join(', ')})`);
  expect(undocumented).toEqual([]);
});

test('every variable docs/environment.md documents is read somewhere', () => {
  const unread = documented.filter((entry) => ![...read.keys()].some((name) => covers(entry, name)));
  expect(unread).toEqual([]);
});

test('docs/environment.md lists each variable once', () => {
  expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([]);
});

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !SKIPPED_FOLDERS.has(name))
    .flatMap((name) => files(join(path, name)))
    .filter((file) => /\.(ts|js|mjs|cjs|sh)$|(^|\/)run$/.test(file));
}

function isJestConfig(name: string): boolean {
  return /^jest(\..+)?\.config\.js$/.test(name);
}
