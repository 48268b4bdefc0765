import { join } from 'node:path';
import { buildWithGo, cacheDirOf, findOnPath, isExecutable, type GoBinary } from './go-install';

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

const TEMPORAL_CLI: GoBinary = {
  label: 'the Temporal CLI',
  cacheFolder: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  binaryName: 'temporal',
  target: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
};

/** Folder holding the cached build: `${XDG_CACHE_HOME:-$HOME/.cache}/codika-temporal/temporal-cli-<version>`. */
export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return cacheDirOf(TEMPORAL_CLI, env);
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
  return { path: await buildWithGo(TEMPORAL_CLI, go, env, log), source: 'go install' };
}
