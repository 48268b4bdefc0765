import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The Temporal CLI tag built from Go modules: the newest whose go.mod has no `replace` directive
 * (later tags make `go install` refuse). It bundles Temporal Server 1.29.1 and the Web UI.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

/** Where a Temporal CLI binary was found, for messages and logs. */
export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install';

/** A usable `temporal` binary. */
export interface TemporalCli {
  /** The binary to run. */
  path: string;
  /** Where it was found. */
  source: TemporalCliSource;
}

/** Options of {@link findOrBuildTemporalCli}. */
export interface FindTemporalCliOptions {
  /** Environment to read (`TEMPORAL_CLI_PATH`, `PATH`, `XDG_CACHE_HOME`). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress messages (the Go build takes minutes). @default writes to stderr */
  log?: (message: string) => void;
  /** Build with `go install` when nothing else is found. @default true */
  allowBuild?: boolean;
}

/** Folder holding the cached build: `${XDG_CACHE_HOME:-$HOME/.cache}/codika-temporal/temporal-cli-<version>`. */
export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheRoot, 'codika-temporal', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

/**
 * Finds a Temporal CLI in this order: `TEMPORAL_CLI_PATH`, `temporal` on `PATH`, the cached build,
 * then builds it with `go install` into the cache. Resolves to undefined when none can be had
 * (no Go toolchain), so the caller can fall back to the SDK's download on machines with internet.
 *
 * @throws Error when `TEMPORAL_CLI_PATH` points at a missing or non-executable file, or the Go build fails.
 */
export async function findOrBuildTemporalCli(options: FindTemporalCliOptions = {}): Promise<TemporalCli | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));

  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file; fix or unset it`);
    }
    return { path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'PATH' };

  const cacheDir = temporalCliCacheDir(env);
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };

  const go = findOnPath('go', env.PATH ?? '');
  if (!go || options.allowBuild === false) return undefined;
  await buildWithGo(go, cacheDir, env, log);
  return { path: cached, source: 'go install' };
}

async function buildWithGo(
  go: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  // A second process (demo and tests started together) waits for the first build instead of racing it.
  const release = await acquireLock(join(cacheDir, '.build-lock'), log);
  try {
    const binary = join(cacheDir, 'temporal');
    if (isExecutable(binary)) return;
    const target = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
    log(`Building the Temporal CLI (${target}) into ${cacheDir}: first run only, takes several minutes…`);
    const started = Date.now();
    // Built elsewhere and renamed into place, so an interrupted build never leaves a half binary that looks cached.
    const staging = mkdtempSync(join(cacheDir, '.build-'));
    try {
      await promisify(execFile)(go, ['install', target], {
        env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
        maxBuffer: 64 * 1024 * 1024,
      });
      renameSync(join(staging, 'temporal'), binary);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new Error(`go install ${target} failed:\n${stderr.split('\n').slice(-20).join('\n')}`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    release();
  }
}

/** A lock folder holding its owner's pid; a lock whose owner died (Ctrl+C during the build) is taken over. */
async function acquireLock(lock: string, log: (m: string) => void): Promise<() => void> {
  const owner = join(lock, 'pid');
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      if (!isAlive(readPid(owner))) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (attempt === 0) log('Another process is building the Temporal CLI; waiting for it…');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
