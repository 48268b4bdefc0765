/**
 * A Temporal cluster in the production shape, on this machine without Docker: PostgreSQL, the schema
 * migrated by the SQL tool, the four Temporal services as separate processes, the `default` namespace
 * with the Codika search attributes, and the UI server. `npm run cluster` runs one in the foreground;
 * the cluster tests start one each and restart its parts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { findOrBuildClusterBinaries, type ClusterBinaries } from '../../provisioning/cluster-binaries';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../../shared/search-attribute-keys';
import { parseDuration } from '../../shared/durations';
import { readClusterSettings, type ClusterPorts, type ClusterSettings } from './cluster-settings';
import { hasExited, stopProcess } from './child-processes';
import { POSTGRES_PASSWORD, POSTGRES_USER, startPostgres, type RunningPostgres } from './postgres';
import { migrateSchemas } from './temporal-schema';
import {
  serverEnvironment,
  startService,
  stopService,
  TEMPORAL_SERVICES,
  writeServerConfig,
  type ServiceProcess,
  type TemporalService,
} from './temporal-services';
import { startUiServer } from './ui-server';
import type { ChildProcess } from 'node:child_process';

/** `IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD` in Temporal's API. */
const KEYWORD = 2;
/** gRPC status of a namespace that exists already. */
const ALREADY_EXISTS = 6;

/** Options of {@link LocalCluster.start}. */
export interface LocalClusterOptions {
  /** Where PostgreSQL's data, the generated configuration and the logs live; reused by the next start. */
  dir: string;
  /** Ports to use instead of `cluster/cluster.json`'s. */
  ports?: Partial<ClusterPorts>;
  /** Start the UI server. @default true */
  ui?: boolean;
  /** Codec server for the UI to decode payloads with. */
  uiCodecEndpoint?: string;
  /** Progress lines. @default to stderr */
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * The server version to run, for an upgrade test: a data folder made by an older server, then
   * started with the current one (its SQL tool's `update-schema` migrates it). @default the current version
   */
  serverVersion?: string;
}

export class LocalCluster {
  private constructor(
    readonly dir: string,
    readonly settings: ClusterSettings,
    readonly ports: ClusterPorts,
    private readonly binaries: ClusterBinaries,
    private postgres: RunningPostgres,
    private readonly services: Map<TemporalService, ServiceProcess>,
    private readonly ui: ChildProcess | undefined,
    private readonly env: NodeJS.ProcessEnv,
    /** What the server's configuration template reads. */
    private readonly serverEnv: Record<string, string>,
  ) {}

  /** The frontend's gRPC address, for clients, workers and the CLI. */
  get address(): string {
    return `127.0.0.1:${this.ports.frontendGrpc}`;
  }

  /** The UI's address, when it runs. */
  get uiUrl(): string | undefined {
    return this.ui ? `http://127.0.0.1:${this.ports.ui}` : undefined;
  }

  /** Brings every part up, in order, and resolves once the namespace answers. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    const env = options.env ?? process.env;
    const settings = readClusterSettings();
    const ports = { ...settings.ports, ...options.ports };
    mkdirSync(options.dir, { recursive: true });
    const binaries = await findOrBuildClusterBinaries(env, log, options.serverVersion);

    log(`PostgreSQL on 127.0.0.1:${ports.postgres} (data in ${join(options.dir, 'postgres')})`);
    const postgres = await startPostgres({
      dataDir: join(options.dir, 'postgres'),
      port: ports.postgres,
      logFile: join(options.dir, 'postgres.log'),
      env,
    });
    const services = new Map<TemporalService, ServiceProcess>();
    let ui: ChildProcess | undefined;
    let environment: Record<string, string> | undefined;
    try {
      log('Schema: creating and migrating the temporal and visibility databases');
      await migrateSchemas({
        sqlTool: binaries.sqlTool,
        postgresSchemaDir: binaries.postgresSchemaDir,
        settings,
        postgresPort: ports.postgres,
        user: POSTGRES_USER,
        password: POSTGRES_PASSWORD,
      });
      writeServerConfig(options.dir);
      environment = serverEnvironment({
        dir: options.dir,
        settings,
        ports,
        postgres: { user: POSTGRES_USER, password: POSTGRES_PASSWORD },
      });
      log(`Temporal services: ${TEMPORAL_SERVICES.join(', ')} (logs in ${join(options.dir, 'logs')})`);
      // One at a time, each once it listens: on a fresh database the first one initialises the
      // cluster's metadata, and a service started alongside it can fail doing the same.
      for (const service of TEMPORAL_SERVICES) {
        await assertPortsFree(service, portsOf(service, ports));
        const running = startService(binaries.server, options.dir, service, environment);
        services.set(service, running);
        await untilListening(running, readinessPortOf(service, ports), options.dir);
      }
      const address = `127.0.0.1:${ports.frontendGrpc}`;
      await prepareNamespace(address, settings, services, options.dir, log);
      assertAllRunning(services, options.dir);
      if (options.ui ?? true) {
        await assertPortsFree('UI', [ports.ui]);
        ui = startUiServer({
          uiServer: binaries.uiServer,
          dir: options.dir,
          port: ports.ui,
          frontendAddress: address,
          namespace: settings.namespace.name,
          codecEndpoint: options.uiCodecEndpoint,
        });
        await untilListening(
          { service: 'UI', process: ui },
          ports.ui,
          options.dir,
          join(options.dir, 'ui', 'ui-server.log'),
        );
      }
    } catch (err) {
      for (const running of services.values()) await stopService(running, 'SIGKILL');
      if (ui) await stopProcess(ui, 'SIGKILL');
      await postgres.stop();
      throw err;
    }
    return new LocalCluster(options.dir, settings, ports, binaries, postgres, services, ui, env, environment!);
  }

  /** Stops one service: `SIGTERM` is a deploy, `SIGKILL` a crash. */
  async stopService(service: TemporalService, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = this.services.get(service);
    if (running) await stopService(running, signal);
  }

