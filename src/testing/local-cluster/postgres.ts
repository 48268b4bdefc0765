/**
 * PostgreSQL from the machine's own packages (Debian's `postgresql`), in a data folder of the
 * cluster's own, listening on 127.0.0.1 only. PostgreSQL refuses to run as root: as root, every
 * command runs as the `postgres` system user, and the data folder belongs to it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { findOnPath, isExecutable } from '../../provisioning/go-install';
import { hasExited } from './child-processes';

/** The role Temporal connects as; a local cluster's only user, with a password because the server asks for one. */
export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

/** Where `initdb`, `postgres` and `pg_ctl` are: Debian keeps them out of `PATH`. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODIKA_POSTGRES_BIN) {
    if (!isExecutable(join(env.CODIKA_POSTGRES_BIN, 'postgres'))) {
      throw new Error(`CODIKA_POSTGRES_BIN=${env.CODIKA_POSTGRES_BIN} holds no postgres binary; fix or unset it`);
    }
    return env.CODIKA_POSTGRES_BIN;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => isExecutable(join(debianRoot, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debianRoot, versions[0], 'bin');
  }
  const onPath = findOnPath('postgres', env.PATH ?? '');
  if (onPath) return onPath.slice(0, -'/postgres'.length);
  throw new Error(
    'PostgreSQL is not installed: install it (Debian: apt-get install postgresql) or set CODIKA_POSTGRES_BIN to the folder holding postgres and initdb',
  );
}

/** Runs a PostgreSQL program as the user PostgreSQL accepts: `postgres` when we are root. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
  /** The data folder; created and initialised on first use, reused afterwards. */
  dataDir: string;
  port: number;
  /** Where PostgreSQL writes its log. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** A running PostgreSQL. */
export interface RunningPostgres {
  process: ChildProcess;
  port: number;
  /** Stops it with a fast shutdown (SIGINT): open transactions are rolled back, data is safe. */
  stop(): Promise<void>;
}

/** Initialises the data folder if needed, then starts PostgreSQL in the background and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const bin = findPostgresBin(options.env);
  initialise(bin, options.dataDir);
  // A PostgreSQL left running on this data by an interrupted run would answer in this one's place.
  stopLeftover(bin, options.dataDir);
  const [command, args] = asPostgresUser(join(bin, 'postgres'), [
    '-D',
    options.dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${options.dataDir}`,
    '-c',
    `logging_collector=off`,
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.pipe(createWriteStream(options.logFile, { flags: 'a' }));
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new Error(`cannot start PostgreSQL (${command}): ${err.message}`))),
  );
  try {
    await Promise.race([waitUntilReady(bin, options.port, child, options.logFile), spawnFailed]);
  } catch (err) {
    // As root it runs under runuser in a session of its own: it would outlive this process.
    pgCtlStop(bin, options.dataDir);
    throw err;
  }
  return {
    process: child,
    port: options.port,
    async stop() {
      if (hasExited(child)) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      pgCtlStop(bin, options.dataDir);
      await exited;
    },
  };
}

/**
 * Stops a server a previous run left on this data folder, when `postmaster.pid` names a live
 * PostgreSQL; a stale file (its process gone, or its pid reused by something else) is removed.
 */
function stopLeftover(bin: string, dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No such process.
  }
  if (command.includes('postgres')) pgCtlStop(bin, dataDir);
  else rmSync(pidFile, { force: true });
}

/**
 * A fast shutdown through `pg_ctl`, which signals the server itself: as root the server runs under
 * `runuser`, which does not pass signals on. Waits until it is down; quiet when none runs.
 */
function pgCtlStop(bin: string, dataDir: string): void {
  const [command, args] = asPostgresUser(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // Not running (a stale postmaster.pid): nothing to stop.
  }
}

function initialise(bin: string, dataDir: string): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) assertReachableByPostgres(dirname(dataDir));
  const pwfile = join(dataDir, '..', 'postgres-password');
  writeFileSync(pwfile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUser();
    chownSync(dataDir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const [command, args] = asPostgresUser(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    POSTGRES_USER,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--no-instructions',
  ]);
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The `postgres` system user PostgreSQL runs as when we are root. @throws Error saying what to install. */
function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    execFileSync('runuser', ['--version'], { stdio: 'ignore' });
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root needs a postgres system user and runuser (PostgreSQL refuses to run as root): install the postgresql package, or run as an ordinary user',
    );
  }
}

/** As root, the server runs as `postgres`, which must be able to reach its data folder. */
function assertReachableByPostgres(dir: string): void {
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `the postgres user cannot reach ${dir}: PostgreSQL refuses to run as root, so its data folder must be in a folder every user can enter (chmod 755 each folder above it)`,
    );
  }
}

async function waitUntilReady(bin: string, port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited(child)) throw new Error(`PostgreSQL exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      await sleep(200);
      // Ready, and it is ours: another server on the port would have made this one exit.
      if (hasExited(child))
        throw new Error(`PostgreSQL exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
      return;
    } catch (err) {
      if (hasExited(child)) throw err;
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s; see ${logFile}`);
      await sleep(250);
    }
  }
}
