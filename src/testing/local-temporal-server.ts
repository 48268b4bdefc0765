import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../shared/search-attribute-keys';
import { OLDEST_SUPPORTED_SERVER_VERSION } from '../shared/server-versions';
import { CLUSTER_BINARIES, findOrBuildGoBinary, TEMPORAL_SERVER_VERSION } from '../provisioning/cluster-binaries';
import { findOnPath } from '../provisioning/go-install';
import { findOrBuildTemporalCli, TEMPORAL_CLI_VERSION } from '../provisioning/temporal-cli';
import {
  devServerConfig,
  devServerDefaults,
  dynamicConfigFile,
  type DevServerPorts,
} from './dev-server/dev-server-config';
import { startUiServer } from './local-cluster/ui-server';

/** Options of {@link LocalTemporalServer.start}. */
export interface LocalTemporalServerOptions {
  /** gRPC port. @default a free port */
  port?: number;
  /** Serve the Web UI. @default false */
  ui?: boolean;
  /** Web UI port when `ui` is on. @default a free port */
  uiPort?: number;
  /** Codec server the Web UI decodes payloads with (`codika-temporal codec-server`). @default none */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps state across restarts. @default in memory */
  dbFilename?: string;
  /** How long to wait for the server to answer. @default 120000 (two busy cores can be slow) */
  startTimeoutMs?: number;
  /** Where the server's own output goes. @default a file in the OS temp folder */
  logFile?: string;
  /** Progress messages. @default stderr */
  log?: (message: string) => void;
  /** Namespaces to create besides `default`, e.g. a Nexus caller's. @default none */
  namespaces?: string[];
  /** Server dynamic config, added to the launcher's own (`DEV_SERVER_DYNAMIC_CONFIG`: fast visibility, the suggestion to continue as new). */
  dynamicConfig?: Record<string, unknown>;
  /**
   * Namespaces created with dynamic config values of their own, e.g. one per continue-as-new
   * threshold of one server: `{ 'fuzz-5': { 'limit.historyCount.suggestContinueAsNew': 5 } }`.
   * Needs the `current` server. @default none
   */
  namespaceDynamicConfig?: Record<string, Record<string, unknown>>;
  /**
   * The server to run. @default `oldest-supported` when the environment has
   * `CODIKA_TEMPORAL_SERVER=oldest-supported` (the compatibility job), else `current`
   */
  version?: LocalTemporalServerVersion;
}

/**
 * The dev server's timer queue looks ahead 1 s by default, so a 100 ms timer fires up to a second
 * late; polling with short intervals (tests, demo, benchmarks) needs timers that fire on time.
 * Eager activity dispatch hands the status activity to the worker in the reply to the workflow task
 * that scheduled it, saving a trip through the task queue on every poll (off by default in the
 * open-source server; worth turning on in your own cluster too). The server ignores task priority
 * and fairness keys unless the new matcher and fairness are on (docs/priority.md).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'history.timerProcessorMaxTimeShift': '50ms',
  'system.enableActivityEagerExecution': true,
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
};

/**
 * For showing priority and fairness on a small backlog: one task-queue partition (each partition
 * orders its own backlog) and no eager activity dispatch (which hands activities to the worker past
 * the backlog). Production queues keep their partitions; their backlogs are large enough to show it.
 */
export const PRIORITY_DEMO_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.enableActivityEagerExecution': false,
};

/**
 * Which Temporal runs: `current` is the server binary {@link TEMPORAL_SERVER_VERSION} as one
 * process on SQLite (what `temporal server start-dev` runs, configured the same way);
 * `oldest-supported` is the Temporal CLI {@link TEMPORAL_CLI_VERSION}'s dev server, server
 * {@link OLDEST_SUPPORTED_SERVER_VERSION}, for the compatibility job (`npm run test:compat`).
 */
export type LocalTemporalServerVersion = 'current' | 'oldest-supported';

/** Where the server came from, for reports: `server 1.32.2 (cache)`, `cli 1.5.1 (PATH)`, `sdk-download`. */
export type LocalTemporalServerSource = string;

/**
 * A Temporal dev server on 127.0.0.1, started from a provisioned binary and awaited with a
 * generous timeout. Falls back to the SDK's own download when no binary can be found or built.
 */
export class LocalTemporalServer {
  private constructor(
    /** `host:port` of the gRPC frontend. */
    readonly address: string,
    /** Web UI URL, when the UI is on. */
    readonly uiUrl: string | undefined,
    /** Which binary serves, and where it came from. */
    readonly source: LocalTemporalServerSource,
    /** The server's output, for diagnosing a failed start. */
    readonly logFile: string | undefined,
    private readonly stopServer: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>,
  ) {}