  /** Starts a stopped service again, from the same configuration, and resolves once it listens. */
  async startService(service: TemporalService): Promise<void> {
    await assertPortsFree(service, portsOf(service, this.ports));
    const running = startService(this.binaries.server, this.dir, service, this.serverEnv);
    this.services.set(service, running);
    await untilListening(running, readinessPortOf(service, this.ports), this.dir);
  }

  /** @throws Error naming a service that exited on its own, with the end of its log. */
  assertAllRunning(): void {
    assertAllRunning(this.services, this.dir);
  }

  /** Stops PostgreSQL with a fast shutdown and starts it again on the same data. */
  async restartPostgres(downMs = 0): Promise<void> {
    await this.postgres.stop();
    if (downMs > 0) await sleep(downMs);
    this.postgres = await startPostgres({
      dataDir: join(this.dir, 'postgres'),
      port: this.ports.postgres,
      logFile: join(this.dir, 'postgres.log'),
      env: this.env,
    });
  }

  /** Stops everything: the UI, the services (frontend first, so clients see it go), then PostgreSQL. */
  async stop(): Promise<void> {
    if (this.ui) await stopProcess(this.ui);
    for (const service of ['frontend', 'worker', 'matching', 'history'] as const) await this.stopService(service);
    await this.postgres.stop();
  }
}

/**
 * The port that says a service is up: its membership port, which every service opens once its
 * persistence and the cluster's metadata are in place (the internal worker serves no gRPC).
 */
function readinessPortOf(service: TemporalService, ports: ClusterPorts): number {
  return {
    frontend: ports.frontendMembership,
    history: ports.historyMembership,
    matching: ports.matchingMembership,
    worker: ports.workerMembership,
  }[service];
}

/** Resolves once the service accepts TCP connections on `port`. @throws Error with its log's end when it exits first. */
async function untilListening(
  running: { service: string; process: ChildProcess },
  port: number,
  dir: string,
  logFile = join(dir, 'logs', `${running.service}.log`),
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (hasExited(running.process)) throw serviceExited(running, logFile);
    if (await accepts(port)) return;
    if (Date.now() > deadline)
      throw new Error(`the Temporal ${running.service} service did not listen on ${port} within 120 s`);
    await sleep(200);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function assertAllRunning(services: Map<TemporalService, ServiceProcess>, dir: string): void {
  for (const running of services.values()) {
    if (hasExited(running.process)) throw serviceExited(running, join(dir, 'logs', `${running.service}.log`));
  }
}

/** The ports a service opens: membership, and gRPC (the internal worker opens its gRPC port late, if at all). */
function portsOf(service: TemporalService, ports: ClusterPorts): number[] {
  return {
    frontend: [ports.frontendMembership, ports.frontendGrpc, ports.frontendHttp],
    history: [ports.historyMembership, ports.historyGrpc],
    matching: [ports.matchingMembership, ports.matchingGrpc],
    worker: [ports.workerMembership, ports.workerGrpc],
  }[service];
}

/** A port something already listens on (a previous run's orphan?) would make its readiness check lie. */
async function assertPortsFree(what: string, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (await accepts(port)) {
      throw new Error(
        `port ${port} of the ${what} is already in use on 127.0.0.1: stop what listens there (a previous run?), or choose other ports`,
      );
    }
  }
}

function serviceExited(running: { service: string; process: ChildProcess }, log: string): Error {
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-3).join('\n').slice(-1500) : '';
  return new Error(
    `the Temporal ${running.service} service exited (${running.process.exitCode ?? running.process.signalCode}); see ${log}:\n${tail}`,
  );
}

/**
 * Waits for the frontend, then registers the namespace and the Codika search attributes (both
 * idempotent, so a second start on the same data changes nothing).
 */
async function prepareNamespace(
  address: string,
  settings: ClusterSettings,
  services: Map<TemporalService, ServiceProcess>,
  dir: string,
  log: (message: string) => void,
): Promise<void> {
  const connection = await connectWhenUp(address, services, dir);
  try {
    const namespace = settings.namespace.name;
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToDuration(parseDuration(settings.namespace.retention)),
      });
      log(`Namespace "${namespace}" registered (retention ${settings.namespace.retention})`);
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
    }
    await untilSucceeds(() => connection.workflowService.describeNamespace({ namespace }), 60_000, 'the namespace');
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(CODIKA_SEARCH_ATTRIBUTE_NAMES.map((name) => [name, KEYWORD])),
    });
  } finally {
    await connection.close();
  }
}

/** A protobuf Duration of whole seconds. */
function msToDuration(ms: number): { seconds: Long } {
  return { seconds: Long.fromNumber(Math.round(ms / 1000)) };
}

/** A connection once the frontend answers; fails at once when a service has exited meanwhile. */
function connectWhenUp(
  address: string,
  services: Map<TemporalService, ServiceProcess>,
  dir: string,
): Promise<Connection> {
  return untilSucceeds(
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    },
    120_000,
    `the Temporal frontend on ${address}`,
    () => assertAllRunning(services, dir),
  );
}

/** Retries `call` every 500 ms until it succeeds; `check` runs first each time and ends the wait by throwing. */
async function untilSucceeds<T>(call: () => Promise<T>, timeoutMs: number, what: string, check = () => {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s: ${String(err)}`);
      await sleep(500);
    }
  }
}
