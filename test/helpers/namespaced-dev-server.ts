/**
 * One Temporal dev server whose namespaces each have dynamic config of their own: the Temporal CLI's
 * dev server package, started by `tools/namespaced-dev-server` (built from Go modules, cached like the
 * CLI). `temporal server start-dev` sets a dynamic config value for every namespace at once; the
 * continue-as-new fuzz suite gives each threshold a namespace of one server instead of a server each.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { provisioningCacheRoot } from '../../src/provisioning/go-install';
import { DEV_SERVER_DYNAMIC_CONFIG, freePort } from '../../src/testing/local-temporal-server';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../../src/shared/search-attribute-keys';

const TOOL_DIR = join(__dirname, '..', '..', 'tools', 'namespaced-dev-server');
/** The CLI module version in the tool's go.mod: a new version builds into a folder of its own. */
const CACHE_FOLDER = 'namespaced-dev-server-cli-1.5.1';

export interface NamespacedDevServer {
  address: string;
  stop(): Promise<void>;
}

/** The cached build, else `go build` of tools/namespaced-dev-server (minutes on a bare machine, once). */
export async function findOrBuildNamespacedDevServer(log: (message: string) => void = () => {}): Promise<string> {
  const dir = join(provisioningCacheRoot(), CACHE_FOLDER);
  const binary = join(dir, 'namespaced-dev-server');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`Building tools/namespaced-dev-server into ${dir} (first run only)…`);
  // Built elsewhere and renamed into place: an interrupted build never looks cached.
  const staging = mkdtempSync(join(dir, '.build-'));
  try {
    await promisify(execFile)('go', ['build', '-o', join(staging, 'namespaced-dev-server'), '.'], {
      cwd: TOOL_DIR,
      env: { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
      maxBuffer: 64 * 1024 * 1024,
    });
    renameSync(join(staging, 'namespaced-dev-server'), binary);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`go build of tools/namespaced-dev-server failed:\n${stderr.split('\n').slice(-20).join('\n')}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Starts the server with a namespace per key of `namespaces`, each with its own dynamic config values
 * (the launcher's `DEV_SERVER_DYNAMIC_CONFIG` holds for all), and the Codika search attributes.
 */
export async function startNamespacedDevServer(
  namespaces: Record<string, Record<string, unknown>>,
): Promise<NamespacedDevServer> {
  const binary = await findOrBuildNamespacedDevServer();
  const port = await freePort();
  const args = ['--port', String(port)];
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const [namespace, values] of Object.entries(namespaces)) {
    args.push('--namespace', namespace);
    for (const [key, value] of Object.entries(values))
      args.push('--namespace-config-value', `${namespace}:${key}=${JSON.stringify(value)}`);
  }
  for (const name of CODIKA_SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`namespaced-dev-server exited (${code}):\n${output}`)));
  });
  await ready;
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of Object.keys(namespaces)) await connection.workflowService.describeNamespace({ namespace });
  } finally {
    await connection.close();
  }
  return {
    address,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