  /** Provisions the server if needed, starts it and resolves once it answers. @throws Error when it does not start in time. */
  static async start(options: LocalTemporalServerOptions = {}): Promise<LocalTemporalServer> {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    const version = options.version ?? localServerVersionFromEnv();
    if (version === 'current') {
      const server = await findOrBuildGoBinary(CLUSTER_BINARIES.server, process.env, log).catch((err: unknown) => {
        if (findOnPath('go', process.env.PATH ?? '')) throw err;
        return undefined;
      });
      if (server) return LocalTemporalServer.startServerBinary(server, options, log);
      if (options.namespaceDynamicConfig)
        throw new Error('namespaceDynamicConfig needs the Temporal server binary: install Go 1.25+ and run again');
    } else if (options.namespaceDynamicConfig) {
      throw new Error(`namespaceDynamicConfig needs server ${TEMPORAL_SERVER_VERSION}, not the oldest supported`);
    }
    return LocalTemporalServer.startCliDevServer(options, version, log);
  }

  /** The server binary as one process on SQLite, its namespaces and search attributes registered through the API. */
  private static async startServerBinary(
    binary: string,
    options: LocalTemporalServerOptions,
    log: (message: string) => void,
  ): Promise<LocalTemporalServer> {
    if (options.dbFilename) claimDatabaseFile(options.dbFilename, TEMPORAL_SERVER_VERSION);
    const dir = mkdtempSync(join(tmpdir(), 'codika-temporal-server-'));
    const logFile = options.logFile ?? join(dir, 'server.log');
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    // Free ports are asked for, released, then bound by the server seconds later: another process
    // can take one in between. The server then exits at once; fresh ports are tried, up to 3 times.
    for (let attempt = 1; ; attempt++) {
      const ports = await freeDevServerPorts(options.port);
      const server = spawnServerBinary(binary, dir, ports, options, logFile);
      const address = `127.0.0.1:${ports.frontendGrpc}`;
      const processes: ChildProcess[] = [server.child];
      const stopAll = async (signal: 'SIGTERM' | 'SIGKILL') => {
        for (const child of [...processes].reverse()) await stopProcess(child, signal);
        server.out.end();
      };
      try {
        await waitUntilServing(address, server.child, timeoutMs, logFile, 'system');
        await registerNamespaces(address, [
          'default',
          ...(options.namespaces ?? []),
          ...Object.keys(options.namespaceDynamicConfig ?? {}),
        ]);
        const version = await serverVersionAt(address);
        let uiUrl: string | undefined;
        if (options.ui) {
          const uiServer = await findOrBuildGoBinary(CLUSTER_BINARIES.uiServer, process.env, log);
          const uiPort = options.uiPort ?? (await freePort());
          const ui = startUiServer({
            uiServer,
            dir,
            port: uiPort,
            frontendAddress: address,
            namespace: 'default',
            codecEndpoint: options.uiCodecEndpoint,
          });
          processes.push(ui);
          uiUrl = `http://127.0.0.1:${uiPort}`;
          await waitUntilUiAnswers(uiUrl, ui, timeoutMs, join(dir, 'ui', 'ui-server.log'));
        }
        return new LocalTemporalServer(address, uiUrl, `server ${version}`, logFile, stopAll);
      } catch (err) {
        await stopAll('SIGKILL');
        if (attempt < 3 && portWasTaken(logFile)) {
          log(`A port of the Temporal server was taken before it bound it; trying fresh ports (${attempt} of 3)…`);
          continue;
        }
        throw err;
      }
    }
  }

