/**
 * The Temporal services as separate processes (frontend, history, matching, internal worker), each
 * started from the same configuration file, as a real deployment runs them. Each can be stopped,
 * killed and started again on its own, which is what the cluster fault tests do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_CONFIG_DIR, type ClusterPorts, type ClusterSettings } from './cluster-settings';
import { stopProcess } from './child-processes';

/** The four services, in the order they start (history owns the shards the others route to). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * Puts the server's configuration in `<dir>/config/development.yaml`: `cluster/temporal-server.yaml`
 * as it is (the server renders it as a template, like the compose file's server does), beside the
 * dynamic config.
 */
export function writeServerConfig(dir: string): void {
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  copyFileSync(join(CLUSTER_CONFIG_DIR, 'dynamicconfig.yaml'), join(configDir, 'dynamicconfig.yaml'));
  copyFileSync(join(CLUSTER_CONFIG_DIR, 'temporal-server.yaml'), join(configDir, 'development.yaml'));
}

/** The values `cluster/temporal-server.yaml` reads from the environment, for a cluster on 127.0.0.1. */
export function serverEnvironment(options: {
  dir: string;
  settings: ClusterSettings;
  ports: ClusterPorts;
  postgres: { user: string; password: string };
}): Record<string, string> {
  const { ports, settings } = options;
  const values: Record<string, string | number> = {
    HISTORY_SHARDS: settings.historyShards,
    TEMPORAL_DATABASE: settings.databases.temporal,
    VISIBILITY_DATABASE: settings.databases.visibility,
    POSTGRES_ADDRESS: `127.0.0.1:${ports.postgres}`,
    POSTGRES_USER: options.postgres.user,
    POSTGRES_PASSWORD: options.postgres.password,
    BROADCAST_ADDRESS: '127.0.0.1',
    BIND_ON_IP: '127.0.0.1',
    FRONTEND_GRPC_PORT: ports.frontendGrpc,
    FRONTEND_MEMBERSHIP_PORT: ports.frontendMembership,
    FRONTEND_HTTP_PORT: ports.frontendHttp,
    HISTORY_GRPC_PORT: ports.historyGrpc,
    HISTORY_MEMBERSHIP_PORT: ports.historyMembership,
    MATCHING_GRPC_PORT: ports.matchingGrpc,
    MATCHING_MEMBERSHIP_PORT: ports.matchingMembership,
    WORKER_GRPC_PORT: ports.workerGrpc,
    WORKER_MEMBERSHIP_PORT: ports.workerMembership,
    FRONTEND_ADDRESS: `127.0.0.1:${ports.frontendGrpc}`,
    DYNAMIC_CONFIG_FILE: join(options.dir, 'config', 'dynamicconfig.yaml'),
  };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}

/** One running service process. */
export interface ServiceProcess {
  service: TemporalService;
  process: ChildProcess;
}

/** Starts one service from the configuration in `<dir>/config`, its output in `<dir>/logs/<service>.log`. */
export function startService(
  server: string,
  dir: string,
  service: TemporalService,
  environment: Record<string, string>,
): ServiceProcess {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const log = createWriteStream(join(dir, 'logs', `${service}.log`), { flags: 'a' });
  const child = spawn(
    server,
    ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start', '--service', service],
    { env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return { service, process: child };
}

/** Stops a service: SIGTERM lets it hand its shards and task queues over; SIGKILL is a crash. */
export function stopService(running: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return stopProcess(running.process, signal);
}
