import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CODIKA_SEARCH_ATTRIBUTE_NAMES } from '../shared/search-attribute-keys';
import { findOrBuildTemporalCli, type TemporalCliSource } from '../provisioning/temporal-cli';

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
}

/**
 * The dev server's timer queue looks ahead 1 s by default, so a 100 ms timer fires up to a second
 * late; polling with short intervals (tests, demo, benchmarks) needs timers that fire on time.
 * Eager activity dispatch hands the status activity to the worker in the reply to the workflow task
 * that scheduled it, saving a trip through the task queue on every poll (off by default in the
 * open-source server; worth turning on in your own cluster too). Server 1.29 ignores task priority
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
 * A Temporal dev server on 127.0.0.1, started from the provisioned CLI binary (see
 * {@link findOrBuildTemporalCli}) and awaited with a generous timeout. Falls back to the SDK's
 * own download when no binary can be found or built.
 */
export class LocalTemporalServer {
  private constructor(
    /** `host:port` of the gRPC frontend. */
    readonly address: string,
    /** Web UI URL, when the UI is on. */
    readonly uiUrl: string | undefined,
    /** Where the binary came from, or `sdk-download`. */
    readonly source: TemporalCliSource | 'sdk-download',
    /** The server's output, for diagnosing a failed start. */
    readonly logFile: string | undefined,
    private readonly stopServer: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>,
  ) {}

  /** Provisions the CLI if needed, starts the server and resolves once it answers. @throws Error when it does not start in time. */
  static async start(options: LocalTemporalServerOptions = {}): Promise<LocalTemporalServer> {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
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
      log('No Temporal CLI found and no Go toolchain to build one: letting the Temporal SDK download it…');
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
          `No Temporal server binary: none at TEMPORAL_CLI_PATH or on PATH, no Go toolchain to build one, and the SDK's download failed (${String(err)}). ` +
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
          if (signal === 'SIGKILL') throw new Error('kill() needs the provisioned Temporal CLI (npm run provision)');
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
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (err) => out.write(`failed to start ${cli.path}: ${err.message}\n`));
    // If the parent exits without stop() (a crash, process.exit), the server must not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const address = `127.0.0.1:${port}`;
    try {
      await waitUntilServing(address, child, options.startTimeoutMs ?? 120_000, logFile);
    } catch (err) {
      await stopProcess(child);
      out.end();
      throw err;
    }
    const uiUrl = uiPort ? `http://127.0.0.1:${uiPort}` : undefined;
    return new LocalTemporalServer(address, uiUrl, cli.source, logFile, async (signal) => {
      await stopProcess(child, signal);
      out.end();
    });
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

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Temporal dev server exited during start; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
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
    `Temporal dev server at ${address} did not answer within ${timeoutMs} ms (${String(lastError)}); see ${logFile}`,
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