  /** The Temporal CLI's dev server (the oldest supported server), or the SDK's download of the newest CLI. */
  private static async startCliDevServer(
    options: LocalTemporalServerOptions,
    requested: LocalTemporalServerVersion,
    log: (message: string) => void,
  ): Promise<LocalTemporalServer> {
    const cli = await findOrBuildTemporalCli({ log });
    const port = options.port ?? (await freePort());
    const uiPort = options.ui ? (options.uiPort ?? (await freePort())) : undefined;

    const serverArgs = [
      ...Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig }).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
      ...(options.namespaces ?? []).flatMap((namespace) => ['--namespace', namespace]),
      // Registered at every start (a no-op on a file that has them), so runs can be filtered by them.
      ...CODIKA_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ];
    if (!cli) {
      log(
        'No Temporal server binary and no Go toolchain to build one: letting the Temporal SDK download its dev server…',
      );
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          ip: '127.0.0.1',
          port,
          ui: options.ui ?? false,
          uiPort,
          dbFilename: options.dbFilename,
          extraArgs: serverArgs,
        },
      }).catch((err: unknown) => {
        throw new Error(
          `No Temporal server binary: no Go toolchain to build one, none at TEMPORAL_CLI_PATH or on PATH, and the SDK's download failed (${String(err)}). ` +
            'Install Go 1.25+ (the build is automatic), or put the Temporal CLI on PATH, or set TEMPORAL_CLI_PATH.',
        );
      });
      return new LocalTemporalServer(
        env.address,
        uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
        'sdk-download',
        undefined,
        async (signal) => {
          // The SDK keeps its server process to itself: it can stop it, not kill it.
          if (signal === 'SIGKILL') throw new Error('kill() needs a provisioned Temporal server (npm run provision)');
          await env.teardown();
        },
      );
    }

    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
    args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
    if (uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
    if (options.dbFilename) args.push('--db-filename', options.dbFilename);
    args.push(...serverArgs);
    const logFile = options.logFile ?? join(tmpdir(), `codika-temporal-server-${port}.log`);
    const oldest = requested === 'oldest-supported';
    if (options.dbFilename && oldest) claimDatabaseFile(options.dbFilename, OLDEST_SUPPORTED_SERVER_VERSION);
    const { child, out } = spawnLogged(cli.path, args, logFile);
    const address = `127.0.0.1:${port}`;
    let version: string;
    try {
      await waitUntilServing(address, child, options.startTimeoutMs ?? 120_000, logFile, 'default');
      version = await serverVersionAt(address);
      // A `temporal` on PATH or at TEMPORAL_CLI_PATH wins over the build: it must be the version asked for.
      if (oldest && version !== OLDEST_SUPPORTED_SERVER_VERSION) {
        throw new Error(
          `The oldest supported server is ${OLDEST_SUPPORTED_SERVER_VERSION}, but the Temporal CLI at ${cli.path} ` +
            `(from ${cli.source}) runs server ${version}: point TEMPORAL_CLI_PATH at a CLI ${TEMPORAL_CLI_VERSION}, ` +
            'or take the other one off PATH',
        );
      }
    } catch (err) {
      await stopProcess(child);
      out.end();
      throw err;
    }
    const uiUrl = uiPort ? `http://127.0.0.1:${uiPort}` : undefined;
    return new LocalTemporalServer(
      address,
      uiUrl,
      `server ${version} (the Temporal CLI's dev server, from ${cli.source})`,
      logFile,
      async (signal) => {
        await stopProcess(child, signal);
        out.end();
      },
    );
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s). Safe to call twice. */
  async stop(): Promise<void> {
    await this.stopServer('SIGTERM');
  }

  /**
   * Kills the server with SIGKILL, as a crash or a lost host would: no shutdown at all. A server
   * started with `dbFilename` comes back from it with its state when started again on that file.
   */
  async kill(): Promise<void> {
    await this.stopServer('SIGKILL');
  }
}

/** The server {@link LocalTemporalServer.start} runs when not told: `CODIKA_TEMPORAL_SERVER`, else `current`. */
export function localServerVersionFromEnv(env: NodeJS.ProcessEnv = process.env): LocalTemporalServerVersion {
  const value = env.CODIKA_TEMPORAL_SERVER;
  if (value === undefined || value === '' || value === 'current') return 'current';
  if (value === 'oldest-supported') return 'oldest-supported';
  throw new Error(
    `CODIKA_TEMPORAL_SERVER=${value} is not a server this project runs: use "current" (${TEMPORAL_SERVER_VERSION}) ` +
      `or "oldest-supported" (${OLDEST_SUPPORTED_SERVER_VERSION}), or unset it`,
  );
}

/**
 * Writes the server's config files into `dir` and starts it, its output in `logFile`. Written again
 * on each try: the ports are in them.
 */
function spawnServerBinary(
  binary: string,
  dir: string,
  ports: DevServerPorts,
  options: LocalTemporalServerOptions,
  logFile: string,
): { child: ChildProcess; out: WriteStream } {
  const configFile = join(dir, 'config.yaml');
  const dynamicConfig = join(dir, 'dynamicconfig.yaml');
  const globalValues = {
    ...devServerDefaults(ports.frontendHttp),
    ...DEV_SERVER_DYNAMIC_CONFIG,
    ...options.dynamicConfig,
  };
  writeFileSync(
    dynamicConfig,
    JSON.stringify(dynamicConfigFile(globalValues, options.namespaceDynamicConfig), null, 2),
  );
  const config = devServerConfig({
    ports,
    dbFilename: options.dbFilename,
    memoryDatabaseName: basename(dir),
    dynamicConfigFile: dynamicConfig,
  });
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return spawnLogged(binary, ['--config-file', configFile, '--allow-no-auth', 'start'], logFile);
}

/** Whether the server's log says it could not bind a port (taken by another process meanwhile). */
function portWasTaken(logFile: string): boolean {
  try {
    return /address already in use/i.test(readFileSync(logFile, 'utf8'));
  } catch {
    return false;
  }
}

