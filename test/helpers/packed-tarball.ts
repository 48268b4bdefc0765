/**
 * The library packed as `npm publish` packs it, once per test run. `npm pack` compiles dist/ afresh
 * (its `prepack`), so two test files packing at once would delete each other's dist/: the first caller
 * takes a lock folder and packs, the others wait for its answer in the run's folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './wait';

/** The packed tarball and what it holds. */
export interface PackedTarball {
  /** Absolute path of the `.tgz`. */
  path: string;
  /** The files in it, relative to the package root (`dist/index.js`, `README.md`…). */
  files: string[];
  version: string;
}

export const repositoryRoot = resolve(__dirname, '..', '..');

const PACK_TIMEOUT_MS = 600_000;

/** Packs the library (or waits for the test file that packs it) and resolves with the tarball. */
export async function packedTarball(): Promise<PackedTarball> {
  // The run's folder is the one place every jest worker shares: without it there is no lock to share.
  const runDir = process.env.CODIKA_TEST_DIR;
  if (!runDir)
    throw new Error('CODIKA_TEST_DIR is not set: run this under jest, whose global setup makes the run folder');
  const dir = join(runDir, 'packed');
  const answer = join(dir, 'pack.json');
  const failure = join(dir, 'pack-error.txt');
  if (tryLock(join(dir, '.lock'))) {
    try {
      writeAtomically(answer, JSON.stringify(await pack(dir)));
    } catch (err) {
      writeAtomically(failure, String((err as Error).stack ?? err));
      throw err;
    }
  }
  const deadline = Date.now() + PACK_TIMEOUT_MS;
  while (!existsSync(answer)) {
    if (existsSync(failure)) throw new Error(`npm pack failed in another test file:\n${readFileSync(failure, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`no tarball in ${dir} after ${PACK_TIMEOUT_MS / 1000} s`);
    await sleep(500);
  }
  return JSON.parse(readFileSync(answer, 'utf8')) as PackedTarball;
}

// A waiter polls for the file: it must never see it half written.
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.partial`, text);
  renameSync(`${path}.partial`, path);
}

function tryLock(lock: string): boolean {
  mkdirSync(join(lock, '..'), { recursive: true });
  try {
    mkdirSync(lock); // atomic: exactly one caller creates it
    return true;
  } catch {
    return false;
  }
}

async function pack(destination: string): Promise<PackedTarball> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: repositoryRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; version: string; files: { path: string }[] }[];
  return {
    path: join(destination, packed!.filename),
    files: packed!.files.map((file) => file.path),
    version: packed!.version,
  };
}
