/**
 * The configuration files of a one-process Temporal server on SQLite: what `temporal server
 * start-dev` builds in memory, written out for the server binary (`server --config-file … start`).
 * JSON is YAML, so both files are written as JSON.
 */

/** The ports a one-process server binds on 127.0.0.1: the four services, their membership, and HTTP. */
export interface DevServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

/** What {@link devServerConfig} needs. */
export interface DevServerConfigInput {
  ports: DevServerPorts;
  /** SQLite file that keeps state across restarts; in memory when absent. */
  dbFilename?: string;
  /** Name of the in-memory database (unique per server, as the CLI's dev server makes it). */
  memoryDatabaseName: string;
  /** The dynamic config file the server reads (and re-reads every `pollInterval`). */
  dynamicConfigFile: string;
}

/**
 * The server's static config: one SQLite store for both persistence and visibility, one history
 * shard, every service on 127.0.0.1, archival off, the log at `warn` on stdout.
 */
export function devServerConfig(input: DevServerConfigInput): Record<string, unknown> {
  const { ports } = input;
  // A file gets its schema on first use (`setup`, harmless when the tables exist) and WAL with full
  // sync, so a SIGKILL loses nothing committed; memory is created and migrated by the plugin itself.
  const connectAttributes = input.dbFilename
    ? { mode: 'rwc', setup: 'true', journal_mode: 'wal', synchronous: '2' }
    : { mode: 'memory', cache: 'shared' };
  const frontend = `127.0.0.1:${ports.frontendGrpc}`;
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...(httpPort ? { httpPort } : {}) },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'sqlite-default',
      visibilityStore: 'sqlite-default',
      numHistoryShards: 1,
      datastores: {
        'sqlite-default': {
          sql: {
            pluginName: 'sqlite',
            databaseName: input.dbFilename ?? input.memoryDatabaseName,
            connectAddr: 'localhost',
            connectProtocol: 'tcp',
            connectAttributes,
            maxConns: 1,
            maxIdleConns: 1,
            // In memory the database lives as long as its one connection: a connection closed for
            // its age would take every run with it. A file keeps them, so an hour's lifetime is safe.
            ...(input.dbFilename ? { maxConnLifetime: '1h' } : {}),
          },
        },
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontendGrpc, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.historyGrpc, ports.historyMembership),
      matching: service(ports.matchingGrpc, ports.matchingMembership),
      worker: service(ports.workerGrpc, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * The values `temporal server start-dev` sets for its server, besides the caller's: search
 * attributes visible at once (with the persistence rates raised to match), Nexus callbacks to the
 * frontend's HTTP port; and ours: namespaces seen by every service within a second of being
 * registered (this server registers them through the API after it starts), standalone activities.
 */
export function devServerDefaults(frontendHttpPort: number): Record<string, unknown> {
  const http = `127.0.0.1:${frontendHttpPort}`;
  return {
    'system.forceSearchAttributesCacheRefreshOnRead': true,
    'frontend.persistenceMaxQPS': 10000,
    'history.persistenceMaxQPS': 45000,
    'history.hostLevelCacheMaxSize': 8096,
    'frontend.namespaceRPS.visibility': 100,
    'component.nexusoperations.callback.endpoint.template': `http://${http}/namespaces/{{.NamespaceName}}/nexus/callback`,
    'callback.allowedAddresses': [{ Pattern: http, AllowInsecure: true }],
    'system.namespaceCacheRefreshInterval': '1s',
    // On by default from 1.32; said anyway, as the cluster and compose say it. The operator commands
    // (pause, reset, update options of a standalone activity) are on in start-dev, off by default.
    'activity.enableStandalone': true,
    'history.enableStandaloneActivityOperatorCommands': true,
  };
}

/**
 * The dynamic config file: `global` values for every namespace, then values that hold for one
 * namespace only (a constraint the CLI's `--dynamic-config-value` cannot express).
 */
export function dynamicConfigFile(
  global: Record<string, unknown>,
  perNamespace: Record<string, Record<string, unknown>> = {},
): Record<string, Array<{ value: unknown; constraints: Record<string, string> }>> {
  const file: Record<string, Array<{ value: unknown; constraints: Record<string, string> }>> = {};
  for (const [key, value] of Object.entries(global)) file[key] = [{ value, constraints: {} }];
  for (const [namespace, values] of Object.entries(perNamespace)) {
    for (const [key, value] of Object.entries(values)) {
      // The server looks for the namespace's own value first, so the global one stays for the rest.
      (file[key] ??= []).push({ value, constraints: { namespace } });
    }
  }
  return file;
}
