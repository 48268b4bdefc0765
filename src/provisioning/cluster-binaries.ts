/**
 * The binaries of the local cluster, built from Go modules like the Temporal CLI (same cache, same
 * build path): the Temporal server, its SQL schema tool, and the standalone UI server. Two of them are
 * named `server` by `go install`, so each has a folder of its own. The SQL schemas come from the
 * server's module itself, so they always match the server's version.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildWithGo, cacheDirOf, cachedBinary, findOnPath, type GoBinary, type ProvisionLog } from './go-install';

/** The Temporal server's version: the one the Temporal CLI 1.5.1 embeds. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The UI server's version: the one the Temporal CLI 1.5.1 embeds. */
export const TEMPORAL_UI_SERVER_VERSION = '2.42.1';

const SERVER_MODULE = 'go.temporal.io/server';

/** The Go binaries of the cluster. */
export const CLUSTER_BINARIES = {
  server: {
    label: 'the Temporal server',
    cacheFolder: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
    binaryName: 'server',
    target: `${SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  },
  sqlTool: {
    label: "the Temporal server's SQL tool",
    cacheFolder: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
    binaryName: 'sql',
    target: `${SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
  },
  uiServer: {
    label: 'the Temporal UI server',
    cacheFolder: `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`,
    binaryName: 'server',
    target: `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_SERVER_VERSION}`,
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
  log: ProvisionLog = (message) => process.stderr.write(`${message}\n`),
): Promise<ClusterBinaries> {
  const go = findOnPath('go', env.PATH ?? '');
  const ensure = async (binary: GoBinary) => {
    const cached = cachedBinary(binary, env);
    if (cached) return cached;
    if (!go)
      throw new Error(`${binary.label} is not built yet and Go is not installed: install Go 1.25+ and run again`);
    return buildWithGo(binary, go, env, log);
  };
  const server = await ensure(CLUSTER_BINARIES.server);
  const sqlTool = await ensure(CLUSTER_BINARIES.sqlTool);
  const uiServer = await ensure(CLUSTER_BINARIES.uiServer);
  const postgresSchemaDir = join(cacheDirOf(CLUSTER_BINARIES.server, env), 'schema', 'postgresql', 'v12');
  // Copied whole or not at all: staged, made writable (the module cache's files are read-only), renamed.
  if (!existsSync(postgresSchemaDir)) {
    if (!go)
      throw new Error('the PostgreSQL schemas are not cached and Go is not installed: install Go 1.25+ and run again');
    const moduleDir = await downloadedModuleDir(go, `${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`, env);
    const staging = `${postgresSchemaDir}.${process.pid}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(postgresSchemaDir), { recursive: true });
    cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), staging, { recursive: true });
    makeWritable(staging);
    renameSync(staging, postgresSchemaDir);
  }
  return { server, sqlTool, uiServer, postgresSchemaDir };
}

/** Gives the owner write access to a copied tree, so the cache can be cleared like any folder. */
function makeWritable(path: string): void {
  chmodSync(path, statSync(path).mode | 0o200);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

/** Where the module cache holds a module's source (`go mod download` fetches it when missing). */
async function downloadedModuleDir(go: string, module: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', module], { env, cwd: '/' });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}