/** The version the Temporal server at `address` reports (`getSystemInfo`). */
export async function serverVersionAt(address: string): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    return (await connection.workflowService.getSystemInfo({})).serverVersion;
  } finally {
    await connection.close();
  }
}

/**
 * A database file holds the SQLite schema of the server that made it, and a newer server does not
 * migrate it: a file made by another version is refused, naming what to do. The version is kept
 * beside the file (`<file>.server-version`), written the first time a server starts on it.
 *
 * @throws Error when the file exists and another server version (or an unknown one) made it.
 */
export function claimDatabaseFile(dbFilename: string, serverVersion: string): void {
  const marker = `${dbFilename}.server-version`;
  const madeBy = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
  if (existsSync(dbFilename) && madeBy !== serverVersion) {
    const by = madeBy
      ? `Temporal server ${madeBy}`
      : `an unknown Temporal server (no ${basename(marker)} beside it: before codika-temporal 0.3, files were made by server ${OLDEST_SUPPORTED_SERVER_VERSION})`;
    throw new Error(
      `${dbFilename} was made by ${by}, and server ${serverVersion} does not migrate a SQLite file: delete it ` +
        `(with its -wal and -shm files) to start afresh${
          serverVersion === OLDEST_SUPPORTED_SERVER_VERSION ? '' : `, or keep it with version: 'oldest-supported'`
        }`,
    );
  }
  if (madeBy !== serverVersion) writeFileSync(marker, `${serverVersion}\n`);
}

/** Free ports for every listener of a one-process server; the frontend's is `frontendGrpc` when given. */
async function freeDevServerPorts(frontendGrpc?: number): Promise<DevServerPorts> {
  const names: (keyof DevServerPorts)[] = [
    'frontendGrpc',
    'frontendHttp',
    'frontendMembership',
    'historyGrpc',
    'historyMembership',
    'matchingGrpc',
    'matchingMembership',
    'workerGrpc',
    'workerMembership',
  ];
  const ports: Partial<DevServerPorts> = {};
  // Asked one after another while the earlier ones are held, so no two are the same.
  const held: Array<ReturnType<typeof createServer>> = [];
  try {
    for (const name of names) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      held.push(server);
      ports[name] = (server.address() as { port: number }).port;
    }
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
  return { ...(ports as DevServerPorts), ...(frontendGrpc ? { frontendGrpc } : {}) };
}

/** Starts a process whose output goes to `logFile`, killed if this process exits without stopping it. */
function spawnLogged(binary: string, args: string[], logFile: string): { child: ChildProcess; out: WriteStream } {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', (err) => out.write(`failed to start ${binary}: ${err.message}\n`));
  // If the parent exits without stop() (a crash, process.exit), the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { child, out };
}

/**
 * Registers the namespaces (kept a day, as the CLI's dev server keeps them) and the Codika search
 * attributes on each: a no-op for those a database file already has. A namespace registered now is
 * seen by every service after the next namespace-cache refresh (1 s here), awaited before returning.
 */
async function registerNamespaces(address: string, namespaces: string[]): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    let registered = false;
    for (const namespace of new Set(namespaces)) {
      const created = await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } })
        .then(() => true, ignoreAlreadyExists);
      registered ||= created;
      const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      await connection.operatorService
        .addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(CODIKA_SEARCH_ATTRIBUTE_NAMES.map((name) => [name, keyword])),
        })
        .catch(ignoreAlreadyExists);
    }
    if (registered) await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    await connection.close();
  }
}

/** `false` for an ALREADY_EXISTS answer (gRPC code 6); anything else is thrown again. */
function ignoreAlreadyExists(err: unknown): false {
  if ((err as { code?: number }).code === 6) return false;
  throw err;
}

/** Waits until the UI answers HTTP (its first start unpacks assets); fails at once if it exits. */
async function waitUntilUiAnswers(url: string, ui: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (ui.exitCode !== null || ui.signalCode !== null) {
      throw new Error(`Temporal UI server exited during start (port taken?); see ${logFile}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Temporal UI at ${url} did not answer within ${timeoutMs} ms (${String(lastError)}); see ${logFile}`);
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Waits until the frontend answers: `default` when the server creates that namespace itself (the
 * CLI's dev server), `system` when it is registered afterwards (the server binary).
 */
async function waitUntilServing(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  logFile: string,
  readyWhen: 'default' | 'system',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Temporal server exited during start; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        if (readyWhen === 'default') await connection.workflowService.describeNamespace({ namespace: 'default' });
        else await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(
    `Temporal server at ${address} did not answer within ${timeoutMs} ms (${String(lastError)}); see ${logFile}`,
  );
}

async function stopProcess(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
