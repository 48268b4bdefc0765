import {
  devServerConfig,
  devServerDefaults,
  dynamicConfigFile,
  type DevServerPorts,
} from '../../../src/testing/dev-server/dev-server-config';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDatabaseFile, localServerVersionFromEnv } from '../../../src/testing/local-temporal-server';

const ports: DevServerPorts = {
  frontendGrpc: 7233,
  frontendHttp: 7243,
  frontendMembership: 6933,
  historyGrpc: 7234,
  historyMembership: 6934,
  matchingGrpc: 7235,
  matchingMembership: 6935,
  workerGrpc: 7239,
  workerMembership: 6939,
};

test('a value for one namespace is constrained to it; the global one stays for the rest', () => {
  const file = dynamicConfigFile(
    { 'limit.historyCount.suggestContinueAsNew': 10_000, 'matching.enableFairness': true },
    {
      'fuzz-5': { 'limit.historyCount.suggestContinueAsNew': 5 },
      'fuzz-9': { 'limit.historyCount.suggestContinueAsNew': 9 },
    },
  );
  expect(file['limit.historyCount.suggestContinueAsNew']).toEqual([
    { value: 10_000, constraints: {} },
    { value: 5, constraints: { namespace: 'fuzz-5' } },
    { value: 9, constraints: { namespace: 'fuzz-9' } },
  ]);
  expect(file['matching.enableFairness']).toEqual([{ value: true, constraints: {} }]);
});

test('in memory by default; a file gets its schema on first use and survives a SIGKILL (WAL, full sync)', () => {
  const memory = devServerConfig({ ports, memoryDatabaseName: 'm1', dynamicConfigFile: '/tmp/dc.yaml' });
  const sql = (config: Record<string, unknown>) =>
    (config.persistence as { datastores: Record<string, { sql: Record<string, unknown> }> }).datastores[
      'sqlite-default'
    ]!.sql;
  expect(sql(memory)).toMatchObject({ databaseName: 'm1', connectAttributes: { mode: 'memory', cache: 'shared' } });
  // The in-memory database dies with its one connection: no lifetime may close it.
  expect(sql(memory)).not.toHaveProperty('maxConnLifetime');
  const file = devServerConfig({
    ports,
    dbFilename: '/tmp/t.db',
    memoryDatabaseName: 'm1',
    dynamicConfigFile: '/tmp/dc.yaml',
  });
  expect(sql(file)).toMatchObject({
    databaseName: '/tmp/t.db',
    connectAttributes: { mode: 'rwc', setup: 'true', journal_mode: 'wal', synchronous: '2' },
  });
  expect(file.dynamicConfigClient).toMatchObject({ filepath: '/tmp/dc.yaml' });
  expect(JSON.stringify(file)).not.toContain('0.0.0.0');
});

test("the start-dev defaults: Nexus callbacks to the frontend's HTTP port, standalone activities on", () => {
  const defaults = devServerDefaults(7243);
  expect(defaults['component.nexusoperations.callback.endpoint.template']).toBe(
    'http://127.0.0.1:7243/namespaces/{{.NamespaceName}}/nexus/callback',
  );
  expect(defaults['callback.allowedAddresses']).toEqual([{ Pattern: '127.0.0.1:7243', AllowInsecure: true }]);
  expect(defaults['activity.enableStandalone']).toBe(true);
});

test('CODIKA_TEMPORAL_SERVER picks the server; anything else is refused, naming both choices', () => {
  expect(localServerVersionFromEnv({})).toBe('current');
  expect(localServerVersionFromEnv({ CODIKA_TEMPORAL_SERVER: 'oldest-supported' })).toBe('oldest-supported');
  expect(() => localServerVersionFromEnv({ CODIKA_TEMPORAL_SERVER: '1.29' })).toThrow(
    'CODIKA_TEMPORAL_SERVER=1.29 is not a server this project runs: use "current" (1.32.2) or "oldest-supported" (1.29.1), or unset it',
  );
});

test('a database file is claimed by the server version that made it; another version is refused, naming the way out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'claim-'));
  const db = join(dir, 'temporal.db');
  claimDatabaseFile(db, '1.32.2'); // a new file: claimed
  writeFileSync(db, 'sqlite'); // the server made it
  expect(readFileSync(`${db}.server-version`, 'utf8').trim()).toBe('1.32.2');
  expect(() => claimDatabaseFile(db, '1.32.2')).not.toThrow(); // a restart on it
  expect(() => claimDatabaseFile(db, '1.29.1')).toThrow(
    `${db} was made by Temporal server 1.32.2, and server 1.29.1 does not migrate a SQLite file: delete it (with its -wal and -shm files) to start afresh`,
  );

  const old = join(dir, 'before-markers.db');
  writeFileSync(old, 'sqlite'); // made by the CLI 1.5.1 dev server, before markers were written
  expect(() => claimDatabaseFile(old, '1.32.2')).toThrow(
    /made by an unknown Temporal server .* server 1\.29\.1\), and server 1\.32\.2 does not migrate a SQLite file: .* or keep it with version: 'oldest-supported'/,
  );
});
