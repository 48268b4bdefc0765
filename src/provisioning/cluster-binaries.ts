/**
 * The Temporal binaries the project runs, built from Go modules (one cache, one build path): the
 * Temporal server (the local cluster's services, and the dev server of the tests and the demo on
 * SQLite), its SQL schema tool, and the standalone UI server. Two of them are named `server` by the
 * go command, so each has a folder of its own, named with its version: a build of another version
 * is never taken for this one. The SQL schemas come from the server's module itself, so they always
 * match the server's version.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildWithGo, cacheDirOf, cachedBinary, findOnPath, type GoBinary, type ProvisionLog } from './go-install';

/** The Temporal server's version: the tests, the demo, the benchmarks and the cluster run it. */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The UI server's version, beside {@link TEMPORAL_SERVER_VERSION}. */
export const TEMPORAL_UI_SERVER_VERSION = '2.58.1';
/**
 * Server 1.32 and UI server 2.58 declare Go 1.26.10, newer than the machines' Go: the go command
 * fetches this approved toolchain from the module proxy for their builds only.
 */
export const GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL = 'go1.27.3';

const SERVER_MODULE = 'go.temporal.io/server';

/** The server and its SQL tool of one server version (the current one, or an older one to migrate from). */
export function serverBinariesOf(version: string): { server: GoBinary; sqlTool: GoBinary } {
  const toolchain = version === TEMPORAL_SERVER_VERSION ? GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL : undefined;
  return {
    server: {
      label: `the Temporal server ${version}`,
      cacheFolder: `temporal-server-${version}`,
      binaryName: 'server',
      target: `${SERVER_MODULE}/cmd/server@v${version}`,
      toolchain,
    },
    sqlTool: {
      label: `the Temporal server's SQL tool ${version}`,
      cacheFolder: `temporal-sql-tool-${version}`,
      binaryName: 'sql',
      target: `${SERVER_MODULE}/cmd/tools/sql@v${version}`,
      toolchain,
    },
  };
}

/** The Go binaries of the cluster and the dev server. */
export const CLUSTER_BINARIES = {
  ...serverBinariesOf(TEMPORAL_SERVER_VERSION),
  uiServer: {
    label: `the Temporal UI server ${TEMPORAL_UI_SERVER_VERSION}`,
    cacheFolder: `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`,
    binaryName: 'server',
    target: 'github.com/temporalio/ui-server/v2/cmd/server',
    toolchain: GO_TOOLCHAIN_FOR_CURRENT_TEMPORAL,
    // Its go.mod needs go.temporal.io/api v1.64.0, which the proxy does not serve: see tools/ui-server.
    wrapperModule: resolve(__dirname, '..', '..', 'tools', 'ui-server'),
  },
} as const satisfies Record<string, GoBinary>;

/** Paths to everything the cluster runs. */
export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
  /** `schema/postgresql/v12` of the server's module: `temporal/versioned` and `visibility/versioned`. */
  postgresSchemaDir: string;
}

/**
 * The cached builds, else builds them with `go install` (minutes, once), and the server's PostgreSQL
 * schemas, copied into the cache beside the server.
 *
 * @throws Error when a binary is missing and Go is not installed, or a build fails.
 */
export async function findOrBuildClusterBinaries(
  env: NodeJS.ProcessEnv = process.env,
  log: ProvisionLog = defaultLog,
  serverVersion: string = TEMPORAL_SERVER_VERSION,
): Promise<ClusterBinaries> {
  const { server, sqlTool, postgresSchemaDir } = await findOrBuildServerBinaries(serverVersion, env, log);
  const uiServer = await findOrBuildGoBinary(CLUSTER_BINARIES.uiServer, env, log);
  return { server, sqlTool, uiServer, postgresSchemaDir };
}

/**
 * The server, SQL tool and PostgreSQL schemas of one server version: the current one, or an older
 * one whose data folder a test migrates.
 */
export async function findOrBuildServerBinaries(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
  log: ProvisionLog = defaultLog,
): Promise<Omit<ClusterBinaries, 'uiServer'>> {
  const binaries = serverBinariesOf(version);
  const server = await findOrBuildGoBinary(binaries.server, env, log);
  const sqlTool = await findOrBuildGoBinary(binaries.sqlTool, env, log);
  const go = findOnPath('go', env.PATH ?? '');
  const postgresSchemaDir = join(cacheDirOf(binaries.server, env), 'schema', 'postgresql', 'v12');
  // Copied whole or not at all: staged, made writable (the module cache's files are read-only), renamed.
  if (!existsSync(postgresSchemaDir)) {
    if (!go)
      throw new Error('the PostgreSQL schemas are not cached and Go is not installed: install Go 1.25+ and run again');
    const moduleDir = await downloadedModuleDir(go, `${SERVER_MODULE}@v${version}`, binaries.server.toolchain, env);
    const staging = `${postgresSchemaDir}.${process.pid}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(postgresSchemaDir), { recursive: true });
    cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), staging, { recursive: true });
    makeWritable(staging);
    renameSync(staging, postgresSchemaDir);
  }
  return { server, sqlTool, postgresSchemaDir };
}

/** The cached build of one binary, else its build (minutes, once). @throws Error when Go is missing or the build fails. */
export async function findOrBuildGoBinary(
  binary: GoBinary,
  env: NodeJS.ProcessEnv = process.env,
  log: ProvisionLog = defaultLog,
): Promise<string> {
  const cached = cachedBinary(binary, env);
  if (cached) return cached;
  const go = findOnPath('go', env.PATH ?? '');
  if (!go) throw new Error(`${binary.label} is not built yet and Go is not installed: install Go 1.25+ and run again`);
  return buildWithGo(binary, go, env, log);
}

function defaultLog(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Gives the owner write access to a copied tree, so the cache can be cleared like any folder. */
function makeWritable(path: string): void {
  chmodSync(path, statSync(path).mode | 0o200);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

/**
 * Where the module cache holds a module's source (`go mod download` fetches it when missing), with
 * the toolchain its go.mod asks for (the go command refuses the module otherwise).
 */
async function downloadedModuleDir(
  go: string,
  module: string,
  toolchain: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', module], {
    env: toolchain ? { ...env, GOTOOLCHAIN: toolchain } : env,
    cwd: '/',
  });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}
