import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
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
  path: string;
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
  const lock = join(cacheDir, '.build-lock');
  const release = await acquireLock(lock, log);
  try {
    if (isExecutable(join(cacheDir, 'temporal'))) return;
    const target = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
    log(`Building the Temporal CLI (${target}) into ${cacheDir}: first run only, takes several minutes…`);
    const started = Date.now();
    try {
      await promisify(execFile)(go, ['install', target], {
        env: { ...env, GOBIN: cacheDir, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`go install ${target} failed:\n${stderr.split('\n').slice(-20).join('\n')}`);
    }
    log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    release();
  }
}

async function acquireLock(lock: string, log: (m: string) => void): Promise<() => void> {
  const staleAfterMs = 30 * 60_000;
  for (let waited = 0; ; waited += 2000) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > staleAfterMs)
        rmSync(lock, { recursive: true, force: true });
      if (waited === 0) log('Another process is building the Temporal CLI; waiting for it…');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
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
